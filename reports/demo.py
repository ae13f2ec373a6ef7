"""Demo neighborhoods with plausible NYC-like figures (residents rounded from public counts,
ZIP codes, and a rough box as the shape), for ``manage.py seed_demo``."""

from __future__ import annotations

from reports.models import Neighborhood

# (name, residents, ZIP codes, (longitude, latitude) of the centre, half-size in degrees)
NEIGHBORHOODS = [
    ("Bushwick", 112_000, ["11237", "11221", "11206"], (-73.9216, 40.6990), 0.016),
    ("Sunset Park", 126_000, ["11220", "11232"], (-74.0100, 40.6455), 0.016),
    ("Jackson Heights", 108_000, ["11372"], (-73.8831, 40.7557), 0.012),
    ("East Harlem", 125_000, ["10029", "10035"], (-73.9400, 40.7940), 0.012),
    ("Mid-Island (Bloomfield)", 90_000, ["10314"], (-74.1600, 40.6037), 0.03),
    ("Astoria", 157_000, ["11102", "11103", "11105", "11106"], (-73.9200, 40.7640), 0.016),
    ("Flatbush", 110_000, ["11226"], (-73.9590, 40.6440), 0.012),
    ("Washington Heights", 150_000, ["10032", "10033", "10040"], (-73.9370, 40.8420), 0.014),
]


def seed_neighborhoods() -> None:
    for name, residents, zips, (lng, lat), half in NEIGHBORHOODS:
        box = [
            (lng - half, lat - half),
            (lng + half, lat - half),
            (lng + half, lat + half),
            (lng - half, lat + half),
        ]
        Neighborhood.objects.update_or_create(
            name=name, defaults={"residents": residents, "zip_codes": zips, "shape": box}
        )
