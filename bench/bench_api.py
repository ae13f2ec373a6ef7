"""Listing people page by page through the APIs, against a plain JSON view of the same rows.

Data: ``load_people`` (1,000,000 × SCALE people with their phones and emails), ANALYZE, loaded
once for this benchmark and ``bench_api_native`` when they run together (``load_people_once``:
both only read them). A staff
user with a confirmed second factor and an API token reads pages through Django's test client
(all middleware, token authentication, the rate limit in Redis, the HAL rendering).

- ``api_<name>_records_per_s``: records per second reading pages of ``PER_PAGE`` spread over
  the whole list (first, deep and last pages: page numbers are an OFFSET, so depth matters),
  against the floor: a trivial Django view running one raw SELECT of the same page (the
  person, their primary email and phone) and returning it as JSON, timed in the same run over
  the same pages, alternating which goes first. Target: at least 0.5× the floor.
- ``api_<name>_queries_*``: SQL statements of one request at page 1 and at the last page, with
  per_page 25 and 100. Target: all equal (the count does not grow with page size or number).

The URL patterns are a list (``LIST_URLS``; ``{page}`` and ``{per_page}`` are filled in), so the
native list can be added beside the OSDI one; ``BENCH_API_URLS="name=/path?...{page}..."``
(comma-separated) replaces it from the environment.
"""

from __future__ import annotations

import os
import time

from django.db import connection
from django.http import JsonResponse
from django.test.utils import CaptureQueriesContext
from django.urls import include, path

from bench import lib
from bench.lib import Context

TARGET_RATIO = 0.5
PER_PAGE = 100
LIST_URLS = {"v2_people": "/api/v2/people?page={page}&per_page={per_page}"}

# The page's ids first (PostgreSQL would evaluate the select list's subqueries for every row
# an OFFSET skips), then the page's rows: the cheapest way to the same page.
FLOOR_SQL = """
SELECT c.id, c.first_name, c.last_name, c.created_at, c.updated_at,
       (SELECT e.address FROM contacts_email e WHERE e.contact_id = c.id AND e.is_primary),
       (SELECT p.e164 FROM contacts_phone p WHERE p.contact_id = c.id AND p.is_primary)
FROM (SELECT id FROM contacts_contact ORDER BY id LIMIT %s OFFSET %s) AS page
JOIN contacts_contact c ON c.id = page.id
ORDER BY c.id
"""


def floor_view(request):
    """The least a JSON list of a page could do: one SELECT, rows to dicts, JSON."""
    per_page = int(request.GET.get("per_page", PER_PAGE))
    page = int(request.GET.get("page", 1))
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, [per_page, (page - 1) * per_page])
        rows = cursor.fetchall()
    keys = ("id", "first_name", "last_name", "created_at", "updated_at", "email", "phone")
    return JsonResponse({"people": [dict(zip(keys, row, strict=True)) for row in rows]})


# This module is the URLconf while it runs: the project's URLs plus the floor view.
urlpatterns = [
    path("bench/floor/people", floor_view),
    path("", include("organizer.urls")),
]


def _urls() -> dict[str, str]:
    raw = os.environ.get("BENCH_API_URLS", "").strip()
    if not raw:
        return LIST_URLS
    pairs = (item.split("=", 1) for item in raw.split(",") if "=" in item)
    return {name.strip(): pattern.strip() for name, pattern in pairs}


def _pages(total_pages: int, count: int) -> list[int]:
    """``count`` page numbers spread from the first to the last."""
    if total_pages <= count:
        return list(range(1, total_pages + 1))
    step = (total_pages - 1) / (count - 1)
    return sorted({1 + round(i * step) for i in range(count)})


def _records(response, key: str | None) -> int:
    assert response.status_code == 200, (response.status_code, response.content[:300])
    body = response.json()
    if key == "floor":
        return len(body["people"])
    embedded = body.get("_embedded")
    if embedded is not None:
        return len(next(iter(embedded.values())))
    return len(body.get("results", body.get("data", [])))


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def run(ctx: Context) -> None:
    from django.test import Client, override_settings
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import Role
    from api.services.tokens import token_create

    count = ctx.n(1_000_000, minimum=2000)
    started = time.monotonic()
    loaded = lib.load_people_once(ctx, count)  # shared with bench_api_native
    took = f"loaded in {time.monotonic() - started:.0f}s" if loaded else "kept from before"
    print(f"# {count} people, {took}", flush=True)
    staff = lib.make_user("staff@bench.example", Role.STAFF)
    TOTPDevice.objects.create(user=staff, name="bench", confirmed=True)
    _token, key = token_create(user=staff, name="bench")
    client = Client(headers={"OSDI-API-Token": key})
    floor = Client()
    total_pages = -(-count // PER_PAGE)
    pages = _pages(total_pages, ctx.repeat(400, minimum=20))

    with override_settings(ROOT_URLCONF=__name__, RATELIMIT_API_PER_USER=10**9):
        for name, pattern in _urls().items():
            for url in (pattern.format(page=1, per_page=PER_PAGE), "/bench/floor/people"):
                client.get(url) if url.startswith("/api") else floor.get(url)  # warm up
            app_s = floor_s = 0.0
            app_n = floor_n = 0
            for i, page in enumerate(pages):
                calls = [
                    ("app", client, pattern.format(page=page, per_page=PER_PAGE), None),
                    (
                        "floor",
                        floor,
                        f"/bench/floor/people?page={page}&per_page={PER_PAGE}",
                        "floor",
                    ),
                ]
                for which, c, url, kind in calls if i % 2 else reversed(calls):
                    start = time.perf_counter()
                    n = _records(c.get(url), kind)
                    elapsed = time.perf_counter() - start
                    if which == "app":
                        app_s, app_n = app_s + elapsed, app_n + n
                    else:
                        floor_s, floor_n = floor_s + elapsed, floor_n + n
            assert app_n == floor_n, (app_n, floor_n)
            rate, floor_rate = app_n / app_s, floor_n / floor_s
            ok = rate >= TARGET_RATIO * floor_rate
            print(
                lib.bench_line(
                    f"api_{name}_records_per_s",
                    rate,
                    "rec/s",
                    floor=floor_rate,
                    target=f"ratio>={TARGET_RATIO:g}",
                    ok=ok,
                ),
                flush=True,
            )
            counts = {}
            for per_page in (25, 100):
                last = -(-count // per_page)
                for label, page in (("page1", 1), ("last", last)):
                    url = pattern.format(page=page, per_page=per_page)
                    counts[f"{label}_pp{per_page}"] = _queries(client, url)
            equal = len(set(counts.values())) == 1
            for label, n in counts.items():
                print(
                    lib.bench_line(
                        f"api_{name}_queries_{label}",
                        n,
                        "queries",
                        floor=1,
                        target="all_equal",
                        ok=equal,
                    ),
                    flush=True,
                )
