from __future__ import annotations

import pytest

from reports import drill, metrics
from reports.selectors import report_scope
from tests.hubs.test_workplace_map import LAYOUT, build_workplace

pytestmark = pytest.mark.django_db


def test_the_workplace_report_matches_the_map_and_its_drill_downs(cast):
    place = build_workplace(cast.hub_a, threshold=50)
    scope = report_scope(cast.staff)
    (report,) = metrics.workplaces(scope)
    rows = {d.name: d for d in report.map.departments}
    for dept in place.departments:
        levels = [lv for (d, _s), lvs in LAYOUT.items() if d == dept for lv in lvs]
        strong = sum(1 for lv in levels if lv in (1, 2))
        assert rows[dept].tally.strong == strong
        assert rows[dept].tally.majority == (2 * strong >= len(levels))
        key = str(place.departments[dept].pk)
        spec = drill.Spec("workplaces", "strong", str(cast.hub_a.pk), key)
        assert drill.people(scope, spec).count() == strong
        leaders = drill.people(scope, drill.Spec("workplaces", "leaders", str(cast.hub_a.pk), key))
        assert leaders.count() == len(rows[dept].leaders)
    # organizer B's slice has no workplace hub; their drill-down into hub A finds nobody
    assert metrics.workplaces(report_scope(cast.organizer_b)) == []
    key = str(place.departments["Packing"].pk)
    spec = drill.Spec("workplaces", "strong", str(cast.hub_a.pk), key)
    assert drill.people(report_scope(cast.organizer_b), spec).count() == 0


def test_the_workplaces_page_renders_for_a_captain(cast, client_for):
    build_workplace(cast.hub_a)
    response = client_for(cast.captain_a).get("/reports/workplaces/")
    assert response.status_code == 200
    assert "report=workplaces&amp;metric=strong" in response.content.decode()


def _shift_row(report, name):
    return next(t for s, t in report.map.shifts if (s.name if s else None) == name)


def _shift_drill(scope, hub, metric, key):
    return drill.people(scope, drill.Spec("workplaces", metric, str(hub.pk), key))


@pytest.mark.parametrize("persona", ["staff", "captain_a", "organizer_a"])
def test_each_shift_count_is_the_drill_list(cast, persona):
    from contacts.models import HubMember
    from hubs.models import Placement, Shift
    from tests.factories import ContactFactory

    place = build_workplace(cast.hub_a, threshold=40)
    weekend = Shift.objects.create(worksite=place.site, name="Weekend")  # nobody placed
    for level in (1, 2, None):
        contact = ContactFactory(assessment=level)
        Placement.objects.create(
            hub=cast.hub_a, contact=contact, worksite=place.site, department=None, shift=None
        )
        HubMember.objects.create(hub=cast.hub_a, contact=contact)
    scope = report_scope(getattr(cast, persona))
    (report,) = metrics.workplaces(scope)  # staff, the hub's captain and organizer alike
    expected = {}
    for name in ("Day", "Night"):
        levels = [lv for (_d, s), lvs in LAYOUT.items() if s == name for lv in lvs]
        expected[name] = (len(levels), sum(lv in (1, 2) for lv in levels), levels.count(1))
    expected["Weekend"] = (0, 0, 0)
    expected[None] = (3, 2, 1)
    keys = {**{n: str(s.pk) for n, s in place.shifts.items()}, "Weekend": str(weekend.pk)}
    keys[None] = "none"
    for name, (placed, strong, leaders) in expected.items():
        t = _shift_row(report, name)
        assert (t.total, t.strong, t.levels[1]) == (placed, strong, leaders)
        for metric, n in (("shift_placed", t.total), ("shift_strong", t.strong),
                          ("shift_leaders", t.levels[1])):  # fmt: skip
            people = _shift_drill(scope, cast.hub_a, metric, keys[name])
            assert people.count() == n, (persona, name, metric)
    # Day: 4 of 9 at 1–2 reaches a 40 % threshold; Night: 3 of 8 does not
    assert _shift_row(report, "Day").majority and not _shift_row(report, "Night").majority
    assert not _shift_row(report, "Weekend").majority and _shift_row(report, "Weekend").needed == 0
    assert report.majority_shifts == 1


def test_outsiders_find_nobody_behind_a_shift(cast):
    place = build_workplace(cast.hub_a)
    day = str(place.shifts["Day"].pk)
    for persona in (cast.organizer_b, cast.volunteer_a):
        scope = report_scope(persona)
        assert all(w.hub != cast.hub_a for w in metrics.workplaces(scope))
        for metric in ("shift_placed", "shift_strong", "shift_leaders"):
            assert _shift_drill(scope, cast.hub_a, metric, day).count() == 0


def test_the_shift_table_is_on_the_page_and_in_the_csv(cast, client_for):
    place = build_workplace(cast.hub_a)
    client = client_for(cast.captain_a)
    html = client.get("/reports/workplaces/").content.decode()
    day = place.shifts["Day"].pk
    assert f"metric=shift_strong&amp;key={cast.hub_a.pk}&amp;to={day}" in html
    response = client.get("/reports/workplaces/?format=csv")
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()
    shift_rows = [line for line in lines if "Warehouse DBK4" in line]
    # Day: 9 placed, 4 at 1–2 (44 %), under 50 %, 1 leader; Night: 8 placed, 3 (38 %), 2 leaders
    assert any(line.endswith(",9,4,44,no,1") and "Day" in line for line in shift_rows)
    assert any(line.endswith(",8,3,38,no,2") and "Night" in line for line in shift_rows)
    people = client.get(
        f"/reports/people/?report=workplaces&metric=shift_leaders&key={cast.hub_a.pk}&to={day}"
    )
    assert people.status_code == 200


def test_a_bad_shift_drill_is_a_4xx(cast, client_for):
    client = client_for(cast.staff)
    bad = ("metric=shift_nope&key=1", "metric=shift_strong&key=abc", "metric=shift_strong&to=x")
    for query in bad:
        response = client.get(f"/reports/people/?report=workplaces&{query}")
        assert 400 <= response.status_code < 500, query
