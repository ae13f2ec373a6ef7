"""Project-wide middleware.

- ``SecurityHeadersMiddleware``: the security headers every response carries.
- ``RejectNulMiddleware``: input PostgreSQL cannot store is refused with a 400.
- ``DatabaseUnavailableMiddleware``: a database that is restarting or down answers 503 with a
  clear page, never a 500.

PostgreSQL restarts (an upgrade, a failover, a crash) close every connection; Django's
``conn_health_checks`` reconnects on the next request, so the outage is as long as the restart
itself. A request that hits it gets "back in a minute" with ``Retry-After``: it was rolled back,
so trying again is safe (one-on-ones also carry a client token that makes a resend a no-op).
Errors raised in middleware (sessions, sign-in) reach ``organizer.views.server_error``, which
answers the same way.
"""

from __future__ import annotations

from django import db
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader

RETRY_AFTER_SECONDS = 30


def is_database_down(exc: BaseException | None) -> bool:
    return isinstance(exc, db.OperationalError | db.InterfaceError)


def database_unavailable() -> HttpResponse:
    # Rendered without the request: no context processor may touch the database.
    response = HttpResponse(loader.get_template("errors/503.html").render(), status=503)
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
        if _has_nul(request):
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
