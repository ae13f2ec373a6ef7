"""Staff pages for syncing from Action Network, mounted at /sync/ (organizer/urls.py)."""

from __future__ import annotations

from django.urls import path

from api.sync import views

app_name = "sync"
urlpatterns = [
    path("", views.sync_index, name="index"),
    path("<int:pk>/", views.sync_job, name="job"),
    path("<int:pk>/resume/", views.sync_job_resume, name="resume"),
]
