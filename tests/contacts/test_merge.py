from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from contacts.models import (
    Assessment,
    Contact,
    ContactEvent,
    Email,
    ExternalId,
    FollowUp,
    HubMember,
    Interaction,
    Phone,
    Relationship,
    Tag,
)
from contacts.services.people import contact_merge
from tests.factories import ContactFactory, HubMemberFactory, PhoneFactory


@pytest.fixture
def dupe(cast):
    """Ana again, entered later by someone else, with her own history."""
    person = ContactFactory(first_name="Ana", last_name="Alvarez", employer="Acme")
    HubMemberFactory(contact=person, hub=cast.hub_b)
    HubMemberFactory(contact=person, hub=cast.hub_a)
    return person


@pytest.mark.parametrize("persona", ["captain_a", "organizer_a", "organizer_b", "volunteer_a"])
def test_only_staff_can_merge_others_get_404(cast, client_for, dupe, persona):
    client = client_for(getattr(cast, persona))
    assert client.get(f"/people/{cast.person_a.pk}/merge/").status_code == 404
    response = client.post(f"/people/{cast.person_a.pk}/merge/", {"other": dupe.pk})
    assert response.status_code == 404
    assert Contact.objects.filter(pk=dupe.pk).exists()
    assert client.get("/people/duplicates/").status_code == 404


def test_staff_picks_compares_and_merges(cast, client_for, dupe):
    client = client_for(cast.staff)
    html = client.get(f"/people/{cast.person_a.pk}/merge/", {"q": "alvarez"}).content.decode()
    assert f'value="{dupe.pk}"' in html
    html = client.get(f"/people/{cast.person_a.pk}/merge/", {"other": dupe.pk}).content.decode()
    assert "Acme" in html and "Merge these two people" in html
    response = client.post(
        f"/people/{cast.person_a.pk}/merge/", {"other": dupe.pk, "take_employer": "remove"}
    )
    assert response.status_code == 302
    assert not Contact.objects.filter(pk=dupe.pk).exists()
    kept = Contact.objects.get(pk=cast.person_a.pk)
    assert kept.employer == "Acme"
    event = kept.events.get(kind=ContactEvent.Kind.MERGED)
    assert event.actor == cast.staff
    assert event.changes["merged_id"] == dupe.pk
    assert event.changes["fields"]["employer"] == ["", "Acme"]


def test_merge_keeps_every_record_and_recomputes(cast, dupe):
    keep, remove = cast.person_a, dupe
    Contact.objects.filter(pk=remove.pk).update(created_at=timezone.now() - timedelta(days=400))
    remove.refresh_from_db()
    PhoneFactory(contact=keep, e164="+12125550100")
    PhoneFactory(contact=remove, e164="+12125550100")
    PhoneFactory(contact=remove, e164="+12125550101", raw="2125550101", is_primary=False)
    Email.objects.create(contact=remove, address="ana@example.org", is_primary=True)
    now = timezone.now()
    Interaction.objects.create(contact=keep, kind="call", happened_at=now - timedelta(days=9))
    Interaction.objects.create(contact=remove, kind="one_on_one", happened_at=now - timedelta(1))
    Assessment.objects.create(contact=keep, level=3, assessed_at=now - timedelta(days=9))
    Assessment.objects.create(contact=remove, level=1, assessed_at=now - timedelta(days=1))
    FollowUp.objects.create(
        contact=remove, assigned_to=cast.organizer_a, due_on=now.date(), what="x"
    )
    ExternalId.objects.create(contact=remove, system="van", value="123")
    friend = ContactFactory()
    Relationship.objects.create(from_contact=remove, to_contact=friend, kind="friend")
    Relationship.objects.create(from_contact=keep, to_contact=friend, kind="friend")
    Relationship.objects.create(from_contact=friend, to_contact=remove, kind="coworker")
    Relationship.objects.create(from_contact=keep, to_contact=remove, kind="family")
    recruit = ContactFactory(recruited_by=remove)
    Contact.objects.filter(pk=keep.pk).update(recruited_by=remove)
    keep.refresh_from_db()
    remove.tags.add(Tag.objects.create(name="leader"))
    remove.do_not_contact = True
    remove.save()

    kept = contact_merge(by=cast.staff, keep=keep, remove=remove)

    assert not Contact.objects.filter(pk=remove.pk).exists()
    assert sorted(Phone.objects.filter(contact=kept).values_list("e164", "is_primary")) == [
        ("+12125550100", True),
        ("+12125550101", False),
    ]
    assert list(Email.objects.filter(contact=kept).values_list("address", "is_primary")) == [
        ("ana@example.org", True)
    ]
    assert kept.interactions.count() == 2
    assert kept.assessments.count() == 2
    assert kept.assessment == 1
    assert kept.last_contacted_at == now - timedelta(days=1)
    assert kept.follow_ups.count() == 1
    assert kept.external_ids.get().value == "123"
    assert set(Relationship.objects.values_list("from_contact_id", "to_contact_id", "kind")) == {
        (kept.pk, friend.pk, "friend"),
        (friend.pk, kept.pk, "coworker"),
    }
    assert set(HubMember.objects.filter(contact=kept).values_list("hub_id", flat=True)) == {
        cast.hub_a.pk,
        cast.hub_b.pk,
    }
    assert list(kept.tags.values_list("name", flat=True)) == ["leader"]
    recruit.refresh_from_db()
    assert recruit.recruited_by == kept
    assert kept.recruited_by is None
    assert kept.created_at == remove.created_at
    assert kept.do_not_contact is True
    assert kept.events.filter(kind=ContactEvent.Kind.MERGED).count() == 1


def test_a_person_cannot_be_merged_with_themselves(cast):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        contact_merge(by=cast.staff, keep=cast.person_a, remove=cast.person_a)


def test_the_duplicates_list_groups_people_sharing_a_phone_or_email(cast, client_for, dupe):
    PhoneFactory(contact=cast.person_a, e164="+12125550100")
    PhoneFactory(contact=dupe, e164="+12125550100")
    Email.objects.create(contact=cast.person_b, address="same@example.org")
    Email.objects.create(contact=dupe, address="same@example.org")
    html = client_for(cast.staff).get("/people/duplicates/").content.decode()
    assert "(212) 555-0100" in html
    assert "same@example.org" in html
    assert f"/people/{cast.person_a.pk}/merge/?other={dupe.pk}" in html
    assert html.count('class="person-row"') == 2


def test_merge_moves_where_they_live_and_their_workplace_map_place(cast, dupe):
    from hubs.models import Building, DoorResult, Placement, Residence, Unit, Worksite

    building = Building.objects.create(street_number="5", street="Myrtle Ave")
    home, old_home = (Unit.objects.create(building=building, label=x) for x in ("1", "2"))
    Residence.objects.create(contact=cast.person_a, unit=home)
    Residence.objects.create(contact=dupe, unit=home)  # the same door twice: kept once
    Residence.objects.create(contact=dupe, unit=old_home)
    site = Worksite.objects.create(hub=cast.hub_b, name="Warehouse")
    Placement.objects.create(hub=cast.hub_b, contact=dupe, worksite=site)
    knock = DoorResult.objects.create(unit=old_home, contact=dupe, result="talked")

    contact_merge(by=cast.staff, keep=cast.person_a, remove=dupe)

    assert sorted(
        Residence.objects.filter(contact=cast.person_a).values_list("unit__label", flat=True)
    ) == ["1", "2"]
    assert Placement.objects.get(worksite=site).contact == cast.person_a
    knock.refresh_from_db()
    assert knock.contact == cast.person_a


def test_the_duplicates_list_proposes_the_same_name_at_the_same_address_or_zip(cast, client_for):
    street_twin = ContactFactory(first_name="ANA", last_name="Álvarez", street="5 Myrtle Ave")
    Contact.objects.filter(pk=cast.person_a.pk).update(street=" 5 myrtle ave", zip_code="11221")
    zip_a = ContactFactory(first_name="Bo", last_name="Baker", zip_code="11237")
    Contact.objects.filter(pk=cast.person_b.pk).update(zip_code="11237")
    ContactFactory(first_name="Bo", last_name="Baker", zip_code="10001")  # elsewhere: not proposed
    ContactFactory(first_name="Cy", last_name="Cole", zip_code="11237")  # another name

    html = client_for(cast.staff).get("/people/duplicates/").content.decode()

    assert "Same name, same address: " in html
    assert f"/people/{cast.person_a.pk}/merge/?other={street_twin.pk}" in html
    assert "Same name, same ZIP code: 11237" in html
    assert f"/people/{cast.person_b.pk}/merge/?other={zip_a.pk}" in html
    assert html.count('class="person-row"') == 2
    assert "Cole" not in html


def test_the_duplicates_query_is_one_query_and_scoped(cast, django_assert_num_queries):
    from contacts.selectors.people import duplicate_groups

    for _ in range(3):
        ContactFactory(first_name="Ana", last_name="Alvarez", zip_code="11221")
    Contact.objects.filter(pk=cast.person_a.pk).update(zip_code="11221")
    with django_assert_num_queries(2):  # the groups, then the people in them
        groups = duplicate_groups(cast.staff)
    assert [len(g.people) for g in groups] == [4]
    # An organizer of hub B sees none of these people, so no group.
    assert duplicate_groups(cast.organizer_b) == []
