"""/healthz through Django's test client (all middleware), against a trivial view's floor.

/healthz runs ``SELECT 1`` on PostgreSQL and pings Redis on a fresh connection; the floor is a
view returning "ok" through the same middleware, so the ratio is the cost of the two checks.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import include, path

from bench.lib import Context, report_latency, time_calls


def trivial(request):
    return HttpResponse("ok")


urlpatterns = [
    path("bench/trivial", trivial),
    path("", include("organizer.urls")),
]


def run(ctx: Context) -> None:
    repeat = ctx.repeat(2000)
    with override_settings(ROOT_URLCONF=__name__):
        client = Client()

        def health() -> None:
            assert client.get("/healthz").status_code == 200

        def floor() -> None:
            assert client.get("/bench/trivial").status_code == 200

        floor_timing = time_calls(floor, repeat=repeat)
        health_timing = time_calls(health, repeat=repeat)
    report_latency("healthz", health_timing, floor_timing, p95_ms=50)
