from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from organizer import health
from reports import views as reports_views

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("people/", include("contacts.urls")),
    path("api/", include("contacts.api_urls")),
    path("hubs/", include("hubs.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("", include("campaigns.public_urls")),  # public event and hub pages (/e/…, /h/…)
    path("reports/", reports_views.index, name="reports"),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(pattern_name="contacts:my_day", permanent=False), name="home"),
]

handler403 = "organizer.views.permission_denied"
handler404 = "organizer.views.page_not_found"
handler500 = "organizer.views.server_error"
