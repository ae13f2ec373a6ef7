from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from contacts.models import Contact
from reports import drill, metrics
from reports.selectors import report_scope
from tests.factories import ContactFactory, HubMemberFactory
from tests.reports.conftest import move

pytestmark = pytest.mark.django_db


@pytest.fixture
def climbers(cast, default_ladder):
    """x: Contact (100 days ago) → Supporter (50) → Volunteer (10)
    y: Contact (100) → Supporter (40)
    z: new 5 days ago, Contact (5)
    All in hub A; x and y were added 200 days ago."""
    s = default_ladder
    old = timezone.now() - dt.timedelta(days=200)
    x = ContactFactory(last_name="Xavier")
    y = ContactFactory(last_name="Young")
    Contact.objects.filter(pk__in=[x.pk, y.pk]).update(created_at=old)
    z = ContactFactory(last_name="Zed")
    Contact.objects.filter(pk=z.pk).update(created_at=timezone.now() - dt.timedelta(days=6))
    for c in (x, y, z):
        HubMemberFactory(contact=c, hub=cast.hub_a)
    move(x, s["Contact"], 100)
    move(x, s["Supporter"], 50, s["Contact"])
    move(x, s["Volunteer"], 10, s["Supporter"])
    move(y, s["Contact"], 100)
    move(y, s["Supporter"], 40, s["Contact"])
    move(z, s["Contact"], 5)
    return x, y, z


def _scope(user):
    today = timezone.localdate()
    return report_scope(user, start=today - dt.timedelta(days=30), end=today)


def test_the_ladder_counts_stages_at_the_end_and_start_moves_and_median_days(
    cast, climbers, default_ladder
):
    s = default_ladder
    report = metrics.ladder(_scope(cast.staff))
    rows = {r.name: r for r in report.rows}
    assert rows["Volunteer"].now == 1 and rows["Supporter"].now == 1 and rows["Contact"].now == 1
    assert rows["Supporter"].at_start == 2
    assert rows["Supporter"].moved_up == 1
    assert rows["Supporter"].conversion == 50.0
    assert rows["Supporter"].median_days_up == 40.0  # entered 50 days ago, left 10 days ago
    # z (no stage → Contact) and the cast's two people, who never had a stage
    assert rows[""].at_start == 3 and rows[""].moved_up == 1 and rows[""].now == 2
    assert report.matrix[(str(s["Supporter"].pk), str(s["Volunteer"].pk))] == 1
    assert report.matrix[(str(s["Supporter"].pk), str(s["Supporter"].pk))] == 1
    assert report.moved_up_total == 2


def test_stage_counts_at_a_past_date_come_from_the_recorded_moves(cast, climbers, default_ladder):
    s = default_ladder
    scope = _scope(cast.staff)
    sixty_days_ago = timezone.now() - dt.timedelta(days=60)
    counts = metrics.stage_counts_at(scope, sixty_days_ago)
    assert counts == {s["Contact"].pk: 2}  # x, y were Contacts; nobody else existed yet
    forty_five = timezone.now() - dt.timedelta(days=45)
    assert metrics.stage_counts_at(scope, forty_five) == {
        s["Contact"].pk: 1,
        s["Supporter"].pk: 1,
    }


def test_every_ladder_number_is_the_count_of_its_drill_down(cast, climbers):
    scope = _scope(cast.staff)
    report = metrics.ladder(scope)
    for r in report.rows:
        key = "none" if r.stage_id is None else str(r.stage_id)
        for metric, value in (("now", r.now), ("at_start", r.at_start), ("moved_up", r.moved_up)):
            assert drill.people(scope, drill.Spec("ladder", metric, key)).count() == value
    for (a, b), n in report.matrix.items():
        assert drill.people(scope, drill.Spec("ladder", "move", a, b)).count() == n
    who = drill.people(scope, drill.Spec("ladder", "moved_up", "all"))
    assert sorted(who.values_list("last_name", flat=True)) == ["Xavier", "Zed"]


def test_an_organizer_of_another_hub_sees_none_of_them(cast, climbers):
    report = metrics.ladder(_scope(cast.organizer_b))
    assert report.moved_up_total == 0
    assert sum(r.now for r in report.rows if r.name) == 0


def test_the_ladder_page_renders_with_its_funnel_table_matrix_and_csv(client_for, cast, climbers):
    client = client_for(cast.captain_a)
    response = client.get("/reports/ladder/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "3 people moved up" in html  # the default period is 90 days: x, y and z
    assert "<svg" in html
    assert "report=ladder&amp;metric=move" in html
    start = timezone.localdate() - dt.timedelta(days=30)
    response = client.get(f"/reports/ladder/?start={start}&format=csv")
    csv = b"".join(response.streaming_content).decode()
    assert "Supporter,1,2,1,50.0,40.0" in csv
