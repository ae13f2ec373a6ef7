from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from contacts.models import Contact, ContactEvent, Email, Issue, Phone, Relationship, Tag
from tests.factories import ContactFactory, HubMemberFactory, PhoneFactory

PAGES = ["/people/{pk}/", "/people/{pk}/edit/"]


def results(client, query: dict) -> str:
    """The list's results only (what search-as-you-type swaps in)."""
    response = client.get(
        "/people/", query, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="people-results"
    )
    assert response.status_code == 200
    return response.content.decode()


# --- who may see what ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["staff", "captain_a", "organizer_a"])
def test_people_in_hub_a_see_person_a_in_the_list(cast, client_for, persona):
    html = client_for(getattr(cast, persona)).get("/people/").content.decode()
    assert "Alvarez" in html


@pytest.mark.parametrize("persona", ["organizer_b", "volunteer_a"])
def test_people_outside_hub_a_do_not_see_person_a_in_the_list(cast, client_for, persona):
    response = client_for(getattr(cast, persona)).get("/people/")
    assert response.status_code == 200
    assert "Alvarez" not in response.content.decode()


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("persona", ["staff", "captain_a", "organizer_a"])
def test_allowed_personas_open_person_a_pages(cast, client_for, persona, page):
    response = client_for(getattr(cast, persona)).get(page.format(pk=cast.person_a.pk))
    assert response.status_code == 200
    assert "Ana" in response.content.decode()


@pytest.mark.parametrize("page", [*PAGES, "/people/{pk}/relationships/candidates/"])
@pytest.mark.parametrize("persona", ["organizer_b", "volunteer_a"])
def test_guessing_the_url_of_someone_outside_scope_answers_404(cast, client_for, persona, page):
    response = client_for(getattr(cast, persona)).get(page.format(pk=cast.person_a.pk))
    assert response.status_code == 404


def test_posting_an_edit_to_someone_outside_scope_answers_404_and_changes_nothing(cast, client_for):
    response = client_for(cast.organizer_b).post(
        f"/people/{cast.person_a.pk}/edit/", {"first_name": "Hacked"}
    )
    assert response.status_code == 404
    cast.person_a.refresh_from_db()
    assert cast.person_a.first_name == "Ana"


@pytest.mark.parametrize("url", ["/people/", "/people/new/", "/people/1/", "/people/export.csv"])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- list ------------------------------------------------------------------------------------


def _people_in_hub(hub, n: int) -> None:
    for i in range(n):
        person = ContactFactory(last_name=f"Zed{i:03d}")
        HubMemberFactory(contact=person, hub=hub)
        PhoneFactory(contact=person, raw=f"212555{i:04d}", e164=f"+1212555{i:04d}")
        Email.objects.create(contact=person, address=f"z{i}@example.org", is_primary=True)
        person.tags.add(Tag.objects.get_or_create(name=f"t{i % 3}")[0])


@pytest.mark.parametrize("rows", [5, 50])
def test_the_list_query_count_does_not_grow_with_rows(
    cast, client_for, django_assert_max_num_queries, rows
):
    _people_in_hub(cast.hub_a, rows)
    client = client_for(cast.organizer_a)
    with django_assert_max_num_queries(14):  # +2: the hubs and organizers of the bulk actions
        response = client.get("/people/")
    assert response.content.decode().count('class="person-row"') == min(rows + 1, 50)


def test_the_list_is_ordered_by_last_name_and_paginated(cast, client_for):
    _people_in_hub(cast.hub_a, 55)
    client = client_for(cast.organizer_a)
    first = client.get("/people/").content.decode()
    assert first.index("Alvarez") < first.index("Zed000")
    assert "Page 1 of 2" in first
    second = client.get("/people/", {"page": 2}).content.decode()
    assert "Zed054" in second and "Alvarez" not in second


def test_filters_are_shareable_urls(cast, client_for):
    housing = Issue.objects.create(name="Housing", slug="housing")
    other = ContactFactory(last_name="Other")
    HubMemberFactory(contact=other, hub=cast.hub_a)
    cast.person_a.issues.add(housing)
    cast.person_a.tags.add(Tag.objects.create(name="potluck"))
    Contact.objects.filter(pk=cast.person_a.pk).update(
        assessment=2, membership_status="good_standing"
    )
    client = client_for(cast.organizer_a)
    for query in [
        {"issue": "housing"},
        {"tag": "potluck"},
        {"assessment": "2"},
        {"membership": "good_standing"},
        {"hub": cast.hub_a.pk, "issue": "housing"},
    ]:
        html = results(client, query)
        assert "Alvarez" in html and "Other" not in html, query


def test_owner_filter_mine_and_last_contacted(cast, client_for):
    mine = ContactFactory(last_name="Mine", owner=cast.organizer_a)
    recent = ContactFactory(last_name="Recent", owner=cast.organizer_a)
    Contact.objects.filter(pk=recent.pk).update(last_contacted_at=timezone.now())
    Contact.objects.filter(pk=mine.pk).update(last_contacted_at=timezone.now() - timedelta(days=40))
    client = client_for(cast.organizer_a)
    html = results(client, {"owner": "mine"})
    assert "Mine" in html and "Recent" in html and "Alvarez" not in html
    html = results(client, {"contacted": "within_7"})
    assert "Recent" in html and "Mine" not in html
    html = results(client, {"contacted": "over_30"})
    assert "Mine" in html and "Alvarez" in html and "Recent" not in html
    html = results(client, {"contacted": "never"})
    assert "Alvarez" in html and "Mine" not in html


def test_a_hub_filter_for_a_hub_the_user_cannot_see_is_rejected(cast, client_for):
    response = client_for(cast.organizer_a).get("/people/", {"hub": cast.hub_b.pk})
    assert response.status_code == 400  # a clear 4xx, and nobody listed
    assert "Baker" not in response.content.decode()
    assert "Select a valid choice" in response.content.decode()


# --- add a person ----------------------------------------------------------------------------


def _form(**extra) -> dict:
    data = {
        "first_name": "Rosa",
        "last_name": "Parks",
        "membership_status": "not_member",
        "email_ok": "on",
        "phones-TOTAL_FORMS": "2",
        "phones-INITIAL_FORMS": "0",
        "phones-0-raw": "(212) 555-0199",
        "phones-0-kind": "mobile",
        "phones-1-raw": "",
        "phones-1-kind": "mobile",
        "emails-TOTAL_FORMS": "1",
        "emails-INITIAL_FORMS": "0",
        "emails-0-address": " Rosa@Example.org ",
        "ids-TOTAL_FORMS": "1",
        "ids-INITIAL_FORMS": "0",
        "ids-0-system": "van",
        "ids-0-value": "",
    }
    data.update(extra)
    return data


def test_an_organizer_adds_a_person_with_phones_emails_tags_and_issues(cast, client_for):
    transit = Issue.objects.create(name="Transit", slug="transit")
    response = client_for(cast.organizer_a).post(
        "/people/new/",
        _form(
            **{
                "phones-1-raw": "212.555.0198",
                "phones-1-kind": "work",
                "phones-1-is_primary": "on",
                "tags_text": "potluck, Canvasser",
                "issues": [transit.pk],
                "ids-0-value": "V123",
                "hubs": [cast.hub_a.pk],
            }
        ),
    )
    assert response.status_code == 302
    person = Contact.objects.get(last_name="Parks")
    assert response["Location"] == f"/people/{person.pk}/"
    assert person.owner == cast.organizer_a
    assert person.created_by == cast.organizer_a
    assert list(person.phones.order_by("-is_primary").values_list("e164", "is_primary")) == [
        ("+12125550198", True),
        ("+12125550199", False),
    ]
    assert list(person.emails.values_list("address", flat=True)) == ["rosa@example.org"]
    assert sorted(person.tags.values_list("name", flat=True)) == ["Canvasser", "potluck"]
    assert list(person.issues.all()) == [transit]
    assert person.external_ids.get().value == "V123"
    assert person.hub_memberships.get().hub == cast.hub_a
    assert person.events.get().kind == ContactEvent.Kind.CREATED


def test_an_invalid_phone_is_a_clear_error_that_keeps_what_was_typed(cast, client_for):
    response = client_for(cast.organizer_a).post(
        "/people/new/", _form(**{"phones-0-raw": "555-01", "employer": "Acme Bakery"})
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "“555-01” is not a valid phone number" in html
    assert 'value="555-01"' in html
    assert 'value="Rosa"' in html and 'value="Acme Bakery"' in html
    assert 'value="Rosa@Example.org"' in html or 'value=" Rosa@Example.org "' in html
    assert not Contact.objects.filter(last_name="Parks").exists()


def test_creating_with_an_existing_phone_offers_the_existing_person(cast, client_for):
    PhoneFactory(contact=cast.person_a, e164="+12125550199", raw="212 555 0199")
    client = client_for(cast.organizer_a)
    response = client.post("/people/new/", _form())
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="/people/{cast.person_a.pk}/"' in html
    assert "Create a new person anyway" in html
    assert not Contact.objects.filter(last_name="Parks").exists()

    response = client.post("/people/new/", _form(create_anyway="on"))
    assert response.status_code == 302
    assert Contact.objects.filter(last_name="Parks").count() == 1


def test_a_duplicate_outside_scope_is_not_named_to_the_user(cast, client_for):
    PhoneFactory(contact=cast.person_b, e164="+12125550199", raw="212 555 0199")
    html = client_for(cast.organizer_a).post("/people/new/", _form()).content.decode()
    assert "Baker" not in html
    assert "outside the people you can see" in html


def test_creating_with_an_existing_email_in_another_case_offers_the_existing_person(
    cast, client_for
):
    Email.objects.create(contact=cast.person_a, address="rosa@example.org", is_primary=True)
    html = (
        client_for(cast.organizer_a)
        .post("/people/new/", _form(**{"phones-0-raw": ""}))
        .content.decode()
    )
    assert f'href="/people/{cast.person_a.pk}/"' in html


# --- edit a person ---------------------------------------------------------------------------


def _edit_form(person, **extra) -> dict:
    base = {"first_name": person.first_name, "last_name": person.last_name}
    return _form(**{**base, "phones-0-raw": "", "emails-0-address": "", **extra})


def test_an_edit_records_who_changed_what(cast, client_for):
    PhoneFactory(contact=cast.person_a)
    response = client_for(cast.organizer_a).post(
        f"/people/{cast.person_a.pk}/edit/",
        _edit_form(
            cast.person_a,
            preferred_name="Anita",
            do_not_contact="on",
            **{"phones-0-raw": "+1 212 555 0100", "tags_text": "leader"},
        ),
    )
    assert response.status_code == 302
    person = Contact.objects.get(pk=cast.person_a.pk)
    assert person.preferred_name == "Anita"
    assert person.do_not_contact is True
    assert person.updated_by == cast.organizer_a
    event = person.events.get(kind=ContactEvent.Kind.EDITED)
    assert event.actor == cast.organizer_a
    assert event.changes["preferred_name"] == ["", "Anita"]
    assert event.changes["do_not_contact"] == [False, True]
    assert event.changes["tags"] == [[], ["leader"]]
    assert "phones" not in event.changes  # same number, typed differently
    assert (
        "Do not contact this person."
        in client_for(cast.organizer_a).get(f"/people/{person.pk}/").content.decode()
    )


def test_an_edit_with_an_invalid_phone_saves_nothing(cast, client_for):
    response = client_for(cast.organizer_a).post(
        f"/people/{cast.person_a.pk}/edit/",
        _edit_form(cast.person_a, first_name="Changed", **{"phones-0-raw": "12"}),
    )
    assert response.status_code == 200
    assert "“12” is not" in response.content.decode()
    cast.person_a.refresh_from_db()
    assert cast.person_a.first_name == "Ana"
    assert not Phone.objects.filter(contact=cast.person_a).exists()


def test_an_edit_can_remove_a_phone_by_clearing_it(cast, client_for):
    PhoneFactory(contact=cast.person_a)
    response = client_for(cast.organizer_a).post(
        f"/people/{cast.person_a.pk}/edit/", _edit_form(cast.person_a)
    )
    assert response.status_code == 302
    assert not cast.person_a.phones.exists()
    event = cast.person_a.events.get()
    assert event.changes["phones"] == [["+12125550100"], []]


def test_two_primary_phones_are_refused(cast, client_for):
    response = client_for(cast.organizer_a).post(
        f"/people/{cast.person_a.pk}/edit/",
        _edit_form(
            cast.person_a,
            **{
                "phones-0-raw": "2125550100",
                "phones-0-is_primary": "on",
                "phones-1-raw": "2125550101",
                "phones-1-is_primary": "on",
            },
        ),
    )
    assert response.status_code == 200
    assert "Mark only one as primary." in response.content.decode()


# --- person page: relationships and recruitment ----------------------------------------------


def test_the_person_page_shows_phones_as_tap_to_call_and_text(cast, client_for):
    PhoneFactory(contact=cast.person_a)
    html = client_for(cast.organizer_a).get(f"/people/{cast.person_a.pk}/").content.decode()
    assert 'href="tel:+12125550100"' in html
    assert 'href="sms:+12125550100"' in html
    assert "(212) 555-0100" in html


def test_adding_a_relationship_shows_on_both_people(cast, client_for):
    friend = ContactFactory(first_name="Fran", last_name="Friend")
    HubMemberFactory(contact=friend, hub=cast.hub_a)
    client = client_for(cast.organizer_a)
    picker = client.get(
        f"/people/{cast.person_a.pk}/relationships/candidates/",
        {"rel_q": "fran"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert f'value="{friend.pk}"' in picker
    response = client.post(
        f"/people/{cast.person_a.pk}/relationships/", {"other": friend.pk, "kind": "neighbor"}
    )
    assert response.status_code == 302
    assert Relationship.objects.filter(
        from_contact=cast.person_a, to_contact=friend, kind="neighbor"
    ).exists()
    assert "Alvarez" in client.get(f"/people/{friend.pk}/").content.decode()


def test_a_relationship_to_someone_outside_scope_answers_404(cast, client_for):
    response = client_for(cast.organizer_a).post(
        f"/people/{cast.person_a.pk}/relationships/", {"other": cast.person_b.pk, "kind": "friend"}
    )
    assert response.status_code == 404
    assert not Relationship.objects.exists()


def test_the_recruitment_tree_shows_who_they_brought_in_within_scope(cast, client_for):
    child = ContactFactory(first_name="Child", recruited_by=cast.person_a)
    HubMemberFactory(contact=child, hub=cast.hub_a)
    grandchild = ContactFactory(first_name="Grandchild", recruited_by=child)
    HubMemberFactory(contact=grandchild, hub=cast.hub_a)
    hidden = ContactFactory(first_name="Hidden", recruited_by=child)
    HubMemberFactory(contact=hidden, hub=cast.hub_b)
    html = client_for(cast.organizer_a).get(f"/people/{cast.person_a.pk}/").content.decode()
    assert "Child" in html and "Grandchild" in html
    assert "Hidden" not in html
    html = client_for(cast.staff).get(f"/people/{cast.person_a.pk}/").content.decode()
    assert "Hidden" in html


def test_recruited_by_can_be_set_but_never_in_a_cycle(cast, client_for):
    child = ContactFactory(first_name="Child", recruited_by=cast.person_a)
    HubMemberFactory(contact=child, hub=cast.hub_a)
    client = client_for(cast.organizer_a)
    client.post(
        f"/people/{cast.person_a.pk}/relationships/", {"other": child.pk, "kind": "recruited_by"}
    )
    cast.person_a.refresh_from_db()
    assert cast.person_a.recruited_by is None
    other = ContactFactory(first_name="Recruiter")
    HubMemberFactory(contact=other, hub=cast.hub_a)
    client.post(
        f"/people/{cast.person_a.pk}/relationships/", {"other": other.pk, "kind": "recruited_by"}
    )
    cast.person_a.refresh_from_db()
    assert cast.person_a.recruited_by == other


def test_an_external_id_someone_else_holds_is_refused_at_creation(cast):
    from django.core.exceptions import ValidationError

    from contacts.models import ExternalId
    from contacts.services.people import NewContact, contact_create

    holder = ContactFactory()
    ExternalId.objects.create(contact=holder, system="van", value="V123")
    before = Contact.objects.count()
    with pytest.raises(ValidationError) as refused:
        contact_create(
            by=cast.organizer_a,
            data=NewContact(first_name="Ana", external_ids=[("van", " V123 ")]),
        )
    assert "external_ids" in refused.value.message_dict
    assert Contact.objects.count() == before
    # Without ids the check is skipped, not failed: the person is created.
    assert contact_create(by=cast.organizer_a, data=NewContact(first_name="Ana")).pk
