"""Members management: add and remove members, promote and demote captains."""

from __future__ import annotations

import pytest

from accounts.models import Role
from contacts.models import ContactEvent, HubMember
from hubs.models import HubRole
from hubs.services.hubs import AlreadyMember, LastCaptain, hub_member_add, hub_role_set
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "who,slug,status",
    [
        ("staff", "hub-a", 200),
        ("staff", "hub-b", 200),
        ("captain_a", "hub-a", 200),
        ("captain_a", "hub-b", 404),
        ("organizer_a", "hub-a", 404),
        ("volunteer_a", "hub-a", 404),
        ("organizer_b", "hub-a", 404),
        ("organizer_b", "hub-b", 404),
    ],
)
def test_only_captains_of_the_hub_and_staff_manage_members(cast, client_for, who, slug, status):
    assert client_for(getattr(cast, who)).get(f"/hubs/{slug}/members/").status_code == status


def test_the_search_offers_people_i_may_see_who_are_not_members(cast, client_for):
    mine = ContactFactory(first_name="Anita", last_name="Mine", owner=cast.captain_a)
    ContactFactory(first_name="Anabel", last_name="Stranger")
    response = client_for(cast.captain_a).get("/hubs/hub-a/members/", {"q": "an"})
    names = [c.display_name for c in response.context["candidates"]]
    assert names == [mine.display_name]  # Ana Alvarez is a member already; Anabel is not mine


def test_the_search_answers_htmx_with_the_candidates_fragment(cast, client_for):
    ContactFactory(first_name="Anita", last_name="Mine", owner=cast.captain_a)
    response = client_for(cast.captain_a).get(
        "/hubs/hub-a/members/",
        {"q": "anita"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="member-candidates",
    )
    html = response.content.decode()
    assert 'id="member-candidates"' in html and "Add Anita Mine" in html
    assert "<html" not in html


def test_a_captain_adds_a_member_with_a_role_and_date_and_it_is_recorded(cast, client_for):
    person = ContactFactory(first_name="Nia", last_name="New", owner=cast.captain_a)
    response = client_for(cast.captain_a).post(
        "/hubs/hub-a/members/add/", {"contact": person.pk, "role": "leader", "since": "2025-01-15"}
    )
    assert response.status_code == 302
    member = HubMember.objects.get(hub=cast.hub_a, contact=person)
    assert (member.role, str(member.since)) == ("leader", "2025-01-15")
    event = ContactEvent.objects.get(contact=person)
    assert event.actor == cast.captain_a and "Added to hub Hub A" in event.summary


def test_a_captain_cannot_add_someone_outside_their_scope(cast, client_for):
    stranger = ContactFactory()
    response = client_for(cast.captain_a).post(
        "/hubs/hub-a/members/add/",
        {"contact": stranger.pk, "role": "member", "since": "2025-01-15"},
    )
    assert response.status_code == 404
    assert not HubMember.objects.filter(contact=stranger).exists()


def test_adding_a_member_twice_is_refused(cast):
    with pytest.raises(AlreadyMember):
        hub_member_add(by=cast.captain_a, hub=cast.hub_a, contact=cast.person_a)
    assert HubMember.objects.filter(contact=cast.person_a).count() == 1


def test_a_captain_removes_a_member_and_it_is_recorded(cast, client_for):
    member = HubMember.objects.get(hub=cast.hub_a, contact=cast.person_a)
    response = client_for(cast.captain_a).post(f"/hubs/hub-a/members/{member.pk}/remove/")
    assert response.status_code == 302
    assert not HubMember.objects.filter(pk=member.pk).exists()
    assert ContactEvent.objects.filter(
        contact=cast.person_a, summary="Removed from hub Hub A", actor=cast.captain_a
    ).exists()


def test_a_captain_cannot_remove_a_member_of_another_hub(cast, client_for):
    member_b = HubMember.objects.get(hub=cast.hub_b, contact=cast.person_b)
    client = client_for(cast.captain_a)
    assert client.post(f"/hubs/hub-b/members/{member_b.pk}/remove/").status_code == 404
    client.post(f"/hubs/hub-a/members/{member_b.pk}/remove/")  # wrong hub in the URL
    assert HubMember.objects.filter(pk=member_b.pk).exists()


def test_an_organizer_cannot_remove_members(cast, client_for):
    member = HubMember.objects.get(hub=cast.hub_a, contact=cast.person_a)
    response = client_for(cast.organizer_a).post(f"/hubs/hub-a/members/{member.pk}/remove/")
    assert response.status_code == 404
    assert HubMember.objects.filter(pk=member.pk).exists()


def test_a_captain_promotes_an_organizer_to_co_captain(cast, client_for):
    response = client_for(cast.captain_a).post(
        f"/hubs/hub-a/users/{cast.organizer_a.pk}/role/", {"role": "captain"}
    )
    assert response.status_code == 302
    membership = HubRole.objects.get(hub=cast.hub_a, user=cast.organizer_a)
    assert membership.role == HubRole.Role.CAPTAIN
    cast.organizer_a.refresh_from_db()
    assert cast.organizer_a.role == Role.CAPTAIN
    # Now a co-captain, they can manage the hub's members.
    assert client_for(cast.organizer_a).get("/hubs/hub-a/members/").status_code == 200


def test_a_promoted_volunteer_can_then_be_demoted_back(cast):
    hub_role_set(by=cast.captain_a, hub=cast.hub_a, user_id=cast.volunteer_a.pk, role="captain")
    hub_role_set(by=cast.captain_a, hub=cast.hub_a, user_id=cast.volunteer_a.pk, role="organizer")
    cast.volunteer_a.refresh_from_db()
    assert HubRole.objects.get(user=cast.volunteer_a).role == "organizer"
    assert cast.volunteer_a.role == Role.ORGANIZER


def test_the_last_captain_cannot_be_demoted(cast, client_for):
    client = client_for(cast.captain_a)
    response = client.post(f"/hubs/hub-a/users/{cast.captain_a.pk}/role/", {"role": "organizer"})
    assert response.status_code == 302
    assert HubRole.objects.get(hub=cast.hub_a, user=cast.captain_a).role == "captain"
    html = client.get("/hubs/hub-a/members/").content.decode()
    assert "at least one captain" in html
    with pytest.raises(LastCaptain):
        hub_role_set(by=cast.staff, hub=cast.hub_a, user_id=cast.captain_a.pk, role="volunteer")


def test_with_a_co_captain_a_captain_can_step_down(cast):
    hub_role_set(by=cast.captain_a, hub=cast.hub_a, user_id=cast.organizer_a.pk, role="captain")
    hub_role_set(by=cast.captain_a, hub=cast.hub_a, user_id=cast.captain_a.pk, role="organizer")
    assert HubRole.objects.get(hub=cast.hub_a, user=cast.captain_a).role == "organizer"


def test_a_captain_cannot_promote_someone_in_another_hub(cast, client_for):
    response = client_for(cast.captain_a).post(
        f"/hubs/hub-a/users/{cast.organizer_b.pk}/role/", {"role": "captain"}
    )
    assert response.status_code == 302  # refused with a message: not in this hub
    assert HubRole.objects.get(user=cast.organizer_b).role == "organizer"
    assert (
        client_for(cast.captain_a)
        .post(f"/hubs/hub-b/users/{cast.organizer_b.pk}/role/", {"role": "captain"})
        .status_code
        == 404
    )
    assert HubRole.objects.get(user=cast.organizer_b).role == "organizer"
