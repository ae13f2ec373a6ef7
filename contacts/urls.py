from __future__ import annotations

from django.urls import path

from contacts.views import conversations, imports, people

app_name = "contacts"

urlpatterns = [
    # --- people: list, search, person page, edit, merge, export (views/people.py) ---
    path("", people.people, name="list"),
    path("<int:pk>/", people.detail, name="detail"),
    # --- conversations: log a one-on-one, interactions, follow-ups, My day (views/conversations.py)
    path("my-day/", conversations.my_day, name="my_day"),
    # --- imports (views/imports.py) ---
]
