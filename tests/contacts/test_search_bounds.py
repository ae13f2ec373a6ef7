"""Every search is bounded (words, characters) before it reaches PostgreSQL."""

from __future__ import annotations

import time

import pytest

from contacts.selectors.search import MAX_QUERY_CHARS, MAX_QUERY_WORDS, bound_query

HUGE = " ".join(f"word{i}" for i in range(40_000))


def test_a_short_search_is_kept_as_typed():
    assert bound_query("  Ana  María ").text == "Ana  María"
    assert bound_query("Ana María").note == ""
    assert bound_query(None).text == ""


def test_a_long_search_keeps_its_first_words_and_says_so():
    bounded = bound_query(HUGE)
    assert bounded.text == " ".join(f"word{i}" for i in range(MAX_QUERY_WORDS))
    assert "Only the first" in bounded.note


def test_one_endless_word_is_cut_to_the_character_limit():
    bounded = bound_query("a" * 100_000)
    assert bounded.text == "a" * MAX_QUERY_CHARS
    assert bounded.note


@pytest.mark.parametrize(
    "role", ["staff", "captain_a", "organizer_a", "organizer_b", "volunteer_a"]
)
def test_a_40000_word_find_on_the_log_page_answers_fast_with_a_message(cast, client_for, role):
    client = client_for(getattr(cast, role))
    client.get("/people/log/")  # warm up (templates compiled, session loaded)
    started = time.monotonic()
    response = client.post("/people/log/", {"find": "1", "q": HUGE})
    assert time.monotonic() - started < 1
    assert response.status_code == 200
    assert "Only the first 6 words and 100 characters of a search are used" in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    "url",
    ["/people/log/who/?q=", "/people/?q=", "/api/people/?q=", "/people/log/?q="],
)
def test_every_search_box_answers_a_huge_search_fast(cast, client_for, url):
    client = client_for(cast.organizer_a)
    client.get(url + "ana")  # warm up
    started = time.monotonic()
    response = client.get(url + HUGE.replace(" ", "+"))
    assert time.monotonic() - started < 1
    assert response.status_code == 200


def test_the_who_picker_shows_the_message(cast, client_for):
    response = client_for(cast.organizer_a).get("/people/log/who/", {"q": HUGE})
    assert "Only the first" in response.content.decode()
