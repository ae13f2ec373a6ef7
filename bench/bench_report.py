"""The report pages on a big chapter: 1,000,000 people, 10,000,000 activities, 1,000,000
ladder moves, 200 hubs (× SCALE).

Data: ``load_people`` (people, ZIP codes and map points in ten NYC-like neighborhoods), 190
more hubs with the memberships spread over all 200, the activity ledger from
``bench_score._load_activities`` (skewed: a few very active people, many quiet ones), ladder
moves drawn by PostgreSQL (``setseed``), one member in ten in good standing, a
``Neighborhood`` per neighborhood with its ZIP code, and an assembly district per ZIP (one ZIP
in two districts) with an election result (the reach-by-district page).

Values: GET each report page as staff (the whole chapter), p50 ms over a few runs. Floor: the
page's core SQL — every statement the page ran, replayed raw through a cursor in the same run
(with the report session settings the page runs under, ``reports.routers.REPORT_SESSION``),
summed — plus a trivial signed-in page through the same middleware (whose session and user
look-ups are left out of the sum). The heaviest statement alone is printed beside it. Target
≤ 1 s and ≤ 1.5× the floor.

Before the pages, the precomputed person facts (``reports_personfact``) are refreshed as the
Celery task does it (``REFRESH MATERIALIZED VIEW CONCURRENTLY``, with a first fill beforehand so
the timed run is a real rewrite). Floor: the view's defining SELECT, run raw. Target: well within
a worker's time limit (``report_refresh_facts`` ≤ 120 s).

``python -m bench.bench_report pages`` times the pages again on the data already loaded (for
trying a change without reloading; the database is BENCH_DATABASE).
"""

from __future__ import annotations

import time

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import include, path

from bench import lib
from bench.lib import Context, report

PEOPLE = 1_000_000
ACTIVITIES = 10_000_000
MOVES = 1_000_000
HUBS = 200
PAGES = ["overview", "depth", "ladder", "organizers", "hubs", "cohorts", "reach", "reach/districts"]


@login_required
def trivial(request):
    return HttpResponse("ok")


def __getattr__(name: str):
    """``urlpatterns`` on first use (this module is the URLconf while the pages are timed):
    the trivial page, then the site's own."""
    if name == "urlpatterns":
        return [path("bench/trivial", trivial), path("", include("organizer.urls"))]
    raise AttributeError(name)


# What the trivial page runs too (the session, the signed-in user): not counted twice.
_STACK_SQL = ('FROM "django_session"', 'FROM "accounts_user" WHERE "accounts_user"."id" =')


def _load(ctx: Context) -> tuple[int, int]:
    from accounts.models import Role
    from bench.bench_score import _load_activities
    from contacts.services.ladder import ladder_ensure_defaults
    from reports.models import Neighborhood

    Neighborhood.objects.all().delete()
    people = ctx.n(PEOPLE)
    data = lib.load_people(ctx, people)
    ladder_ensure_defaults()
    _load_activities(ctx, people, ctx.n(ACTIVITIES))
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [0.17])
        cursor.execute(
            "INSERT INTO hubs_hub (name, slug, kind, description, meeting_time, meeting_place,"
            " majority_threshold, leader_span, created_at) SELECT 'Hub ' || g, 'hub-' || g,"
            " 'neighborhood', '', '', '', 50, 10, now() FROM generate_series(%s, %s) g",
            [len(data.hub_ids) + 1, HUBS],
        )
        cursor.execute(
            "UPDATE contacts_hubmember SET hub_id = h.id FROM (SELECT id, row_number() OVER"
            " (ORDER BY id) AS n FROM hubs_hub) h WHERE h.n = 1 + contacts_hubmember.id %% %s",
            [HUBS],
        )
        cursor.execute(
            "UPDATE contacts_contact SET membership_status = 'good_standing', member_since ="
            " (now() - random() * interval '1500 days')::date WHERE random() < 0.1"
        )
        cursor.execute(
            "INSERT INTO contacts_laddermove (contact_id, from_stage_id, to_stage_id, at, reason,"
            " manual) SELECT 1 + floor(%s * power(random(), 2))::bigint, NULL,"
            " (SELECT id FROM contacts_ladderstage ORDER BY position"
            "  OFFSET floor(random() * 6)::int LIMIT 1),"
            " now() - random() * interval '730 days', 'bench', false"
            " FROM generate_series(1, %s) g",
            [people, ctx.n(MOVES)],
        )
    for name, (_lat, _lng, zip_code) in lib.NEIGHBORHOODS.items():
        Neighborhood.objects.create(name=name, residents=150_000, zip_codes=[zip_code])
    _districts()
    lib.analyze()
    staff = lib.make_user("staff@bench.example", Role.STAFF)
    return people, staff.pk


def _districts() -> None:
    """An assembly district per neighborhood ZIP (the first ZIP also in the second district:
    a ZIP crossing a line), and a result with votes in each (for the reach-by-district page).
    Idempotent, so ``pages`` adds them to data loaded before they existed."""
    from campaigns.models import District, DistrictZip
    from reports.models import DistrictReach

    for i, (_lat, _lng, zip_code) in enumerate(lib.NEIGHBORHOODS.values(), start=1):
        district, _created = District.objects.get_or_create(kind="assembly", name=str(30 + i))
        DistrictZip.objects.get_or_create(zip_code=zip_code, district=district)
        if i == 2:
            first = next(iter(lib.NEIGHBORHOODS.values()))[2]
            DistrictZip.objects.get_or_create(zip_code=first, district=district)
        DistrictReach.objects.update_or_create(
            source="bench 2025", district=district, defaults={"supporters": 20_000 + 1_000 * i}
        )


def _page(client: Client, url: str) -> tuple[float, list[str]]:
    """One GET: milliseconds, and the SQL of its statements, slowest first."""
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.get(url)
        ms = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (url, response.status_code)
    ordered = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))
    print(f"# GET {url}: {ms:.0f} ms, {len(queries)} queries", flush=True)
    return ms, [q["sql"] for q in ordered]


def _raw(sql: str) -> float:
    from reports.routers import REPORT_SESSION

    if sql.startswith("DECLARE"):  # a server-side cursor (an iterator): its query
        sql = sql.split(" FOR ", 1)[1]
    elif sql.startswith(("CLOSE", "FETCH")):
        return 0.0

    with connection.cursor() as cursor:
        for setting in REPORT_SESSION:
            cursor.execute(setting)
        start = time.perf_counter()
        cursor.execute(sql)
        if cursor.description is not None:
            cursor.fetchall()
        ms = (time.perf_counter() - start) * 1000
        cursor.execute("RESET ALL")
        return ms


def run(ctx: Context) -> None:
    from django.contrib.auth import get_user_model

    lib.clear_data()
    started = time.monotonic()
    people, staff_id = _load(ctx)
    print(f"# {people} people loaded in {time.monotonic() - started:.0f}s", flush=True)
    _refresh()
    client = Client()
    client.force_login(get_user_model().objects.get(pk=staff_id))
    repeat = 3
    # The bench measures reports, not sign-in.
    with override_settings(REQUIRE_2FA=False, ROOT_URLCONF="bench.bench_report"):
        _pages(client, repeat)


def _refresh() -> None:
    from reports.services import person_facts_refresh

    person_facts_refresh()  # the first fill; the timed one below rewrites a full view
    with connection.cursor() as cursor:  # as autovacuum leaves them: visibility maps set
        for table in ("contacts_contact", "contacts_activity", "contacts_laddermove"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    lib.analyze()
    done = person_facts_refresh()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_viewdef('reports_personfact'::regclass)")
        definition = cursor.fetchone()[0].rstrip().rstrip(";")
    floor = _raw(f"SELECT count(neighborhood_id), count(first_active_at) FROM ({definition}) v")
    floor /= 1000
    print(f"# person facts: {done.rows} rows", flush=True)
    report(
        "report_refresh_facts",
        done.seconds,
        "s",
        floor=floor,
        target="<=120s",
        max_value=120,
    )


def _pages(client: Client, repeat: int) -> None:
    stack = []
    for _ in range(10):
        start = time.perf_counter()
        assert client.get("/bench/trivial").status_code == 200
        stack.append((time.perf_counter() - start) * 1000)
    stack_ms = sorted(stack)[len(stack) // 2]
    print(f"# a trivial signed-in page: {stack_ms:.1f} ms", flush=True)
    for page in PAGES:
        url = "/reports/" if page == "overview" else f"/reports/{page}/"
        _page(client, url)  # warm up
        runs = [_page(client, url) for _ in range(repeat)]
        ms = sorted(r[0] for r in runs)[repeat // 2]
        statements = runs[0][1]
        heaviest = sorted(_raw(statements[0]) for _ in range(repeat))[repeat // 2]
        core = [q for q in statements if not any(part in q for part in _STACK_SQL)]
        sql = sorted(sum(_raw(q) for q in core) for _ in range(repeat))[repeat // 2]
        floor = sql + stack_ms
        print(f"# {page}: core SQL {sql:.1f} ms, heaviest statement {heaviest:.1f} ms", flush=True)
        report(
            f"report_{page.replace('/', '_')}_p50",
            ms,
            "ms",
            floor=floor,
            target="<=1000ms,<=1.5x",
            max_value=1000,
            max_ratio=1.5,
        )


if __name__ == "__main__":  # python -m bench.bench_report pages: the pages on the loaded data
    import os
    import sys

    from django.contrib.auth import get_user_model

    server = os.environ["DATABASE_URL"]
    os.environ["DATABASE_URL"] = lib.bench_database_url(server)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "organizer.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment(debug=False)  # as bench.lib.setup: no debug cursor, no query log
    call_command("migrate", verbosity=0, interactive=False)
    _districts()
    if "refresh" in sys.argv:
        _refresh()
    client = Client()
    client.force_login(get_user_model().objects.get(email="staff@bench.example"))
    with override_settings(REQUIRE_2FA=False, ROOT_URLCONF="bench.bench_report"):
        _pages(client, 3)
