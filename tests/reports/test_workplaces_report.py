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
