"""Public pages (no account): included at the site root by organizer/urls.py."""

from __future__ import annotations

from django.urls import path

from campaigns.views import petitions, pressure, public

urlpatterns = [
    path("e/<int:pk>/", public.event_page, name="public_event"),
    path("e/<int:pk>/event.ics", public.event_ics, name="public_event_ics"),
    path("p/<int:pk>/", petitions.public_page, name="public_petition"),
    path("p/<int:pk>/count/", petitions.public_count, name="public_petition_count"),
    path("h/<slug:slug>/", public.hub_page, name="public_hub"),
    path("call/<slug:slug>/", pressure.public_call, name="public_call"),
]
