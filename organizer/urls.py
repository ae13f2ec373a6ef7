from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from hubs.views.invites import invite
from organizer import health
from reports import views as reports_views

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Inviting places people in hubs, so the page is hubs' (accounts knows nothing of hubs).
    path("accounts/invite/", invite, name="invite"),
    path("accounts/", include("accounts.urls")),
    path("people/", include("contacts.urls")),
    path("api/", include("api.urls")),
    path("webhooks/", include("api.webhooks.urls")),  # staff pages for outgoing webhooks
    path("sync/", include("api.sync.urls")),  # staff pages: sync from Action Network
    path("hubs/", include("hubs.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("", include("campaigns.public_urls")),  # public event and hub pages (/e/…, /h/…)
    path("reports/", reports_views.index, name="reports"),
    path("reports/", include("reports.urls")),
    # The admin signs in through our sign-in page (rate limits, lockout, second factor).
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="accounts:login", query_string=True, permanent=False),
    ),
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(pattern_name="contacts:my_day", permanent=False), name="home"),
]

handler403 = "organizer.views.permission_denied"
handler404 = "organizer.views.page_not_found"
handler500 = "organizer.views.server_error"
