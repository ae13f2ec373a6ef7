"""Project-wide middleware: input PostgreSQL cannot store is refused, and the security headers
every response carries."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render


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
