"""Report reads on a read replica when ``REPORTS_DATABASE_URL`` is set.

Report views run inside :func:`reading_reports`; while it is active, the router sends every read
to the ``reports`` alias (the replica). Writes (the export log) always go to ``default``.
Everything outside a report view reads ``default`` as before. The replica may lag the primary
by a few seconds: the page says that it reads from the replica.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connections
from django.utils.connection import ConnectionDoesNotExist

from organizer.lib.session_settings import LocalSettings

REPORTS_ALIAS = "reports"
_active: contextvars.ContextVar[bool] = contextvars.ContextVar("reports_replica", default=False)


def replica_in_use() -> bool:
    return REPORTS_ALIAS in settings.DATABASES


def reports_alias() -> str:
    return REPORTS_ALIAS if _active.get() and replica_in_use() else "default"


# How report statements run (set for each transaction of the view, ``LocalSettings``):
# - no JIT: PostgreSQL compiles a plan to machine code when its estimated cost is high, which
#   every report statement's is (it reads everyone); compiling took 1.7 s of a 3.5 s statement
#   that then ran in under 2 s, on a hundred thousand people;
# - more memory per hash: "active in the last 90 days" is a set of people hashed once; with the
#   default 4 MB a big chapter's set would not fit and PostgreSQL would look it up per person.
# - no parallel workers: each worker rebuilds every hash and sort of a grouped report statement
#   (the stage sets, the activity windows), three times the work for the same answer on a
#   machine with few cores (measured: 15 s with two workers, 8.6 s without, a million people).
REPORT_SETTINGS = {"jit": "off", "work_mem": "'64MB'", "max_parallel_workers_per_gather": "0"}
REPORT_SESSION = tuple(f"SET {name} = {value}" for name, value in REPORT_SETTINGS.items())


@contextmanager
def report_session(alias: str = "default") -> Iterator[None]:
    """Run the statements inside with :data:`REPORT_SESSION` on ``alias`` (report views, and
    the weekly summary task, which reads the same metrics)."""
    try:
        connection = connections[alias]
    except ConnectionDoesNotExist:  # configured but never opened (tests of the router alone)
        yield
        return
    # In the message of each transaction's first statement (SET LOCAL), no round trips.
    session = LocalSettings(REPORT_SETTINGS, outer=connection.in_atomic_block)
    try:
        with connection.execute_wrapper(session):
            yield
    finally:
        session.reset()


@contextmanager
def reading_reports() -> Iterator[None]:
    token = _active.set(True)
    try:
        with report_session(reports_alias()):
            yield
    finally:
        _active.reset(token)


class ReportsRouter:
    def db_for_read(self, model, **hints):
        return REPORTS_ALIAS if _active.get() and replica_in_use() else None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
