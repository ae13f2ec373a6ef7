"""PostgreSQL settings for a block of statements, without round trips of their own.

:class:`LocalSettings` is an ``execute_wrapper``. The usual way: ``SET LOCAL …`` travels in the
same message as the first statement of each transaction (Django's cursors bind parameters on
the client, so a message may hold several statements; in autocommit mode those form one
implicit transaction). ``SET LOCAL`` ends with its transaction, so nothing stays on the
connection after the block (no RESET) and a transaction that rolls back takes nothing with it
that the next one needs (that one gets its own). A session-level SET and RESET per setting cost
two round trips each, as much as a public RSVP's SQL on a busy machine.

The fallback, session-level ``SET``s in one message (reset at the end, :meth:`reset`, in one
message too): for a transaction begun before the block (a test's), ``executemany`` (pipelined:
one statement a message) and server-side cursors (``DECLARE`` takes one query). Like the usual
way, a SET inside a transaction is undone if it rolls back, so it is set again before the next
statement that runs outside any transaction.

Used by the statement timeout of every web request (``organizer.middleware``) and the report
pages' settings (``reports.routers``); wrappers nest, each skipping past its own SETs' results.
"""

from __future__ import annotations

import contextlib

import psycopg
from psycopg.pq import TransactionStatus


class LocalSettings:
    def __init__(self, settings: dict[str, str], *, outer: bool = False):
        """``settings``: name → value as SQL (``"5000"``, ``"'64MB'"``, ``"off"``), written by
        the code, never by a user. ``outer``: the block runs inside a transaction begun before it
        (a test's), so ``SET LOCAL`` would outlive the block."""
        self.names = tuple(settings)
        self.local = "".join(f"SET LOCAL {k} = {v}; " for k, v in settings.items())
        self.session = "; ".join(f"SET {k} = {v}" for k, v in settings.items())
        self.outer = outer
        self.began = False  # the current transaction was begun by a statement carrying the SETs
        self.armed = False  # the session-level SETs were made (reset at the end)
        self.settled = False  # ... in autocommit mode: they last until the reset
        self.raw = None  # the connection they were made on

    def __call__(self, execute, sql, params, many, context):
        raw = context["connection"].connection
        cursor = context["cursor"].cursor
        status = raw.info.transaction_status
        if status == TransactionStatus.IDLE:
            self.began = False
        if self.settled or (status != TransactionStatus.IDLE and self.began):
            return execute(sql, params, many, context)
        usual = not (self.outer or many or getattr(cursor, "name", None))
        if status == TransactionStatus.IDLE and usual:
            result = execute(self.local + sql, params, many, context)
            for _name in self.names:
                cursor.nextset()  # past each SET's result, to the statement's
            self.began = not raw.autocommit
            return result
        # The fallback: session-level SETs on the raw connection (not through Django's cursor,
        # so query counts and logs stay those of the block).
        in_transaction = context["connection"].in_atomic_block
        if not self.armed or not in_transaction:
            raw.execute(self.session)
            self.armed, self.settled, self.raw = True, not in_transaction, raw
        return execute(sql, params, many, context)

    def reset(self) -> None:
        raw = self.raw
        if not self.armed or raw is None or raw.closed:
            return
        # An aborted transaction refuses every statement; its rollback undoes the SETs anyway.
        with contextlib.suppress(psycopg.Error):
            raw.execute("; ".join(f"RESET {name}" for name in self.names))
