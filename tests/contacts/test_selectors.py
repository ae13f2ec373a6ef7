from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from contacts.selectors.access import contact_for_user, contacts_for_user
from tests.factories import ContactFactory


def test_staff_sees_everyone(cast):
    assert set(contacts_for_user(cast.staff)) == {cast.person_a, cast.person_b}


def test_captain_sees_their_hubs_people_only(cast):
    assert set(contacts_for_user(cast.captain_a)) == {cast.person_a}


def test_organizer_sees_own_people_and_hub_people(cast):
    mine = ContactFactory(owner=cast.organizer_b)
    assert set(contacts_for_user(cast.organizer_a)) == {cast.person_a}
    assert set(contacts_for_user(cast.organizer_b)) == {cast.person_b, mine}


def test_volunteer_sees_only_people_assigned_to_them(cast):
    assigned = ContactFactory(owner=cast.volunteer_a)
    assert set(contacts_for_user(cast.volunteer_a)) == {assigned}


def test_anonymous_and_deactivated_users_see_nobody(cast):
    assert not contacts_for_user(AnonymousUser()).exists()
    cast.staff.is_active = False
    assert not contacts_for_user(cast.staff).exists()


def test_it_answers_404_for_a_person_outside_the_users_scope(cast):
    assert contact_for_user(cast.organizer_a, cast.person_a.pk) == cast.person_a
    with pytest.raises(Http404):
        contact_for_user(cast.organizer_a, cast.person_b.pk)


def test_the_probe_form_of_the_scope_sees_exactly_the_same_people(cast):
    from tests.factories import HubMemberFactory

    mine = ContactFactory(owner=cast.organizer_b)
    both = ContactFactory()
    HubMemberFactory(contact=both, hub=cast.hub_a)
    HubMemberFactory(contact=both, hub=cast.hub_b)
    for user in (cast.staff, cast.captain_a, cast.organizer_a, cast.organizer_b, cast.volunteer_a):
        assert set(contacts_for_user(user, probe=True)) == set(contacts_for_user(user)), user
    assert mine in contacts_for_user(cast.organizer_b, probe=True)
    assert not contacts_for_user(AnonymousUser(), probe=True).exists()
