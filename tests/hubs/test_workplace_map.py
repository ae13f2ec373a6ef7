"""The workplace map's counts, shares and majority flags against hand-computed figures."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from contacts.models import Assessment, Contact, HubMember
from hubs.models import Department, Hub, Placement, Shift, Worksite
from hubs.selectors.workplace import Tally, workplace_map
from hubs.services.workplace import WorkplaceError, assessment_record, placement_save
from tests.factories import ContactFactory, HubFactory, UserFactory

# The small workplace every test here uses: 17 coworkers, 3 departments, 2 shifts.
#   department  shift   assessments               (None = not assessed)
#   Packing     Day     1, 2, 2, 3
#   Packing     Night   2, 5, None
#   Shipping    Day     2, 3, 4
#   Shipping    Night   1, 1, None
#   Receiving   Day     3, 4
#   Receiving   Night   5, None
LAYOUT = {
    ("Packing", "Day"): [1, 2, 2, 3],
    ("Packing", "Night"): [2, 5, None],
    ("Shipping", "Day"): [2, 3, 4],
    ("Shipping", "Night"): [1, 1, None],
    ("Receiving", "Day"): [3, 4],
    ("Receiving", "Night"): [5, None],
}


@dataclass
class Workplace:
    hub: Hub
    site: Worksite
    departments: dict[str, Department]
    shifts: dict[str, Shift]
    people: dict[tuple[str, str], list[Contact]]


def build_workplace(hub: Hub | None = None, *, threshold: int = 50) -> Workplace:
    hub = hub or HubFactory(kind=Hub.Kind.WORKPLACE)
    hub.kind = Hub.Kind.WORKPLACE
    hub.majority_threshold = threshold
    hub.save()
    site = Worksite.objects.create(hub=hub, name="Warehouse DBK4")
    departments = {
        name: Department.objects.create(worksite=site, name=name)
        for name in ("Packing", "Shipping", "Receiving")
    }
    shifts = {name: Shift.objects.create(worksite=site, name=name) for name in ("Day", "Night")}
    people: dict[tuple[str, str], list[Contact]] = {}
    n = 0
    for (dept, shift), levels in LAYOUT.items():
        for level in levels:
            n += 1
            contact = ContactFactory(
                first_name=f"{dept[:4]}{shift}{n}", last_name=f"W{n:02d}", assessment=level
            )
            Placement.objects.create(
                hub=hub,
                contact=contact,
                worksite=site,
                department=departments[dept],
                shift=shifts[shift],
            )
            HubMember.objects.create(hub=hub, contact=contact)
            people.setdefault((dept, shift), []).append(contact)
    return Workplace(hub, site, departments, shifts, people)


def _row(wmap, name):
    return next(row for row in wmap.departments if row.name == name)


def _shift(wmap, name):
    return next(tally for shift, tally in wmap.shifts if shift and shift.name == name)


@pytest.mark.django_db
def test_it_counts_each_department_at_every_level_and_unassessed():
    wmap = workplace_map(build_workplace().hub)
    packing, shipping, receiving = (_row(wmap, n) for n in ("Packing", "Shipping", "Receiving"))
    assert packing.tally.counts == [1, 3, 1, 0, 1] and packing.tally.unassessed == 1
    assert shipping.tally.counts == [2, 1, 1, 1, 0] and shipping.tally.unassessed == 1
    assert receiving.tally.counts == [0, 0, 1, 1, 1] and receiving.tally.unassessed == 1
    assert [packing.tally.total, shipping.tally.total, receiving.tally.total] == [7, 6, 4]


@pytest.mark.django_db
def test_it_counts_each_shift_and_the_whole_workplace():
    wmap = workplace_map(build_workplace().hub)
    day, night = _shift(wmap, "Day"), _shift(wmap, "Night")
    assert day.counts == [1, 3, 3, 2, 0] and day.unassessed == 0 and day.total == 9
    assert night.counts == [2, 1, 0, 0, 2] and night.unassessed == 3 and night.total == 8
    assert wmap.total.counts == [3, 4, 3, 2, 2]
    assert wmap.total.unassessed == 3
    assert wmap.total.total == 17


@pytest.mark.django_db
def test_it_compares_the_share_at_1_2_with_the_threshold():
    wmap = workplace_map(build_workplace(threshold=50).hub)
    packing, shipping, receiving = (_row(wmap, n) for n in ("Packing", "Shipping", "Receiving"))
    # Packing 4 of 7 = 57 %: reached.
    assert (packing.tally.strong, packing.tally.share, packing.tally.majority) == (4, 57, True)
    # Shipping 3 of 6 = exactly 50 %: the threshold counts as reached.
    assert (shipping.tally.share, shipping.tally.majority, shipping.tally.needed) == (50, True, 0)
    # Receiving 0 of 4: needs 2 (50 % of 4).
    assert (receiving.tally.share, receiving.tally.majority) == (0, False)
    assert receiving.tally.needed == 2
    # Whole workplace 7 of 17 = 41 %: needs 9 (8.5 rounded up) − 7 = 2 more.
    assert (wmap.total.strong, wmap.total.share, wmap.total.needed) == (7, 41, 2)
    assert wmap.total.majority is False
    # Shifts: day 4 of 9 = 44 % (needs 1), night 3 of 8 = 38 % (needs 1).
    day, night = _shift(wmap, "Day"), _shift(wmap, "Night")
    assert (day.share, day.needed, night.share, night.needed) == (44, 1, 38, 1)


@pytest.mark.django_db
def test_a_higher_threshold_needs_more_people():
    wmap = workplace_map(build_workplace(threshold=60).hub)
    # 60 % of 17 = 10.2 → 11 needed at 1–2; there are 7.
    assert wmap.total.needed == 4
    assert _row(wmap, "Packing").tally.majority is False  # 57 % < 60 %
    assert _row(wmap, "Packing").tally.needed == 1  # 60 % of 7 = 4.2 → 5


@pytest.mark.django_db
def test_it_counts_each_department_and_shift_cell():
    wmap = workplace_map(build_workplace().hub)
    columns = [s.name for s in wmap.shift_columns]
    assert columns == ["Day", "Night"]
    shipping_night = _row(wmap, "Shipping").shifts[columns.index("Night")]
    assert (shipping_night.strong, shipping_night.total, shipping_night.share) == (2, 3, 67)
    assert shipping_night.majority is True
    receiving_day = _row(wmap, "Receiving").shifts[columns.index("Day")]
    assert receiving_day.counts == [0, 0, 1, 1, 0] and receiving_day.majority is False


@pytest.mark.django_db
def test_it_names_the_leaders_of_each_department_and_flags_departments_without_one():
    place = build_workplace()
    wmap = workplace_map(place.hub)
    packing_leader = place.people[("Packing", "Day")][0]
    shipping_leaders = place.people[("Shipping", "Night")][:2]
    assert _row(wmap, "Packing").leaders == [packing_leader]
    assert sorted(c.pk for c in _row(wmap, "Shipping").leaders) == sorted(
        c.pk for c in shipping_leaders
    )
    assert [row.name for row in wmap.leaderless] == ["Receiving"]


@pytest.mark.django_db
def test_the_map_takes_four_queries_whatever_the_number_of_departments(
    django_assert_num_queries,
):
    place = build_workplace()
    for i in range(5):
        dept = Department.objects.create(worksite=place.site, name=f"Extra {i}")
        contact = ContactFactory(assessment=2)
        Placement.objects.create(
            hub=place.hub, contact=contact, worksite=place.site, department=dept
        )
    with django_assert_num_queries(4):
        wmap = workplace_map(place.hub)
    assert len(wmap.departments) == 8
    assert wmap.total.total == 22


@pytest.mark.django_db
def test_people_without_a_department_or_shift_get_their_own_row():
    place = build_workplace()
    Placement.objects.create(
        hub=place.hub, contact=ContactFactory(assessment=1), worksite=place.site
    )
    wmap = workplace_map(place.hub)
    assert wmap.departments[-1].department is None
    assert wmap.departments[-1].tally.counts == [1, 0, 0, 0, 0]
    assert wmap.shifts[-1][0] is None and wmap.shifts[-1][1].total == 1
    assert wmap.total.total == 18


def test_an_empty_tally_has_no_majority_and_needs_nobody():
    tally = Tally(threshold=50)
    assert (tally.total, tally.share, tally.majority, tally.needed) == (0, 0, False, 0)


@pytest.mark.django_db
def test_recording_an_assessment_keeps_history_and_updates_the_latest():
    user = UserFactory()
    contact = ContactFactory(assessment=None)
    assessment_record(by=user, contact=contact, level=3)
    assessment_record(by=user, contact=contact, level=1)
    contact.refresh_from_db()
    assert contact.assessment == 1
    history = list(Assessment.objects.filter(contact=contact).values_list("level", "assessed_by"))
    assert history == [(1, user.pk), (3, user.pk)]


@pytest.mark.django_db
def test_a_backdated_assessment_does_not_replace_a_newer_one():
    import datetime as dt

    from django.utils import timezone

    user = UserFactory()
    contact = ContactFactory()
    assessment_record(by=user, contact=contact, level=2)
    assessment_record(by=user, contact=contact, level=5, at=timezone.now() - dt.timedelta(days=9))
    contact.refresh_from_db()
    assert contact.assessment == 2
    assert Assessment.objects.filter(contact=contact).count() == 2


@pytest.mark.django_db
def test_it_rejects_an_assessment_outside_1_to_5():
    contact = ContactFactory()
    with pytest.raises(WorkplaceError):
        assessment_record(by=UserFactory(), contact=contact, level=6)
    assert not Assessment.objects.filter(contact=contact).exists()


@pytest.mark.django_db
def test_placing_a_coworker_makes_them_a_hub_member_and_moves_them_on_a_second_save():
    place = build_workplace()
    user = UserFactory()
    contact = ContactFactory()
    placement_save(
        by=user,
        hub=place.hub,
        contact=contact,
        worksite=place.site,
        department=place.departments["Packing"],
    )
    assert HubMember.objects.filter(hub=place.hub, contact=contact).exists()
    placement_save(
        by=user,
        hub=place.hub,
        contact=contact,
        worksite=place.site,
        department=place.departments["Shipping"],
        shift=place.shifts["Night"],
    )
    placement = Placement.objects.get(hub=place.hub, contact=contact)
    assert (placement.department.name, placement.shift.name) == ("Shipping", "Night")
    summaries = list(contact.events.values_list("summary", flat=True))
    assert any("Moved on the" in s for s in summaries)
    assert any("Placed on the" in s for s in summaries)


@pytest.mark.django_db
def test_it_refuses_a_department_from_another_worksite():
    place = build_workplace()
    other = Worksite.objects.create(hub=place.hub, name="Other site")
    with pytest.raises(WorkplaceError):
        placement_save(
            by=UserFactory(),
            hub=place.hub,
            contact=ContactFactory(),
            worksite=other,
            department=place.departments["Packing"],
        )


# --- headcount: the majority out of everyone in the unit, not only those placed -------------


@pytest.mark.django_db
def test_the_majority_counts_against_the_headcount_when_it_is_set():
    place = build_workplace(threshold=50)
    unset = workplace_map(place.hub)
    # 17 placed, 7 at 1–2: 41% of those placed, 9 needed → 2 more.
    assert (unset.total.base, unset.total.strong, unset.total.share) == (17, 7, 41)
    assert (unset.total.majority, unset.total.needed) == (False, 2)
    assert (_row(unset, "Packing").tally.share, _row(unset, "Packing").tally.majority) == (57, True)

    place.hub.headcount = 5000
    place.hub.save()
    Department.objects.filter(pk=place.departments["Packing"].pk).update(headcount=20)
    Department.objects.filter(pk=place.departments["Shipping"].pk).update(headcount=4)
    wmap = workplace_map(place.hub)
    # The unit: 7 at 1–2 of 5,000 is 0%; 50% of 5,000 is 2,500 → 2,493 more.
    assert (wmap.total.total, wmap.total.base, wmap.total.share) == (17, 5000, 0)
    assert (wmap.total.majority, wmap.total.needed) == (False, 2493)
    # Packing: 4 at 1–2 of 20 is 20%, 10 needed → 6 more (it was "majority reached").
    packing = _row(wmap, "Packing").tally
    assert (packing.total, packing.base, packing.strong, packing.share) == (7, 20, 4, 20)
    assert (packing.majority, packing.needed) == (False, 6)
    # Shipping's headcount (4) is below the 6 placed: out of date, the 6 placed count.
    shipping = _row(wmap, "Shipping").tally
    assert (shipping.base, shipping.share, shipping.majority) == (6, 50, True)
    # Receiving has none set: out of those placed (0 of 4 at 1–2 → 2 more).
    receiving = _row(wmap, "Receiving").tally
    assert (receiving.base, receiving.needed) == (4, 2)


@pytest.mark.django_db
def test_the_map_says_how_many_of_the_headcount_are_known(client):
    from tests.conftest import login

    place = build_workplace(threshold=50)
    place.hub.headcount = 5000
    place.hub.save()
    Department.objects.filter(pk=place.departments["Packing"].pk).update(headcount=20)
    staff = UserFactory(role="staff")
    html = login(client, staff).get(f"/hubs/{place.hub.slug}/workplace/").content.decode()
    assert "17 of 5,000 known" in html and "7 of 20 known" in html
    assert "Majority reached" not in html and "Needs 2493 more at 1–2" in html
