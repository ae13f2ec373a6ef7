from __future__ import annotations

from django.urls import path

from hubs import views

app_name = "hubs"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.detail, name="detail"),
]
