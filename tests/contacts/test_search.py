"""The one person-finder (``contacts.selectors.search``): every query kind × every persona."""

from __future__ import annotations

import pytest
from django.db import connection

from contacts.models import Contact, Email, HubMember, Phone, SearchDoc
from contacts.selectors.search import find_people, match_tsquery, query_kind
from tests.factories import ContactFactory, EmailFactory, HubMemberFactory, PhoneFactory

# What a person would type to find each one: names with and without accents, a phone in any
# format, any part of a number (area code + exchange, the last 4 or 7 digits, with the country
# code), an email or its start, a dotted word (name or email).
QUERIES = {
    "jose": [
        "jose",
        "JOSÉ",
        "nunez",
        "Núñez García",
        "jo nu",
        "garc",
        "(212) 555-0100",
        "212.555.0100",
        "+1 212 555 0100",
        "2125550100",
        "212 555",
        "0100",
        "555-0100",
        "1212555",
        "jose.nunez@example.org",
        "JOSE.NUNEZ@Example.org",
        "jose.nu",
    ],
    "bo": ["baker", "Bo Bak", "(718) 555-0123", "718 555", "0123", "555 0123", "bo.baker@"],
    "olga": ["olga", "Øwens", "owens", "646-555-0142", "0142", "olga.o"],
    "vera": ["vera", "Volk", "Vera Völk", "347.555.0199", "0199", "5550199", "vera@ex"],
}
# Who each persona may see (contacts_for_user): hub A's people and their own.
VISIBLE = {
    "staff": {"jose", "bo", "olga", "vera"},
    "captain_a": {"jose"},
    "organizer_a": {"jose"},
    "organizer_b": {"bo", "olga"},  # bo is in hub B; olga is theirs
    "volunteer_a": {"vera"},  # assigned to them
}


@pytest.fixture
def people(cast) -> dict[str, Contact]:
    jose = ContactFactory(first_name="José", last_name="Núñez-García")
    HubMemberFactory(contact=jose, hub=cast.hub_a)
    PhoneFactory(contact=jose, raw="(212) 555-0100", e164="+12125550100")
    EmailFactory(contact=jose, address="jose.nunez@example.org")
    bo = cast.person_b
    PhoneFactory(contact=bo, raw="718 555 0123", e164="+17185550123")
    EmailFactory(contact=bo, address="bo.baker@example.org")
    olga = ContactFactory(first_name="Olga", last_name="Øwens", owner=cast.organizer_b)
    PhoneFactory(contact=olga, raw="646-555-0142", e164="+16465550142")
    EmailFactory(contact=olga, address="olga.o@example.net")
    vera = ContactFactory(first_name="Vera", last_name="Völk", owner=cast.volunteer_a)
    PhoneFactory(contact=vera, raw="347.555.0199", e164="+13475550199")
    EmailFactory(contact=vera, address="vera@example.com")
    return {"jose": jose, "bo": bo, "olga": olga, "vera": vera}


@pytest.mark.parametrize("persona", list(VISIBLE))
def test_every_query_kind_finds_exactly_the_people_the_persona_may_see(cast, people, persona):
    user = getattr(cast, persona)
    wrong = []
    for name, queries in QUERIES.items():
        expected = [people[name]] if name in VISIBLE[persona] else []
        for query in queries:
            found = find_people(user, query)
            if found != expected:
                wrong.append((query, [c.display_name for c in found], expected))
    assert wrong == []


def test_a_signed_out_or_deactivated_user_finds_nobody(cast, people):
    from django.contrib.auth.models import AnonymousUser

    cast.organizer_a.is_active = False
    assert find_people(cast.organizer_a, "jose") == []
    assert find_people(AnonymousUser(), "jose") == []


def test_a_query_that_matches_nothing_finds_nobody(cast, people):
    for query in ["zzz", "   ", "", "9999 9999", "&|!", "12", "a' | 'h1", "o1", "\\"]:
        assert find_people(cast.staff, query) == [], query


def test_one_letter_words_narrow_the_matches_of_the_longer_ones(cast):
    # The index is asked for "keisha" only; "o" and "b" are checked on its matches.
    def keisha(last):
        person = ContactFactory(first_name="Keisha", last_name=last)
        HubMemberFactory(contact=person, hub=cast.hub_a)
        return person

    obrien, bo, smith = keisha("O'Brien"), keisha("Bo"), keisha("Smith")
    for user in (cast.staff, cast.organizer_a):
        assert find_people(user, "Keisha O'B") == [obrien]
        assert find_people(user, "keisha b") == [bo, obrien]
        assert find_people(user, "k s") == [smith]  # only one-letter words: all to the index
        assert {p.pk for p in find_people(user, "keisha")} == {obrien.pk, bo.pk, smith.pk}
    assert find_people(cast.organizer_b, "Keisha O'B") == []  # outside the scope
    assert match_tsquery("Keisha O'B", loose=True) == "'nkeisha':*"
    assert match_tsquery("Keisha O'B") == "'nkeisha':* & 'no':* & 'nb':*"


def test_what_is_typed_never_becomes_a_tsquery_operator(cast, people):
    # The scope lexemes of hub A, typed: a name prefix of nobody, not a way out of the scope.
    hub = f"h{cast.hub_a.pk}"
    assert find_people(cast.organizer_b, f"{hub}") == []
    assert find_people(cast.organizer_b, f"x' | '{hub}") == []
    assert match_tsquery("it's") == "'nit':* & 'ns':*"
    assert match_tsquery("o'neil@x") == "'eo''neil@x':*"
    assert match_tsquery("212 555") is None  # phones: contacts_phone's own indexes


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("jose.nunez@example.org", "email"),
        ("(212) 555-0100", "phone"),
        ("212 555", "phone"),
        ("0100", "phone"),
        ("12", "name"),
        ("jose.nu", "name_or_email"),
        ("maria gar", "name"),
    ],
)
def test_each_query_is_read_as_what_it_looks_like(query, kind):
    assert query_kind(query) == kind


def test_a_plain_word_searches_names_and_a_dotted_word_names_and_emails(cast):
    named = ContactFactory(first_name="Dana", last_name="Okafor")
    mailed = ContactFactory(first_name="Lee", last_name="Park")
    EmailFactory(contact=mailed, address="okafor.d@example.org")
    assert find_people(cast.staff, "okafor") == [named]
    assert find_people(cast.staff, "okafor.d@") == [mailed]
    assert set(find_people(cast.staff, "okafor.d")) == {named, mailed}


def test_a_search_matching_many_people_orders_a_bounded_set_of_candidates(cast, monkeypatch):
    from contacts.selectors import search

    monkeypatch.setattr(search, "SEARCH_CANDIDATES", 3)
    for last in ["Marquez", "Martin", "Mars", "Marx", "Marley"]:
        ContactFactory(first_name="Ana", last_name=last, owner=cast.organizer_a)
    found = search.find_people(cast.organizer_a, "mar")
    assert len(found) == 3
    names = [c.last_name for c in found]
    assert names == sorted(names, key=str.lower)
    # Few matches: the exact alphabetical answer.
    assert [c.last_name for c in search.find_people(cast.organizer_a, "marl")] == ["Marley"]


def test_the_finder_gives_each_person_their_primary_phone(cast, people):
    Phone.objects.create(contact=people["jose"], raw="917 555 0001", e164="+19175550001")
    Phone.objects.create(contact=people["vera"], raw="917 555 0002", e164="+19175550002")
    Phone.objects.filter(e164="+19175550002").update(is_primary=False)
    Phone.objects.filter(e164="+13475550199").update(is_primary=False)
    (jose,) = find_people(cast.staff, "jose")
    assert jose.phone_e164 == "+12125550100"
    (vera,) = find_people(cast.staff, "vera")  # no primary: the first one
    assert vera.phone_e164 == "+13475550199"
    assert find_people(cast.staff, "ana") == [cast.person_a]
    assert find_people(cast.staff, "ana")[0].phone_e164 is None


def test_the_finder_runs_two_statements_whatever_it_finds(cast, django_assert_num_queries):
    for i in range(12):
        person = ContactFactory(first_name="Tamsin", last_name=f"Quill{i}", owner=cast.organizer_a)
        PhoneFactory(contact=person, raw=f"212 555 01{i:02}", e164=f"+1212555{i:04}")
    with django_assert_num_queries(2):  # the user's hubs, the matches with their phone
        assert len(find_people(cast.organizer_a, "tamsin")) == 12
    with django_assert_num_queries(2):
        assert len(find_people(cast.organizer_a, "tamsin quill1")) == 3
    with django_assert_num_queries(1):  # staff: no scope to read
        assert len(find_people(cast.staff, "tamsin")) == 12


# --- the index follows every change, whoever makes it ---------------------------------------


def _doc(contact) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT array_to_string(tsvector_to_array(doc), ' ') FROM contacts_searchdoc"
            " WHERE contact_id = %s",
            [contact.pk],
        )
        row = cursor.fetchone()
    return set(row[0].split()) if row else set()


def test_the_index_row_holds_names_emails_hubs_and_organizer(cast, people):
    doc = _doc(people["jose"])
    assert doc == {"njose", "nnunez", "ngarcia", "ejose.nunez@example.org", f"h{cast.hub_a.pk}"}
    assert _doc(people["olga"]) >= {f"o{cast.organizer_b.pk}", "nowens"}


def test_the_index_follows_edits_of_names_phones_emails_hubs_and_organizers(cast, people):
    jose = people["jose"]
    jose.first_name = "Joaquín"
    jose.save()
    assert find_people(cast.staff, "jose") == []
    assert find_people(cast.staff, "joaquin") == [jose]

    Phone.objects.filter(contact=jose).update(e164="+13105550777")
    assert find_people(cast.staff, "0100") == []
    assert find_people(cast.staff, "0777") == [jose]

    Email.objects.filter(contact=jose).delete()
    assert find_people(cast.staff, "jose.nunez@") == []

    HubMember.objects.filter(contact=jose).delete()
    assert find_people(cast.organizer_a, "joaquin") == []
    HubMember.objects.create(contact=jose, hub=cast.hub_b)
    assert find_people(cast.organizer_b, "joaquin") == [jose]

    Contact.objects.filter(pk=jose.pk).update(owner=cast.volunteer_a)
    assert find_people(cast.volunteer_a, "joaquin") == [jose]


def test_people_written_in_bulk_are_found(cast):
    created = Contact.objects.bulk_create(
        [
            Contact(first_name="Bulk", last_name=f"Row{i}", name_search=f"bulk row{i}")
            for i in range(3)
        ]
    )
    Phone.objects.bulk_create(
        [Phone(contact=c, raw="x", e164=f"+1212555990{i}") for i, c in enumerate(created)]
    )
    assert len(find_people(cast.staff, "bulk")) == 3
    assert find_people(cast.staff, "9902") == [created[2]]
    # One UPDATE renaming many (the trigger runs for each renamed row), one changing no name.
    Contact.objects.filter(first_name="Bulk").update(name_search="renamed in bulk")
    Contact.objects.filter(first_name="Bulk").update(score=7)
    assert len(find_people(cast.staff, "renamed bulk")) == 3
    assert find_people(cast.staff, "bulk row") == []


def test_deleting_a_person_deletes_their_index_row(cast, people):
    pk = people["vera"].pk
    people["vera"].delete()
    assert not SearchDoc.objects.filter(contact_id=pk).exists()
    assert find_people(cast.staff, "vera") == []
    # Many in one statement: only theirs go.
    olga, jose = people["olga"].pk, people["jose"].pk
    Contact.objects.filter(pk__in=[olga, jose]).delete()
    assert not SearchDoc.objects.filter(contact_id__in=[olga, jose]).exists()
    assert SearchDoc.objects.filter(contact_id=people["bo"].pk).exists()
    with connection.cursor() as cursor:  # a cascade from elsewhere can truncate people
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks left pending
        cursor.execute("TRUNCATE contacts_contact CASCADE")
    assert not SearchDoc.objects.exists()


def test_a_merge_moves_the_phones_to_the_kept_person_in_the_index(cast, people):
    from contacts.services.people import contact_merge

    contact_merge(by=cast.staff, keep=people["olga"], remove=people["vera"], take={})
    assert find_people(cast.staff, "0199") == [people["olga"]]


# --- the pages that find people --------------------------------------------------------------


def test_search_as_you_type_returns_only_the_results_to_htmx(cast, people, client_for):
    client = client_for(cast.organizer_a)
    response = client.get(
        "/people/", {"q": "nunez"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="people-results"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Núñez-García" in html
    assert "<html" not in html
    assert "Alvarez" not in html


def test_search_works_without_javascript_as_a_full_page(cast, people, client_for):
    response = client_for(cast.organizer_a).get("/people/", {"q": "212.555.0100"})
    html = response.content.decode()
    assert "<html" in html
    assert 'hx-trigger="input changed delay:250ms, search"' in html
    assert "Núñez-García" in html
    assert 'href="tel:+12125550100"' in html
    assert 'href="sms:+12125550100"' in html


def test_the_people_list_finds_by_the_last_four_digits(cast, people, client_for):
    html = client_for(cast.organizer_a).get("/people/", {"q": "0100"}).content.decode()
    assert "Núñez-García" in html and "1 person" in html


def test_an_organizer_of_hub_b_cannot_find_hub_a_people_from_the_list(cast, people, client_for):
    for q in ["jose", "0100", "jose.nu"]:
        html = client_for(cast.organizer_b).get("/people/", {"q": q}).content.decode()
        assert "Núñez" not in html


@pytest.mark.parametrize("persona", list(VISIBLE))
def test_the_log_picker_finds_what_the_people_search_finds(cast, people, client_for, persona):
    client = client_for(getattr(cast, persona))
    for query in ["nunez", "0100", "555-0100", "jose.nu"]:
        html = client.get("/people/log/who/", {"q": query}).content.decode()
        assert ("Núñez-García" in html) == ("jose" in VISIBLE[persona]), query
        assert ("(212) 555-0100" in html) == ("jose" in VISIBLE[persona]), query


def test_the_log_picker_runs_as_many_queries_for_one_match_as_for_eight(
    cast, client_for, django_assert_max_num_queries
):
    from django.test.utils import CaptureQueriesContext

    client = client_for(cast.organizer_a)
    for i in range(8):
        person = ContactFactory(first_name="Wren", last_name=f"Holt{i}", owner=cast.organizer_a)
        PhoneFactory(contact=person, raw="x", e164=f"+1212555{i:04}")
    client.get("/people/log/who/", {"q": "wren"})  # warm the session
    with CaptureQueriesContext(connection) as one:
        assert client.get("/people/log/who/", {"q": "wren holt3"}).status_code == 200
    with CaptureQueriesContext(connection) as eight:
        html = client.get("/people/log/who/", {"q": "wren"}).content.decode()
    assert html.count('name="contact"') == 8
    assert len(eight) == len(one)
