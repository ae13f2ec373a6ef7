"""Workplace pages per persona: map, setup, placing, assessing, chart, structure tests."""

from __future__ import annotations

import pytest

from contacts.models import Assessment
from hubs.models import (
    Department,
    Hub,
    Placement,
    Shift,
    StructureTest,
    StructureTestReach,
    Worksite,
)
from tests.factories import ContactFactory
from tests.hubs.test_structure_tests import build_team
from tests.hubs.test_workplace_map import build_workplace

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(cast):
    """Hub A becomes a workplace hub with two leaders and six coworkers, and one test."""
    hub, people = build_team(cast.hub_a)
    test = StructureTest.objects.create(
        hub=hub, name="Everyone reached", deadline="2099-01-01T00:00Z", started_by=cast.captain_a
    )
    return hub, people, test


READ_PAGES = ["/workplace/", "/workplace/chart/", "/workplace/tests/{test}/",
              "/workplace/tests/{test}/result/"]  # fmt: skip
MANAGE_PAGES = ["/workplace/setup/", "/workplace/tests/new/"]
PLACE_PAGES = ["/workplace/place/", "/workplace/place/roster/"]


@pytest.mark.parametrize("page", READ_PAGES)
@pytest.mark.parametrize(
    "who,status",
    [
        ("staff", 200),
        ("captain_a", 200),
        ("organizer_a", 200),
        ("volunteer_a", 404),
        ("organizer_b", 404),
    ],
)
def test_the_map_chart_and_tests_are_for_captains_organizers_and_staff(
    cast, client_for, team, page, who, status
):
    url = "/hubs/hub-a" + page.format(test=team[2].pk)
    assert client_for(getattr(cast, who)).get(url).status_code == status


@pytest.mark.parametrize("page", MANAGE_PAGES)
@pytest.mark.parametrize(
    "who,status",
    [
        ("staff", 200),
        ("captain_a", 200),
        ("organizer_a", 404),
        ("volunteer_a", 404),
        ("organizer_b", 404),
    ],
)
def test_setting_up_the_map_is_for_captains_and_staff(cast, client_for, team, page, who, status):
    assert client_for(getattr(cast, who)).get("/hubs/hub-a" + page).status_code == status


@pytest.mark.parametrize("page", PLACE_PAGES)
@pytest.mark.parametrize(
    "who,status",
    [
        ("staff", 200),
        ("captain_a", 200),
        ("organizer_a", 200),
        ("volunteer_a", 404),
        ("organizer_b", 404),
    ],
)
def test_placing_coworkers_is_for_the_hubs_captains_organizers_and_staff(
    cast, client_for, team, page, who, status
):
    assert client_for(getattr(cast, who)).get("/hubs/hub-a" + page).status_code == status


def test_a_hub_organizer_places_a_coworker_they_may_see(cast, client_for):
    place = build_workplace(cast.hub_a)
    person = ContactFactory(first_name="Pia", last_name="Perez", owner=cast.organizer_a)
    client = client_for(cast.organizer_a)
    html = client.get("/hubs/hub-a/workplace/place/", {"q": "pia"}).content.decode()
    assert "Place Pia Perez" in html and "/workplace/setup/" not in html
    response = client.post(
        "/hubs/hub-a/workplace/place/", {"contact": person.pk, "worksite": place.site.pk}
    )
    assert response.status_code == 302
    assert Placement.objects.get(hub=cast.hub_a, contact=person).worksite == place.site
    stranger = ContactFactory(first_name="Sam")
    response = client.post(
        "/hubs/hub-a/workplace/place/", {"contact": stranger.pk, "worksite": place.site.pk}
    )
    assert response.status_code == 404
    assert not Placement.objects.filter(contact=stranger).exists()


@pytest.mark.parametrize("page", READ_PAGES[:2] + MANAGE_PAGES + PLACE_PAGES)
def test_neighborhood_hubs_have_no_workplace_map(cast, client_for, page):
    assert cast.hub_b.kind == Hub.Kind.NEIGHBORHOOD
    assert client_for(cast.staff).get("/hubs/hub-b" + page).status_code == 404


def test_a_captain_cannot_see_another_hubs_map(cast, client_for):
    build_workplace(cast.hub_b)
    client = client_for(cast.captain_a)
    assert client.get("/hubs/hub-b/workplace/").status_code == 404
    assert client.get("/hubs/hub-b/workplace/setup/").status_code == 404


def test_the_map_page_shows_the_hand_computed_figures(cast, client_for):
    build_workplace(cast.hub_a, threshold=50)
    html = client_for(cast.captain_a).get("/hubs/hub-a/workplace/").content.decode()
    assert "41% at 1–2" in html
    assert "Needs 2 more at 1–2" in html
    assert "57% at 1–2 · <strong>majority reached</strong>" in html
    assert "Departments with no leader yet" in html
    assert html.count("No leader yet") == 1  # Receiving only
    assert "needs 2 more" in html  # Receiving


def test_an_organizer_records_an_assessment_from_the_map(cast, client_for, team):
    _hub, people, _ = team
    fay = people["Fay"]
    response = client_for(cast.organizer_a).post(
        f"/hubs/hub-a/workplace/people/{fay.pk}/assess/", {"level": "2"}
    )
    assert response.status_code == 302
    fay.refresh_from_db()
    assert fay.assessment == 2
    assessment = Assessment.objects.get(contact=fay)
    assert (assessment.level, assessment.assessed_by) == (2, cast.organizer_a)


def test_assessing_with_htmx_returns_the_updated_map(cast, client_for, team):
    _hub, people, _ = team
    response = client_for(cast.captain_a).post(
        f"/hubs/hub-a/workplace/people/{people['Fay'].pk}/assess/",
        {"level": "1"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="workplace-body"' in html
    assert "<html" not in html
    # Fay is now a leader in Packing: 3 of 8 at 1 across the plant.
    assert response.context["map"].total.levels[1] == 3


def test_a_volunteer_or_outsider_cannot_assess(cast, client_for, team):
    _hub, people, _ = team
    for who in (cast.volunteer_a, cast.organizer_b):
        response = client_for(who).post(
            f"/hubs/hub-a/workplace/people/{people['Fay'].pk}/assess/", {"level": "1"}
        )
        assert response.status_code == 404
    assert not Assessment.objects.filter(contact=people["Fay"]).exists()


def test_someone_not_on_the_map_cannot_be_assessed_from_it(cast, client_for, team):
    response = client_for(cast.captain_a).post(
        f"/hubs/hub-a/workplace/people/{cast.person_b.pk}/assess/", {"level": "1"}
    )
    assert response.status_code == 404


def test_a_captain_adds_worksites_departments_and_shifts(cast, client_for):
    cast.hub_a.kind = Hub.Kind.WORKPLACE
    cast.hub_a.save()
    client = client_for(cast.captain_a)
    url = "/hubs/hub-a/workplace/setup/"
    client.post(url, {"form": "worksite", "worksite-name": "Depot", "worksite-address": "1 Main"})
    site = Worksite.objects.get(hub=cast.hub_a)
    client.post(
        url, {"form": "department", "department-worksite": site.pk, "department-name": "Ramp"}
    )
    client.post(url, {"form": "shift", "shift-worksite": site.pk, "shift-name": "Overnight"})
    assert list(Department.objects.filter(worksite=site).values_list("name", flat=True)) == ["Ramp"]
    assert list(Shift.objects.filter(worksite=site).values_list("name", flat=True)) == ["Overnight"]
    again = client.post(
        url, {"form": "department", "department-worksite": site.pk, "department-name": "Ramp"}
    )
    assert again.status_code == 400 and "already has a department" in again.content.decode()


def test_a_captain_cannot_add_a_department_to_another_hubs_worksite(cast, client_for):
    cast.hub_a.kind = Hub.Kind.WORKPLACE
    cast.hub_a.save()
    other = build_workplace(cast.hub_b).site
    response = client_for(cast.captain_a).post(
        "/hubs/hub-a/workplace/setup/",
        {"form": "department", "department-worksite": other.pk, "department-name": "Sneaky"},
    )
    assert response.status_code == 400
    assert not Department.objects.filter(name="Sneaky").exists()


def test_a_captain_places_a_coworker_they_may_see(cast, client_for):
    place = build_workplace(cast.hub_a)
    person = ContactFactory(first_name="Pia", last_name="Placed", owner=cast.captain_a)
    client = client_for(cast.captain_a)
    html = client.get("/hubs/hub-a/workplace/place/", {"q": "pia"}).content.decode()
    assert "Place Pia Placed" in html
    response = client.post(
        "/hubs/hub-a/workplace/place/",
        {
            "contact": person.pk,
            "worksite": place.site.pk,
            "department": place.departments["Receiving"].pk,
            "shift": place.shifts["Day"].pk,
        },
    )
    assert response.status_code == 302
    placement = Placement.objects.get(hub=cast.hub_a, contact=person)
    assert placement.department.name == "Receiving"


def test_a_captain_cannot_place_someone_outside_their_scope(cast, client_for):
    place = build_workplace(cast.hub_a)
    stranger = ContactFactory()
    response = client_for(cast.captain_a).post(
        "/hubs/hub-a/workplace/place/", {"contact": stranger.pk, "worksite": place.site.pk}
    )
    assert response.status_code == 404
    assert not Placement.objects.filter(contact=stranger).exists()


def test_the_chart_shows_spans_and_a_captain_assigns_a_coworker(cast, client_for, team):
    _hub, people, _ = team
    client = client_for(cast.captain_a)
    html = client.get("/hubs/hub-a/workplace/chart/").content.decode()
    assert "3 / 2 — <strong>over span</strong>" in html  # Lena
    assert "2 / 2" in html  # Marco
    response = client.post(
        f"/hubs/hub-a/workplace/chart/{people['Fay'].pk}/assign/", {"leader": people["Marco"].pk}
    )
    assert response.status_code == 302
    assert Placement.objects.get(contact=people["Fay"]).organized_by == people["Marco"]


def test_an_organizer_sees_the_chart_but_cannot_assign(cast, client_for, team):
    _hub, people, _ = team
    client = client_for(cast.organizer_a)
    html = client.get("/hubs/hub-a/workplace/chart/").content.decode()
    assert "Lena Test" in html and "Assign" not in html
    response = client.post(
        f"/hubs/hub-a/workplace/chart/{people['Fay'].pk}/assign/", {"leader": people["Marco"].pk}
    )
    assert response.status_code == 404
    assert Placement.objects.get(contact=people["Fay"]).organized_by is None


def test_a_captain_starts_a_structure_test(cast, client_for, team):
    response = client_for(cast.captain_a).post(
        "/hubs/hub-a/workplace/tests/new/", {"name": "Wear red on Friday", "deadline": ""}
    )
    test = StructureTest.objects.get(name="Wear red on Friday")
    assert response.status_code == 302 and response.url.endswith(f"/tests/{test.pk}/")
    assert test.started_by == cast.captain_a
    assert round((test.deadline - test.started_at).total_seconds() / 3600) == 24


def test_an_organizer_cannot_start_a_structure_test(cast, client_for, team):
    response = client_for(cast.organizer_a).post(
        "/hubs/hub-a/workplace/tests/new/", {"name": "Nope"}
    )
    assert response.status_code == 404
    assert not StructureTest.objects.filter(name="Nope").exists()


def test_an_organizer_marks_a_coworker_reached_in_one_tap_and_a_second_tap_is_harmless(
    cast, client_for, team
):
    _hub, people, test = team
    client = client_for(cast.organizer_a)
    url = f"/hubs/hub-a/workplace/tests/{test.pk}/reach/{people['Ari'].pk}/"
    first = client.post(url, HTTP_HX_REQUEST="true")
    html = first.content.decode()
    assert first.status_code == 200 and f'id="reach-{people["Ari"].pk}"' in html
    assert "Reached" in html and "<html" not in html
    assert client.post(url, HTTP_HX_REQUEST="true").status_code == 200
    reach = StructureTestReach.objects.get(test=test)
    assert (reach.contact, reach.marked_by) == (people["Ari"], cast.organizer_a)
    result = client.get(f"/hubs/hub-a/workplace/tests/{test.pk}/result/").content.decode()
    assert "1 of 8 reached in time (12%)" in result


def test_a_volunteer_or_outsider_cannot_mark_anyone_reached(cast, client_for, team):
    _hub, people, test = team
    url = f"/hubs/hub-a/workplace/tests/{test.pk}/reach/{people['Ari'].pk}/"
    for who in (cast.volunteer_a, cast.organizer_b):
        assert client_for(who).post(url).status_code == 404
    assert not StructureTestReach.objects.exists()


def test_the_marking_list_groups_coworkers_by_leader(cast, client_for, team):
    _hub, _people, test = team
    response = client_for(cast.organizer_a).get(f"/hubs/hub-a/workplace/tests/{test.pk}/")
    groups = {
        g.label: [p.contact.first_name for p in g.coworkers] for g in response.context["groups"]
    }
    assert groups == {
        "Lena Test": ["Ari", "Bea", "Cal"],
        "Marco Test": ["Dov", "Eli"],
        "No leader yet": ["Fay", "Lena", "Marco"],
    }
    assert "Mark Ari Test reached" in response.content.decode()


# --- headcounts -----------------------------------------------------------------------------


def test_a_captain_sets_the_unit_and_department_headcounts(cast, client_for):
    place = build_workplace(cast.hub_a)
    packing, shipping = place.departments["Packing"], place.departments["Shipping"]
    client = client_for(cast.captain_a)
    assert (
        "Workers in the whole unit" in client.get("/hubs/hub-a/workplace/setup/").content.decode()
    )
    response = client.post(
        "/hubs/hub-a/workplace/setup/",
        {"form": "headcount", "headcount-unit": "5000",
         f"headcount-department_{packing.pk}": "20", f"headcount-department_{shipping.pk}": ""},
    )  # fmt: skip
    assert response.status_code == 302
    cast.hub_a.refresh_from_db()
    packing.refresh_from_db()
    shipping.refresh_from_db()
    assert (cast.hub_a.headcount, packing.headcount, shipping.headcount) == (5000, 20, None)
    html = client.get("/hubs/hub-a/workplace/").content.decode()
    assert "17 of 5,000 known" in html and "7 of 20 known" in html


@pytest.mark.parametrize("value", ["-3", "abc", "99999999999"])
def test_a_bad_headcount_is_refused_with_a_message(cast, client_for, value):
    build_workplace(cast.hub_a)
    response = client_for(cast.captain_a).post(
        "/hubs/hub-a/workplace/setup/", {"form": "headcount", "headcount-unit": value}
    )
    assert response.status_code == 400 and 'class="error"' in response.content.decode()
    cast.hub_a.refresh_from_db()
    assert cast.hub_a.headcount is None


def test_an_organizer_cannot_set_headcounts(cast, client_for):
    build_workplace(cast.hub_a)
    response = client_for(cast.organizer_a).post(
        "/hubs/hub-a/workplace/setup/", {"form": "headcount", "headcount-unit": "10"}
    )
    assert response.status_code == 404
    cast.hub_a.refresh_from_db()
    assert cast.hub_a.headcount is None
