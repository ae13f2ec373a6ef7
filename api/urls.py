"""Mounted at /api/ (organizer/urls.py)."""

from __future__ import annotations

from django.urls import include, path

from api import views

urlpatterns = [
    path("v2/", include("api.osdi.urls")),
    path("v1/", include("api.native.urls")),
    # API tokens: each user's own (staff: everyone's).
    path("tokens/", views.tokens, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke_view, name="api_token_revoke"),
    # The first read-only people API (session auth), kept for existing scripts.
    path("", include("contacts.api_urls")),
]
