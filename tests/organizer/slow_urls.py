"""The site's URLs plus one deliberately slow page (for the statement-timeout tests)."""

from __future__ import annotations

from django.db import connection, transaction
from django.http import HttpResponse
from django.urls import path

from organizer.urls import urlpatterns as site_urlpatterns


def slow(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(30)")
    return HttpResponse("finished")


def rolled_back_then_slow(request):
    """Its first statement runs in a transaction that rolls back (undoing a SET made there)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            raise ValueError
    except ValueError:
        pass
    return slow(request)


def timeout_shown(request):
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return HttpResponse(cursor.fetchone()[0])


def timeout_in_transaction(request):
    """The timeout as the second statement of a transaction sees it."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.execute("SHOW statement_timeout")
        return HttpResponse(cursor.fetchone()[0])


urlpatterns = [
    path("test-timeout-in-transaction/", timeout_in_transaction),
    path("test-slow/", slow),
    path("test-rolled-back-then-slow/", rolled_back_then_slow),
    path("test-timeout/", timeout_shown),
    *site_urlpatterns,
]
