"""Staff pages for outgoing webhooks, mounted at /webhooks/ (organizer/urls.py)."""

from __future__ import annotations

from django.urls import path

from api.webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("", views.webhook_list, name="list"),
    path("new/", views.webhook_new, name="new"),
    path("<int:pk>/", views.webhook_detail, name="detail"),
    path("<int:pk>/test/", views.webhook_test, name="test"),
    path("<int:pk>/secret/", views.webhook_secret, name="secret"),
    path("<int:pk>/delete/", views.webhook_delete, name="delete"),
    path("<int:pk>/deliveries/<int:delivery_pk>/", views.delivery_detail, name="delivery"),
]
