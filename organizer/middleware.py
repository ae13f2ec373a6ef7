"""A database that is restarting or down answers 503 with a clear page, never a 500.

PostgreSQL restarts (an upgrade, a failover, a crash) close every connection; Django's
``conn_health_checks`` reconnects on the next request, so the outage is as long as the restart
itself. A request that hits it gets "back in a minute" with ``Retry-After``: it was rolled back,
so trying again is safe (one-on-ones also carry a client token that makes a resend a no-op).
Errors raised in middleware (sessions, sign-in) reach ``organizer.views.server_error``, which
answers the same way.
"""

from __future__ import annotations

from django import db
from django.http import HttpResponse
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
