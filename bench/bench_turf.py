"""Cutting turf over 1,000,000 × SCALE doors: the service's count and ``INSERT … SELECT`` of
TurfDoor rows in walking order, against a floor of the raw ``SELECT count(*) … WHERE location <@
polygon`` (the GiST index scan alone), measured in the same run.

Data: buildings with NYC-like coordinates (most around ten neighbourhood centres, the rest spread
over the city), street names and house numbers (for walking order), one unit each, by COPY.
"""

from __future__ import annotations

import time

from bench import lib
from bench.lib import NEIGHBORHOODS, Context, report

STREETS = [f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')} St"
           for n in range(1, 221)] + [f"{name} Ave" for name in (
    "Atlantic", "Flatbush", "Myrtle", "Nostrand", "Broadway", "Steinway", "Roosevelt", "Jamaica",
    "Amsterdam", "Lexington", "Madison", "Park", "Bedford", "Franklin", "Ocean", "Coney Island",
)]  # fmt: skip
CITY = (-74.05, 40.57, -73.75, 40.90)  # west, south, east, north


def _polygon(centre: tuple[float, float], half_width: float) -> list[tuple[float, float]]:
    """An irregular hexagon around ``centre`` (lng, lat), like a hand-drawn turf."""
    x, y = centre
    w, h = half_width, half_width * 0.75
    return [(x - w, y), (x - w / 2, y - h), (x + w / 2, y - h * 1.1), (x + w, y),
            (x + w / 2, y + h), (x - w / 2, y + h * 0.9)]  # fmt: skip


def load_buildings(ctx: Context, count: int) -> None:
    from django.db import connection

    from hubs.models import house_number_value, street_key

    rng = ctx.rng("turf")
    centres = list(NEIGHBORHOODS.values())
    keys = {s: street_key(s) for s in STREETS}
    columns = (
        "street_number, street, city, state, zip_code, latitude, longitude, location, "
        "election_district, building_ref, street_key, number_value, created_at"
    )
    seen: set[tuple[str, int, str]] = set()
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY hubs_building ({columns}) FROM STDIN") as copy:
            written = 0
            while written < count:
                if rng.random() < 0.6:
                    lat0, lon0, zip_code = rng.choice(centres)
                    lat, lon = lat0 + rng.gauss(0, 0.01), lon0 + rng.gauss(0, 0.013)
                else:
                    lon, lat = rng.uniform(CITY[0], CITY[2]), rng.uniform(CITY[1], CITY[3])
                    zip_code = f"1{rng.randint(0, 1)}{rng.randint(0, 4)}{rng.randint(0, 99):02d}"
                street = rng.choice(STREETS)
                number = rng.randint(1, 3000)
                if (street, number, zip_code) in seen:
                    continue
                seen.add((street, number, zip_code))
                lat, lon = round(lat, 6), round(lon, 6)
                copy.write_row(
                    [str(number), street, "New York", "NY", zip_code, lat, lon,
                     f"({lon!r},{lat!r})", f"{rng.randint(23, 87)}-{rng.randint(1, 120):03d}",
                     "", keys[street], house_number_value(str(number)), "2024-01-01 00:00+00"]
                )  # fmt: skip
                written += 1
        cursor.execute(
            "INSERT INTO hubs_unit (building_id, label) SELECT id, '' FROM hubs_building"
        )
        cursor.execute("ANALYZE hubs_building")
        cursor.execute("ANALYZE hubs_unit")


def run(ctx: Context) -> None:
    from django.db import connection

    from hubs.models import Hub, Turf
    from hubs.services.turf import TurfCut, turf_create, turf_cut_count
    from organizer.lib.geo import polygon_literal

    lib.clear_data()
    count = ctx.n(1_000_000, minimum=2000)
    started = time.perf_counter()
    load_buildings(ctx, count)
    print(f"# turf: {count} doors loaded in {time.perf_counter() - started:.1f}s", flush=True)
    hub = Hub.objects.create(name="Bench hub", slug="bench-turf", kind="neighborhood")
    lat, lon, _ = NEIGHBORHOODS["Astoria"]
    cut = TurfCut(polygon=_polygon((lon, lat), 0.012))
    literal = polygon_literal(cut.polygon)

    def floor() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM hubs_building b WHERE b.location <@ %s::polygon", [literal]
            )
            return cursor.fetchone()[0]

    floors, cuts, doors = [], [], 0
    for _ in range(5):
        t = time.perf_counter()
        inside = floor()
        floors.append(time.perf_counter() - t)
        t = time.perf_counter()
        doors = turf_cut_count(cut=cut, by=None).doors
        turf = turf_create(hub=hub, name="Bench cut", cut=cut, by=None)
        cuts.append(time.perf_counter() - t)
        assert turf.doors.count() == doors == inside
        Turf.objects.filter(pk=turf.pk).delete()
    print(f"# turf: polygon holds {doors} doors of {count}", flush=True)
    best_floor, best_cut = sorted(floors)[2], sorted(cuts)[2]  # medians of 5
    report(
        "turf_cut_seconds",
        best_cut,
        "s",
        floor=best_floor,
        target="<=5s",
        max_value=5.0,
    )
