"""Structure tests: leaders mark coworkers reached; the result against hand-computed figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hubs.models import Department, Hub, Placement, StructureTest, StructureTestReach, Worksite
from hubs.selectors.workplace import organizing_chart, structure_result
from hubs.services.workplace import (
    WorkplaceError,
    leader_assign,
    structure_reach_mark,
    structure_test_start,
)
from tests.factories import ContactFactory, HubFactory, UserFactory

T0 = timezone.make_aware(dt.datetime(2025, 3, 3, 9, 0))


def build_team(hub: Hub | None = None):
    """Two leaders (Lena, Marco) and six coworkers in Packing and Shipping.

    Lena organizes Ari, Bea (Packing) and Cal (Shipping); Marco organizes Dov and Eli
    (Shipping); Fay (Packing) and the two leaders have no leader.
    """
    hub = hub or HubFactory(kind=Hub.Kind.WORKPLACE, leader_span=2)
    hub.kind, hub.leader_span = Hub.Kind.WORKPLACE, 2
    hub.save()
    site = Worksite.objects.create(hub=hub, name="Plant")
    packing = Department.objects.create(worksite=site, name="Packing")
    shipping = Department.objects.create(worksite=site, name="Shipping")
    people = {}
    for name, dept, level in [
        ("Lena", packing, 1),
        ("Marco", shipping, 1),
        ("Ari", packing, 2),
        ("Bea", packing, 3),
        ("Cal", shipping, None),
        ("Dov", shipping, 2),
        ("Eli", shipping, 4),
        ("Fay", packing, 5),
    ]:
        people[name] = ContactFactory(first_name=name, last_name="Test", assessment=level)
        Placement.objects.create(hub=hub, contact=people[name], worksite=site, department=dept)
    captain = UserFactory()
    for who, leader in [("Ari", "Lena"), ("Bea", "Lena"), ("Cal", "Lena")]:
        leader_assign(by=captain, hub=hub, contact_id=people[who].pk, leader_id=people[leader].pk)
    for who in ("Dov", "Eli"):
        leader_assign(by=captain, hub=hub, contact_id=people[who].pk, leader_id=people["Marco"].pk)
    return hub, people


def _start(hub) -> StructureTest:
    return StructureTest.objects.create(
        hub=hub, name="Sign the petition", started_at=T0, deadline=T0 + dt.timedelta(hours=24)
    )


@pytest.mark.django_db
def test_the_result_splits_everyone_into_in_time_late_and_not_reached():
    hub, p = build_team()
    test = _start(hub)
    user = UserFactory()
    for name, hours in [("Ari", 1), ("Bea", 30), ("Dov", 2), ("Eli", 24), ("Lena", 1)]:
        structure_reach_mark(
            by=user, test=test, contact_id=p[name].pk, at=T0 + dt.timedelta(hours=hours)
        )
    result = structure_result(test)

    def names(group):
        return (
            sorted(x.contact.first_name for x in group.in_time),
            sorted(x.contact.first_name for x in group.late),
            sorted(x.contact.first_name for x in group.not_reached),
        )

    # Eli was reached exactly at the deadline: that is in time.
    assert names(result.overall) == (
        ["Ari", "Dov", "Eli", "Lena"],
        ["Bea"],
        ["Cal", "Fay", "Marco"],
    )
    assert (result.overall.in_time_percent, result.overall.not_reached_percent) == (50, 38)
    leaders = {g.label: g for g in result.by_leader}
    assert list(leaders) == ["Lena Test", "Marco Test", "No leader yet"]
    assert names(leaders["Lena Test"]) == (["Ari"], ["Bea"], ["Cal"])
    assert leaders["Lena Test"].in_time_percent == 33
    assert names(leaders["Marco Test"]) == (["Dov", "Eli"], [], [])
    assert leaders["Marco Test"].in_time_percent == 100
    assert names(leaders["No leader yet"]) == (["Lena"], [], ["Fay", "Marco"])
    assert leaders["No leader yet"].not_reached_percent == 67
    departments = {g.label: g for g in result.by_department}
    assert names(departments["Packing"]) == (["Ari", "Lena"], ["Bea"], ["Fay"])
    assert (departments["Packing"].in_time_percent, departments["Packing"].late_percent) == (50, 25)
    assert names(departments["Shipping"]) == (["Dov", "Eli"], [], ["Cal", "Marco"])


@pytest.mark.django_db
def test_marking_someone_twice_keeps_one_reach_and_the_first_time():
    hub, p = build_team()
    test = _start(hub)
    user = UserFactory()
    first = structure_reach_mark(by=user, test=test, contact_id=p["Ari"].pk, at=T0)
    again = structure_reach_mark(
        by=user, test=test, contact_id=p["Ari"].pk, at=T0 + dt.timedelta(hours=5)
    )
    assert again.pk == first.pk
    assert StructureTestReach.objects.get(test=test).reached_at == T0


@pytest.mark.django_db
def test_it_refuses_to_mark_someone_not_on_the_map():
    hub, _ = build_team()
    test = _start(hub)
    with pytest.raises(WorkplaceError):
        structure_reach_mark(by=UserFactory(), test=test, contact_id=ContactFactory().pk)
    assert not StructureTestReach.objects.exists()


@pytest.mark.django_db
def test_a_test_starts_with_a_deadline_24_hours_ahead_by_default():
    hub, _ = build_team()
    before = timezone.now()
    test = structure_test_start(by=UserFactory(), hub=hub, name="Reach everyone")
    assert before + dt.timedelta(hours=24) <= test.deadline
    assert test.deadline <= timezone.now() + dt.timedelta(hours=24)


@pytest.mark.django_db
def test_it_refuses_a_deadline_in_the_past():
    hub, _ = build_team()
    with pytest.raises(WorkplaceError):
        structure_test_start(
            by=UserFactory(), hub=hub, name="x", deadline=timezone.now() - dt.timedelta(hours=1)
        )


@pytest.mark.django_db
def test_the_chart_lists_each_leader_against_the_span_and_the_unassigned():
    hub, _p = build_team()  # span 2
    chart = organizing_chart(hub)
    blocks = {b.leader.first_name: b for b in chart.leaders}
    assert sorted(blocks) == ["Lena", "Marco"]
    assert (blocks["Lena"].count, blocks["Lena"].over_span) == (3, True)
    assert (blocks["Marco"].count, blocks["Marco"].over_span) == (2, False)
    assert [x.contact.first_name for x in chart.unassigned] == ["Fay"]


@pytest.mark.django_db
def test_a_coworker_cannot_be_assigned_to_a_leader_outside_the_map():
    hub, p = build_team()
    with pytest.raises(WorkplaceError):
        leader_assign(
            by=UserFactory(), hub=hub, contact_id=p["Fay"].pk, leader_id=ContactFactory().pk
        )
    with pytest.raises(WorkplaceError):
        leader_assign(by=UserFactory(), hub=hub, contact_id=p["Fay"].pk, leader_id=p["Fay"].pk)
