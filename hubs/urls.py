from __future__ import annotations

from django.urls import path

from hubs.views import hubs

app_name = "hubs"

urlpatterns = [
    # --- hubs: list, hub page, members, captains (views/hubs.py) ---
    path("", hubs.index, name="index"),
    path("<slug:slug>/", hubs.detail, name="detail"),
    # --- turf: doors, cutting, pieces, assignment, progress (views/turf.py) ---
    # --- walk lists: results at the door, printable lists, paper entry (views/walk.py) ---
    # --- workplace map, organizing chart, structure tests (views/workplace.py) ---
]
