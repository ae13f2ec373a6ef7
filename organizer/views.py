"""Project-wide pages: the 403/404/500 handlers."""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from organizer.middleware import database_unavailable, is_database_down


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # The same page whether the address never existed or belongs to someone else's hub:
    # outsiders learn nothing from it.
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request, so no context processor (user, session: the database)
    # runs. The error being handled may be the database itself: then a clear 503.
    if is_database_down(sys.exc_info()[1]):
        return database_unavailable()
    return HttpResponseServerError(loader.get_template("errors/500.html").render())
