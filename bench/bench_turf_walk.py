"""The walk list of a 300-door piece, through Django's test client, as its volunteer.

Data: 6,000 people (``load_people``) living in 12,000 doors (2,400 buildings of 5 units, a
chapter's worth of turf), one hub whose turf holds a 300-door piece and a 30-door piece, each
door with its residents (about 1 in 2 doors has one or two people) and a result history on a
third of the doors (two or three results each, as after a few passes).

Values: GET the walk list of the 300-door piece — p50/p95 ms — and the SQL query count for the
30-door and the 300-door piece (``CaptureQueriesContext``): it must not grow with doors.
Floor: a view that only requires a signed-in user, through the same middleware.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse

from bench import lib
from bench.lib import Context, report, report_latency, time_calls

PEOPLE = 6_000
UNITS_PER_BUILDING = 5


@login_required
def trivial(request):
    return HttpResponse("ok")


urlpatterns = [
    path("bench/trivial", trivial),
    path("", include("organizer.urls")),
]


def _count_queries(client: Client, url: str, doors: int) -> int:
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    total = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (url, response.status_code)
    shown = response.content.decode().count('<li id="door-')
    assert shown == doors, f"{url} shows {shown} doors, expected {doors}"
    sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
    print(f"# GET {url} ({doors} doors): {total:.0f} ms, {len(queries)} queries taking "
          f"{sql_ms:.0f} ms", flush=True)  # fmt: skip
    return len(queries)


def _load_doors(ctx: Context, buildings: int) -> list[int]:
    """COPY ``buildings`` buildings of 5 units each along a few streets; return unit ids in
    walking order."""
    from hubs.models import Building, Unit, house_number_value, street_key

    rng = ctx.rng("doors")
    streets = ["Steinway St", "31st Ave", "Broadway", "Ditmars Blvd", "36th St", "Crescent St"]
    now = datetime.now(tz=UTC)
    rows, units = [], []
    for pk in range(1, buildings + 1):
        street = streets[pk % len(streets)]
        number = str(10 + pk)
        lat, lon = 40.7644 + rng.gauss(0, 0.004), -73.9235 + rng.gauss(0, 0.005)
        rows.append(
            {"id": pk, "street_number": number, "street": street, "city": "Queens",
             "state": "NY", "zip_code": "11103", "latitude": lat, "longitude": lon,
             "location": f"({lon!r},{lat!r})", "street_key": street_key(street),
             "number_value": house_number_value(number), "created_at": now}
        )  # fmt: skip
        for k in range(UNITS_PER_BUILDING):
            units.append({"id": len(units) + 1, "building": pk, "label": f"{k + 1}F"})
    lib.copy_rows(Building, rows)
    lib.copy_rows(Unit, units)
    lib._reset_sequence(Building)
    lib._reset_sequence(Unit)
    return [u["id"] for u in units]


def run(ctx: Context) -> None:
    from accounts.models import Role
    from hubs.models import DoorResult, Residence, Turf, TurfDoor, TurfPiece

    lib.clear_data()
    started = time.monotonic()
    data = lib.load_people(ctx, ctx.n(PEOPLE, 400))
    # At least enough doors for the two pieces (330) at any SCALE.
    unit_ids = _load_doors(
        ctx, ctx.n(PEOPLE * 2 // UNITS_PER_BUILDING, 400 // UNITS_PER_BUILDING + 1)
    )
    hub_id = data.hub_ids["Astoria"]
    volunteer = lib.make_user("volunteer@bench.example", Role.VOLUNTEER, hub_ids=[hub_id])
    rng = ctx.rng("residents")
    residences = []
    for contact_id in data.contact_ids:
        residences.append(Residence(contact_id=contact_id, unit_id=rng.choice(unit_ids)))
    Residence.objects.bulk_create(residences, ignore_conflicts=True, batch_size=5000)

    turf = Turf.objects.create(hub_id=hub_id, name="Astoria north")
    pieces = {}
    start = rng.randrange(0, len(unit_ids) - 330 + 1)
    for number, size, offset in ((1, 300, 0), (2, 30, 300)):
        piece = TurfPiece.objects.create(turf=turf, number=number, assigned_to=volunteer)
        TurfDoor.objects.bulk_create(
            TurfDoor(turf=turf, unit_id=unit_ids[start + offset + i], piece=piece, position=i)
            for i in range(size)
        )
        pieces[size] = piece
    results, now = [], datetime.now(tz=UTC)
    kinds = [k for k, _ in DoorResult.Result.choices]
    for door in TurfDoor.objects.filter(turf=turf):
        if rng.random() < 1 / 3:
            for _ in range(rng.randint(2, 3)):
                at = now - timedelta(minutes=rng.randint(5, 20000))
                results.append(
                    DoorResult(unit_id=door.unit_id, door=door, piece=door.piece,
                               result=rng.choice(kinds), by=volunteer, at=at)
                )  # fmt: skip
    DoorResult.objects.bulk_create(results)
    lib.analyze()
    print(f"# {len(unit_ids)} doors, {len(residences)} residents, {len(results)} door results; "
          f"prepared in {time.monotonic() - started:.0f}s", flush=True)  # fmt: skip

    repeat = ctx.repeat(200)
    with override_settings(ROOT_URLCONF=__name__):
        client = Client()
        client.force_login(volunteer)
        floor_queries = _count_queries_floor(client)
        urls = {size: reverse("hubs:walk_list", args=[p.pk]) for size, p in pieces.items()}
        counts = {size: _count_queries(client, urls[size], size) for size in (30, 300)}

        def floor() -> None:
            assert client.get("/bench/trivial").status_code == 200

        def walk() -> None:
            assert client.get(urls[300]).status_code == 200

        floor_timing = time_calls(floor, repeat=repeat)
        walk_timing = time_calls(walk, repeat=repeat)

    report_latency("turf_walk_list_300_ms", walk_timing, floor_timing)
    report("turf_walk_list_queries_30", counts[30], "queries", floor=floor_queries, target="info")
    report(
        "turf_walk_list_queries_300", counts[300], "queries", floor=counts[30],
        target="<=queries_with_30_doors", max_ratio=1,
    )  # fmt: skip


def _count_queries_floor(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/bench/trivial").status_code == 200
    return len(queries)
