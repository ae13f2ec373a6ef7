"""Security headers and caching (issue #9, finding 6): a CSP without inline scripts, a
Permissions-Policy and a Referrer-Policy everywhere; pages, API answers and exports with
people's data are never stored by a browser or proxy; /healthz stays cacheable; no template
carries an inline script or an on…= handler."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, RequestFactory

from organizer.middleware import SecurityHeadersMiddleware

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_every_page_has_a_csp_permissions_and_referrer_policy(cast, client_for):
    for response in (
        Client().get("/accounts/login/"),
        client_for(cast.organizer_a).get("/people/my-day/"),
        client_for(cast.organizer_a).get("/api/people/"),
    ):
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-eval" not in csp
        assert "script-src 'self' 'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert "camera=()" in response["Permissions-Policy"]
        assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "url",
    ["/people/my-day/", "/people/", "/people/{a}/", "/api/people/", "/api/people/{a}/",
     "/people/export.csv", "/hubs/hub-a/"],
)  # fmt: skip
def test_pages_api_and_exports_with_personal_data_are_no_store(cast, client_for, url):
    who = cast.staff if "export" in url else cast.organizer_a
    response = client_for(who).get(url.format(a=cast.person_a.pk))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_the_sign_in_page_is_no_store_and_static_files_and_healthz_keep_their_own(db):
    assert "no-store" in Client().get("/accounts/login/")["Cache-Control"]
    # Static files (served by whitenoise before Django in production) keep their caching.
    middleware = SecurityHeadersMiddleware(
        lambda request: HttpResponse(headers={"Cache-Control": "public, max-age=3600"})
    )
    static = middleware(RequestFactory().get("/static/css/app.css"))
    assert static["Cache-Control"] == "public, max-age=3600"
    # /healthz decides its own caching (the middleware leaves it alone).
    assert Client().get("/healthz").get("Cache-Control") != "no-store, private"


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        if "emails" in path.parts:
            continue
        text = path.read_text()
        for match in re.finditer(r"<script\b([^>]*)>", text):
            attrs = match.group(1)
            if "src=" not in attrs and "application/json" not in attrs:
                offenders.append(f"{path.name}: inline <script>")
        if re.search(r"\son[a-z]+\s*=", text):
            offenders.append(f"{path.name}: on…= handler")
    assert offenders == []


def test_htmx_runs_without_eval_or_injected_styles(db):
    html = Client().get("/accounts/login/").content.decode()
    assert '"allowEval": false' in html and '"includeIndicatorStyles": false' in html
