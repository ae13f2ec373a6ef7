from __future__ import annotations

from django.urls import path

from contacts import views

app_name = "contacts"

urlpatterns = [
    path("", views.people, name="list"),
    path("my-day/", views.my_day, name="my_day"),
    path("<int:pk>/", views.detail, name="detail"),
]
