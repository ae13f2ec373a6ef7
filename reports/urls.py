from __future__ import annotations

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("depth/", views.depth, name="depth"),
    path("ladder/", views.ladder, name="ladder"),
    path("organizers/", views.organizers, name="organizers"),
    path("hubs/", views.hubs, name="hubs"),
    path("cohorts/", views.cohorts, name="cohorts"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("workplaces/", views.workplaces, name="workplaces"),
    path("reach/", views.reach, name="reach"),
    path("reach/import/", views.reach_import, name="reach_import"),
    path("reach/districts/", views.reach_districts, name="reach_districts"),
    path("reach/districts/import/", views.reach_districts_import, name="reach_districts_import"),
    path("people/", views.people, name="people"),
    path("refresh/", views.refresh, name="refresh"),
    path("neighborhoods/", views.neighborhoods, name="neighborhoods"),
]
