"""A statement timeout for every web request.

A request must never hold PostgreSQL for long: a pathological search or a bad plan would tie up a
connection and a worker while the person waits for nothing. ``StatementTimeoutMiddleware`` sets
``statement_timeout`` (``REQUEST_STATEMENT_TIMEOUT_MS``, 0 = off) on the request's connection
when the request starts and resets it when the view returns, so Celery workers and management
commands (imports, rescoring: long statements on purpose) never run with it. A request that
never queries the database never connects to set it. A statement the
timeout cancels answers a clear 503 page instead of a 500.

A streamed response (the CSV export) runs its queries after the view returns, so without the
timeout: it is long on purpose, and each of its statements is a plain indexed read.
"""

from __future__ import annotations

import contextlib
import logging

import psycopg
from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.template.loader import render_to_string

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


class _Timeout:
    """An ``execute_wrapper`` that sets the timeout just before the request's first statement
    (a request that never queries never connects), on the raw connection (not through Django's
    cursor, so query counts and logs stay those of the view).

    A SET inside a transaction is undone if that transaction rolls back, so when the first
    statement runs inside one, the timeout is set again before the next statement that runs
    outside any transaction."""

    def __init__(self, timeout_ms: int):
        self.sql = f"SET statement_timeout = {int(timeout_ms)}"
        self.armed = False
        self.settled = False  # set in autocommit mode: it lasts until the reset

    def __call__(self, execute, sql, params, many, context):
        if not self.settled:
            in_transaction = context["connection"].in_atomic_block
            if not self.armed or not in_transaction:
                context["connection"].connection.execute(self.sql)
                self.armed, self.settled = True, not in_transaction
        return execute(sql, params, many, context)

    def reset(self) -> None:
        if not self.armed:
            return
        raw = connection.connection
        if raw is None or raw.closed:
            return
        # An aborted transaction refuses every statement; its rollback undoes the SET anyway.
        with contextlib.suppress(psycopg.Error):
            raw.execute("RESET statement_timeout")


def is_statement_timeout(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what caused it) is PostgreSQL cancelling a statement."""
    while exc is not None:
        if isinstance(exc, psycopg.errors.QueryCanceled):
            return True
        exc = exc.__cause__
    return False


class StatementTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout_ms = int(getattr(settings, "REQUEST_STATEMENT_TIMEOUT_MS", 0) or 0)
        if timeout_ms <= 0:
            return self.get_response(request)
        timeout = _Timeout(timeout_ms)
        try:
            with connection.execute_wrapper(timeout):
                return self.get_response(request)
        finally:
            timeout.reset()

    def process_exception(self, request, exception):
        if not is_statement_timeout(exception):
            return None
        log.warning("statement timeout on %s %s", request.method, request.path)
        # Without the request: its context processors would query a database that just gave up.
        response = HttpResponse(render_to_string("errors/503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
