"""The OpenAPI schema and its docs page.

Only the versioned APIs are described: the native ``/api/v1/`` and the Action Network–compatible
``/api/v2/`` (OSDI; its shapes are in api/osdi/schema.py), in one document and one docs page,
the OSDI operations under tags named "OSDI: …". The docs page is Swagger UI served from our own
static files (drf-spectacular-sidecar), started by ``static/api/docs.js``: our CSP allows no
inline script and nothing from a CDN, so drf-spectacular's own template (an inline
``<script>``) is not used.
"""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny

DESCRIBED = ("/api/v1/", "/api/v2/")


def only_versioned_api(endpoints):
    """drf-spectacular preprocessing hook: leave out /api/people/ and anything unversioned,
    and the trailing-slash twin of each /api/v2/ path (both answer; parsons sends none)."""
    return [
        e
        for e in endpoints
        if e[0].startswith(DESCRIBED)
        and not (e[0].startswith("/api/v2/") and e[0] != "/api/v2/" and e[0].endswith("/"))
    ]


class SchemaView(SpectacularAPIView):
    """The schema, for anyone (it names no data): scripts and the schemathesis suite read it."""

    permission_classes = [AllowAny]


def docs(request):
    """Swagger UI over the schema; the "Try it out" buttons use the signed-in session."""
    return render(request, "api/docs.html", {"schema_url": reverse("native:schema")})


class TokenScheme(OpenApiAuthenticationExtension):
    """The API token (``api.auth``) in the schema, so the docs page's **Authorize** takes one."""

    target_class = "api.auth.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>` (make one at /api/tokens/). `OSDI-API-Token: <key>` "
            "and `Bearer <key>` work too.",
        }
