"""Statements prepared once per database connection, for the few hot statements whose planning
costs PostgreSQL about as much as running them (one person's rescore, a caller's "next").

``execute(cursor, sql, params, types=…, prefix=…)`` sends ``PREPARE`` together with the first
``EXECUTE`` in one message, then only ``EXECUTE``. A prepared statement lives as long as its
connection and survives a rolled-back transaction, so which ones a connection holds is noted
per driver connection (a new connection starts with none). When a message carrying a
``PREPARE`` fails, whether it ran is unknown: the next call asks PostgreSQL once.

Behind a connection pooler in transaction mode (PgBouncer), a session's prepared statements
are handed to other clients: set ``DB_PREPARED_STATEMENTS=0`` and every call sends its
statement as it is.
"""

from __future__ import annotations

import functools
import hashlib
import re
import weakref

from django.conf import settings

_UNSURE = None  # in a connection's set: a message with a PREPARE failed
_held: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def execute(cursor, sql: str, params: dict, *, types: dict[str, str], prefix: str) -> None:
    """Run ``sql`` (``%(name)s`` placeholders and no other ``%``) with ``params`` on Django's
    ``cursor``, as a statement prepared on its connection. ``types`` gives each parameter's
    PostgreSQL type; the statement's name is ``prefix`` and a hash of its text and types, so
    statements that differ (another stage list, another kind of list) are prepared apart. The
    result is the ``EXECUTE``'s: read it from the cursor as usual."""
    if not settings.DB_PREPARED_STATEMENTS:
        cursor.execute(sql, params)
        return
    name, text, signature, run, order = _compiled(sql, tuple(sorted(types.items())), prefix)
    args = [params[key] for key in order]
    cursor.db.ensure_connection()
    held = _held.setdefault(cursor.db.connection, set())
    if _UNSURE in held:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        held.clear()
        held.update(row[0] for row in cursor.fetchall())
    if name in held:
        cursor.execute(run, args)
        return
    held.update([name, _UNSURE])  # unsure until the message has run
    cursor.execute(f"PREPARE {name} ({signature}) AS {text}; {run}", args)
    held.discard(_UNSURE)
    while cursor.nextset():  # past the PREPARE's empty result to the EXECUTE's
        pass


@functools.lru_cache(maxsize=64)
def _compiled(
    sql: str, types: tuple[tuple[str, str], ...], prefix: str
) -> tuple[str, str, str, str, tuple[str, ...]]:
    """The statement's name, its text with ``$n`` placeholders, its parameters' types, its
    ``EXECUTE`` and the parameters' order: worked out once per statement (a hot statement's
    text is a few kilobytes), not on each call."""
    order: list[str] = []

    def number(match: re.Match) -> str:
        if match.group(1) not in order:
            order.append(match.group(1))
        return f"${order.index(match.group(1)) + 1}"

    text = _PLACEHOLDER.sub(number, sql)
    if "%" in text:
        raise ValueError("a prepared statement takes no literal %")
    typed = dict(types)
    signature = ", ".join(typed[key] for key in order)
    name = f"{prefix}_{hashlib.sha256(f'{signature}|{text}'.encode()).hexdigest()[:24]}"
    run = f"EXECUTE {name} ({', '.join(['%s'] * len(order))})"
    return name, text, signature, run, tuple(order)


def reset(connection) -> None:
    """The connection holds no prepared statements (after ``DEALLOCATE ALL``)."""
    _held[connection.connection] = set()


def forget(connection) -> None:
    """What the connection holds is unknown: the next :func:`execute` asks PostgreSQL."""
    _held.setdefault(connection.connection, set()).add(_UNSURE)
