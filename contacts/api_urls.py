from __future__ import annotations

from django.urls import path

from contacts import api

app_name = "contacts_api"

urlpatterns = [
    path("people/", api.PersonList.as_view(), name="people"),
    path("people/<int:pk>/", api.PersonDetail.as_view(), name="person"),
]
