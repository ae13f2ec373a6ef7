"""The benchmark harness's arithmetic and report line (no timing here: see bench/)."""

from __future__ import annotations

import pytest

from bench.__main__ import discover
from bench.lib import (
    BENCH_DATABASE,
    Timing,
    bench_database_url,
    bench_line,
    generate_people,
    percentile,
    recreate_database,
    report,
)


def test_percentile_interpolates_between_closest_ranks():
    values = [5, 1, 4, 2, 3]
    assert percentile(values, 0) == 1
    assert percentile(values, 50) == 3
    assert percentile(values, 100) == 5
    assert percentile(range(1, 101), 95) == pytest.approx(95.05)
    assert percentile([7.0], 95) == 7.0


def test_percentile_refuses_no_values_and_out_of_range():
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1], 101)


def test_timing_gives_p50_and_p95():
    timing = Timing(tuple(float(n) for n in range(1, 21)))
    assert timing.p50 == pytest.approx(10.5)
    assert timing.p95 == pytest.approx(19.05)


def test_bench_line_has_the_shared_format():
    line = bench_line("search_phone_p95", 7.9, "ms", floor=3.1, target="p95<=50ms", ok=True)
    assert line == "BENCH search_phone_p95 7.9 ms floor=3.1 ratio=2.5 target=p95<=50ms ok"
    missed = bench_line("import_rows", 1234.0, "rows/s", floor=0.42, target="x", ok=False)
    assert missed == "BENCH import_rows 1234 rows/s floor=0.42 ratio=2938 target=x MISS"
    assert "ratio=n/a" in bench_line("q", 3, "queries", floor=0, target="<=5", ok=True)


def test_report_prints_miss_when_the_target_is_not_met(capsys):
    assert report("a_p95", 60.0, "ms", floor=10.0, target="p95<=50ms", max_value=50) is False
    assert report("b_p95", 40.0, "ms", floor=10.0, target="ratio<=5", max_ratio=5) is True
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("target=p95<=50ms MISS")
    assert out[1].endswith("target=ratio<=5 ok")


def test_bench_database_keeps_the_server_and_changes_only_the_name():
    url = "postgresql://postgres@127.0.0.1:5432/organizer_demo?sslmode=disable"
    expected = "postgresql://postgres@127.0.0.1:5432/organizer_bench?sslmode=disable"
    assert bench_database_url(url) == expected
    with pytest.raises(ValueError, match="refusing"):
        recreate_database(url, name="organizer")  # never the demo's database
    assert BENCH_DATABASE == "organizer_bench"


def test_generated_people_are_deterministic_varied_and_skewed():
    people = list(generate_people(2000, seed=3))
    assert people[:50] == list(generate_people(50, seed=3))
    last_names = {p.last_name for p in people}
    assert {"García", "Wang"} & last_names and "Smith" in last_names
    assert len({p.phone_raw[:2] for p in people if p.phone_raw}) >= 5  # varied formats
    assert all(p.phone_e164.startswith("+1") and len(p.phone_e164) == 12
               for p in people if p.phone_e164)  # fmt: skip
    assert all(40.5 < p.latitude < 40.95 and -74.1 < p.longitude < -73.7 for p in people)
    activity = sorted((p.activity for p in people), reverse=True)
    top_5_percent = sum(activity[: len(activity) // 20])
    assert top_5_percent > sum(activity) * 0.3  # a few very active people
    assert activity[len(activity) // 2] <= 1  # many quiet ones


def test_benchmarks_are_discovered_and_filtered_by_word():
    assert "bench_health" in discover()
    assert discover("HEALTH") == ["bench_health"]
    assert discover("no-such-benchmark") == []
