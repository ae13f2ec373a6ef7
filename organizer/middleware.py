"""Project-wide middleware.

- ``SecurityHeadersMiddleware``: the security headers every response carries.
- ``RejectNulMiddleware``: input PostgreSQL cannot store is refused with a 400.
- ``StatementTimeoutMiddleware``: no web request holds PostgreSQL longer than a few seconds.
- ``DatabaseUnavailableMiddleware``: a database that is restarting or down answers 503 with a
  clear page, never a 500.

PostgreSQL restarts (an upgrade, a failover, a crash) close every connection; Django's
``conn_health_checks`` reconnects on the next request, so the outage is as long as the restart
itself. A request that hits it gets "back in a minute" with ``Retry-After``: it was rolled back,
so trying again is safe (one-on-ones also carry a client token that makes a resend a no-op).
Errors raised in middleware (sessions, sign-in) reach ``organizer.views.server_error``, which
answers the same way.

``StatementTimeoutMiddleware`` — A statement timeout for every web request.

A request must never hold PostgreSQL for long: a pathological search or a bad plan would tie up a
connection and a worker while the person waits for nothing. ``StatementTimeoutMiddleware`` sets
``statement_timeout`` (``REQUEST_STATEMENT_TIMEOUT_MS``, 0 = off) for each of the request's
transactions, in the message of its first statement (``SET LOCAL``: no round trip of its own,
and nothing left on the connection after the request; see ``organizer.lib.session_settings``),
so Celery workers and management commands (imports, rescoring: long statements on purpose)
never run with it. A request that never queries the database never connects to set it. A
statement the timeout cancels answers a clear 503 page instead of a 500.

A streamed response (the CSV export) runs its queries after the view returns, so without the
timeout: it is long on purpose, and each of its statements is a plain indexed read.
"""

from __future__ import annotations

import logging

import psycopg
from django import db
from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.template.loader import render_to_string

from organizer.lib.session_settings import LocalSettings

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


def is_database_down(exc: BaseException | None) -> bool:
    """The database is unreachable or restarting (a statement cancelled by the request's
    timeout is not: ``StatementTimeoutMiddleware`` answers that one)."""
    return isinstance(exc, db.OperationalError | db.InterfaceError) and not is_statement_timeout(
        exc
    )


def database_unavailable() -> HttpResponse:
    # Rendered without the request: no context processor may touch the database.
    response = HttpResponse(render_to_string("errors/503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_down(exception):
            return database_unavailable()
        return None


def _has_nul(request) -> bool:
    if "\x00" in request.path_info:
        return True
    sources = [request.GET, *([request.POST] if request.method == "POST" else [])]
    for data in sources:
        for key, values in data.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return True
    return False


class RejectNulMiddleware:
    """A NUL byte in the path, the query string or a form field is answered 400 with a message.

    PostgreSQL text cannot hold NUL (it raises, which was a 500 in searches, merges and paper
    results). No honest form sends one, so the request is refused whole rather than cleaned
    silently. Uploaded files are not looked at: their readers report bad bytes themselves.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            nul = _has_nul(request)
        except MultiPartParserError:  # a broken multipart body was a 500 before any view ran
            from django.utils.translation import gettext as _

            return bad_request(request, _("The form could not be read. Send it again."))
        if nul:
            return bad_request(request)
        return self.get_response(request)


def bad_request(request, message: str = "") -> HttpResponse:
    from django.utils.translation import gettext as _

    nul = _("The request held a character that is not allowed (a NUL byte). Remove it and retry.")
    context = {"message": message or nul}
    return render(request, "errors/400.html", context, status=400)


class SecurityHeadersMiddleware:
    """A Content-Security-Policy and a Permissions-Policy on every response, and
    ``Cache-Control: no-store`` on every page, API answer and export (they carry people's data
    or a signed-in session). Static files never get here (whitenoise answers them first) and
    ``/healthz`` keeps its own caching. ``Referrer-Policy`` comes from Django's
    ``SECURE_REFERRER_POLICY``.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = settings.CONTENT_SECURITY_POLICY
        self.permissions = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.csp:
            response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", self.permissions)
        if not request.path.startswith(_CACHEABLE):
            response["Cache-Control"] = "no-store, private"
            response.headers.pop("Expires", None)
        return response


# Public and free of personal data: may be cached (static files never reach Django here).
_CACHEABLE = ("/healthz", "/static/")


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
        timeout = LocalSettings(
            {"statement_timeout": str(int(timeout_ms))}, outer=connection.in_atomic_block
        )
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
        response = HttpResponse(render_to_string("errors/503.html", {"timeout": True}), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
