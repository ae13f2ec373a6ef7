"""Mounted at /api/ (organizer/urls.py)."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("v2/", include("api.osdi.urls")),
    path("v1/", include("api.native.urls")),
    # The first read-only people API (session auth), kept for existing scripts.
    path("", include("contacts.api_urls")),
]
