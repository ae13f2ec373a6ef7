"""Acting on many people from the People list: tag, add to a hub, assign an organizer —
scoped per persona, bounded, set-based, one history entry per person changed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from contacts.models import Contact, ContactEvent, HubMember, Tag
from contacts.services import bulk as bulk_service
from contacts.services.bulk import people_bulk_assign
from hubs.models import HubRole
from tests.factories import ContactFactory, HubFactory, HubMemberFactory, HubRoleFactory

BULK = reverse("contacts:bulk")


def tagged(name: str) -> set[int]:
    return set(Contact.objects.filter(tags__name=name).values_list("pk", flat=True))


def test_staff_tags_the_ticked_people_with_one_history_entry_each(cast, client_for):
    client = client_for(cast.staff)
    data = {"action": "tag", "tag": "potluck host", "ids": [cast.person_a.pk, cast.person_b.pk]}

    response = client.post(BULK, data, follow=True)

    assert "Tag them: 2 of 2 people changed" in response.content.decode()
    assert tagged("potluck host") == {cast.person_a.pk, cast.person_b.pk}
    assert ContactEvent.objects.filter(summary__startswith="Tagged").count() == 2
    client.post(BULK, data)  # again: nothing changes, no new history
    assert ContactEvent.objects.filter(summary__startswith="Tagged").count() == 2
    assert Tag.objects.filter(name__iexact="potluck host").count() == 1


def test_ticked_people_outside_the_users_scope_are_ignored(cast, client_for):
    data = {"action": "tag", "tag": "x", "ids": [cast.person_a.pk, cast.person_b.pk]}
    client_for(cast.organizer_a).post(BULK, data)
    assert tagged("x") == {cast.person_a.pk}
    assert not ContactEvent.objects.filter(contact=cast.person_b).exists()


def test_all_matching_the_filter_uses_the_filter_in_the_query_string(cast, client_for):
    other = ContactFactory(first_name="Zoe", last_name="Other")
    HubMemberFactory(contact=other, hub=cast.hub_a)
    client = client_for(cast.staff)
    response = client.post(f"{BULK}?q=alvarez", {"action": "tag", "tag": "t", "all": "1"})
    assert response.status_code == 302 and response["Location"] == "/people/?q=alvarez"
    assert tagged("t") == {cast.person_a.pk}


def test_all_matching_for_an_organizer_of_hub_b_stays_in_hub_b(cast, client_for):
    client_for(cast.organizer_b).post(BULK, {"action": "tag", "tag": "t", "all": "1"})
    assert tagged("t") == {cast.person_b.pk}


def test_a_captain_adds_people_to_a_hub_they_run_but_not_to_another(cast, client_for):
    hub_c = HubFactory(name="Hub C", slug="hub-c")
    HubRoleFactory(hub=hub_c, user=cast.captain_a, role=HubRole.Role.CAPTAIN)
    client = client_for(cast.captain_a)

    client.post(BULK, {"action": "hub", "hub": hub_c.pk, "ids": [cast.person_a.pk]})
    refused = client.post(BULK, {"action": "hub", "hub": cast.hub_b.pk, "all": "1"})

    assert HubMember.objects.filter(hub=hub_c, contact=cast.person_a).exists()
    assert refused.status_code == 400
    assert not HubMember.objects.filter(hub=cast.hub_b, contact=cast.person_a).exists()
    event = ContactEvent.objects.get(contact=cast.person_a)
    assert event.actor == cast.captain_a and event.changes["hub"] == "hub-c"


def test_an_organizer_cannot_add_to_hubs_and_is_not_offered_to(cast, client_for):
    client = client_for(cast.organizer_a)
    html = client.get("/people/").content.decode()
    assert 'id="bulk-form"' in html and 'id="bulk-hub"' not in html
    response = client.post(BULK, {"action": "hub", "hub": cast.hub_a.pk, "all": "1"})
    assert response.status_code == 400
    assert HubMember.objects.count() == 2  # the cast's two memberships only


def test_staff_assigns_an_organizer_and_the_history_says_who_had_them(cast, client_for):
    Contact.objects.filter(pk=cast.person_a.pk).update(owner=cast.organizer_b)
    client_for(cast.staff).post(
        f"{BULK}?q=alvarez", {"action": "owner", "owner": cast.organizer_a.pk, "all": "1"}
    )
    cast.person_a.refresh_from_db()
    assert cast.person_a.owner == cast.organizer_a
    assert cast.person_a.updated_by == cast.staff
    event = ContactEvent.objects.get(contact=cast.person_a)
    assert event.changes["owner"] == [str(cast.organizer_b), str(cast.organizer_a)]


def test_an_organizer_can_only_assign_people_to_users_of_their_hubs(cast, client_for):
    client = client_for(cast.organizer_a)
    data = {"action": "owner", "owner": cast.organizer_b.pk, "ids": [cast.person_a.pk]}
    assert client.post(BULK, data).status_code == 400
    data["owner"] = cast.captain_a.pk
    client.post(BULK, data)
    assert Contact.objects.get(pk=cast.person_a.pk).owner == cast.captain_a


def test_volunteers_and_visitors_cannot_act_on_many_people(cast, client_for, client):
    data = {"action": "tag", "tag": "x", "all": "1"}
    assert client_for(cast.volunteer_a).post(BULK, data).status_code == 404
    assert 'id="bulk-form"' not in client_for(cast.volunteer_a).get("/people/").content.decode()
    assert client.post(BULK, data).status_code == 302  # to sign in
    assert not tagged("x")


def test_it_is_bounded_and_refuses_bad_input_with_a_message(cast, client_for, monkeypatch):
    client = client_for(cast.staff)
    too_many = {"action": "tag", "tag": "x", "ids": [str(i) for i in range(1, 502)]}
    assert client.post(BULK, too_many).status_code == 400
    bad = client.post(BULK, {"action": "tag", "tag": "x", "ids": ["1; DROP"]})
    assert bad.status_code == 400
    nothing = client.post(BULK, {"action": "tag", "tag": "x"})
    assert "Tick some people" in nothing.content.decode()
    invalid_filter = client.post(f"{BULK}?tag=nope", {"action": "tag", "tag": "x", "all": "1"})
    assert invalid_filter.status_code == 400
    monkeypatch.setattr(bulk_service, "BULK_MAX", 1)
    over = client.post(BULK, {"action": "tag", "tag": "x", "all": "1"})
    assert over.status_code == 400 and "more than 1 people" in over.content.decode()
    assert not tagged("x")


def test_it_is_set_based(cast, client_for, django_assert_max_num_queries):
    for _ in range(40):
        HubMemberFactory(contact=ContactFactory(), hub=cast.hub_a)
    client = client_for(cast.staff)
    with django_assert_max_num_queries(20):
        client.post(BULK, {"action": "tag", "tag": "many", "all": "1"})
    assert len(tagged("many")) == 42


@pytest.mark.django_db(transaction=True)
def test_assigning_locks_the_rows_in_its_own_transaction(cast):
    result = people_bulk_assign(
        by=cast.staff, people=Contact.objects.filter(pk=cast.person_a.pk), owner=cast.captain_a
    )
    assert (result.matched, result.changed) == (1, 1)
    assert Contact.objects.get(pk=cast.person_a.pk).owner == cast.captain_a
