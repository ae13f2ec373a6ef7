from __future__ import annotations

import pytest

from contacts.selectors.people import name_tsquery, query_kind, search_people
from tests.factories import ContactFactory, EmailFactory, HubMemberFactory, PhoneFactory


@pytest.fixture
def jose(cast):
    person = ContactFactory(first_name="José", last_name="Núñez-García")
    HubMemberFactory(contact=person, hub=cast.hub_a)
    PhoneFactory(contact=person, raw="(212) 555-0100", e164="+12125550100")
    EmailFactory(contact=person, address="jose.nunez@example.org")
    return person


def test_name_query_keeps_only_words_as_prefixes():
    assert name_tsquery("Jo Nú") == "jo:* & nu:*"
    assert name_tsquery("a & b | !c:* ('x')") == "a:* & b:* & c:* & x:*"
    assert name_tsquery("  &|! ") is None


@pytest.mark.parametrize("query", ["jose", "JOSÉ", "nunez", "garc", "jo nu", "Núñez García"])
def test_it_finds_a_person_by_any_name_prefix_ignoring_accents(cast, jose, query):
    assert search_people(cast.organizer_a, query) == [jose]


@pytest.mark.parametrize(
    "query", ["(212) 555-0100", "212.555.0100", "+1 212 555 0100", "2125550100", "212 555"]
)
def test_it_finds_a_person_by_phone_in_any_format(cast, jose, query):
    assert search_people(cast.organizer_a, query) == [jose]


@pytest.mark.parametrize("query", ["jose.nunez@example.org", "JOSE.NUNEZ@Example.org", "jose.nu"])
def test_it_finds_a_person_by_email_case_insensitively(cast, jose, query):
    assert search_people(cast.organizer_a, query) == [jose]


def test_it_never_finds_people_outside_the_users_scope(cast, jose):
    assert search_people(cast.organizer_b, "jose") == []
    assert search_people(cast.organizer_b, "(212) 555-0100") == []
    assert search_people(cast.organizer_b, "jose.nunez@example.org") == []
    assert search_people(cast.organizer_b, "ana") == []
    assert search_people(cast.organizer_b, "bo") == [cast.person_b]


def test_a_query_that_matches_nothing_finds_nobody(cast, jose):
    assert search_people(cast.staff, "zzz") == []
    assert search_people(cast.staff, "   ") == []
    assert search_people(cast.staff, "9999 9999") == []


def test_search_as_you_type_returns_only_the_results_to_htmx(cast, jose, client_for):
    client = client_for(cast.organizer_a)
    response = client.get(
        "/people/", {"q": "nunez"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="people-results"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Núñez-García" in html
    assert "<html" not in html
    assert "Alvarez" not in html


def test_search_works_without_javascript_as_a_full_page(cast, jose, client_for):
    response = client_for(cast.organizer_a).get("/people/", {"q": "212.555.0100"})
    html = response.content.decode()
    assert "<html" in html
    assert 'hx-trigger="input changed delay:250ms, search"' in html
    assert "Núñez-García" in html
    assert 'href="tel:+12125550100"' in html
    assert 'href="sms:+12125550100"' in html


def test_an_organizer_of_hub_b_cannot_find_hub_a_people_from_the_list(cast, jose, client_for):
    html = client_for(cast.organizer_b).get("/people/", {"q": "jose"}).content.decode()
    assert "Núñez" not in html


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("jose.nunez@example.org", "email"),
        ("(212) 555-0100", "phone"),
        ("212 555", "phone"),
        ("12", "name"),
        ("jose.nu", "name_or_email"),
        ("maria gar", "name"),
    ],
)
def test_each_query_runs_only_the_search_it_looks_like(query, kind):
    assert query_kind(query) == kind


def test_a_plain_word_searches_names_and_a_dotted_word_names_and_emails(cast):
    named = ContactFactory(first_name="Dana", last_name="Okafor")
    mailed = ContactFactory(first_name="Lee", last_name="Park")
    EmailFactory(contact=mailed, address="okafor.d@example.org")
    assert search_people(cast.staff, "okafor") == [named]
    assert search_people(cast.staff, "okafor.d@") == [mailed]
    assert set(search_people(cast.staff, "okafor.d")) == {named, mailed}


def test_a_name_search_matching_many_people_orders_a_bounded_set_of_candidates(cast, monkeypatch):
    from contacts.selectors import people

    monkeypatch.setattr(people, "SEARCH_CANDIDATES", 3)
    for last in ["Marquez", "Martin", "Mars", "Marx", "Marley"]:
        ContactFactory(first_name="Ana", last_name=last, owner=cast.organizer_a)
    found = people.search_people(cast.organizer_a, "mar")
    assert len(found) == 3
    names = [c.last_name for c in found]
    assert names == sorted(names, key=str.lower)
    # Few matches: the exact alphabetical answer.
    assert [c.last_name for c in people.search_people(cast.organizer_a, "marl")] == ["Marley"]
