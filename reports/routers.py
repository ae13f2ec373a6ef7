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

REPORTS_ALIAS = "reports"
_active: contextvars.ContextVar[bool] = contextvars.ContextVar("reports_replica", default=False)


def replica_in_use() -> bool:
    return REPORTS_ALIAS in settings.DATABASES


def reports_alias() -> str:
    return REPORTS_ALIAS if _active.get() and replica_in_use() else "default"


@contextmanager
def reading_reports() -> Iterator[None]:
    token = _active.set(True)
    try:
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
