"""Rate limits on sign-in, password resets and the API (issue #9, finding 4): 429 with
Retry-After, a page with a message for the forms, and no account enumeration."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.test import Client

from accounts.services import account_emails_sweep
from organizer.lib import ratelimit
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def one_window(monkeypatch):
    """Every test runs inside one fixed window (a burst across a window's end counts in two)."""
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_000_000.0))


def sign_in(client: Client, email: str, password: str = "wrong password", **meta):
    return client.post("/accounts/login/", {"username": email, "password": password}, **meta)


# --- sign-in ----------------------------------------------------------------------------------


def test_spraying_many_accounts_from_one_address_is_answered_429(settings):
    settings.RATELIMIT_SIGN_IN_PER_ADDRESS = 5
    client = Client()
    answers = [sign_in(client, f"user{n}@example.org").status_code for n in range(8)]
    assert answers == [200] * 5 + [429] * 3
    response = sign_in(client, "user99@example.org")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= settings.RATELIMIT_SIGN_IN_WINDOW + 1
    html = response.content.decode()
    assert "Too many tries" in html and 'role="alert"' in html
    assert '<form method="post"' in html  # the page, not a bare error


def test_over_the_address_limit_even_the_right_password_is_not_tried(settings):
    settings.RATELIMIT_SIGN_IN_PER_ADDRESS = 2
    user = UserFactory(email="ann@example.org")
    client = Client()
    for n in range(2):
        sign_in(client, f"other{n}@example.org")
    response = sign_in(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_another_address_is_counted_apart(settings):
    settings.RATELIMIT_SIGN_IN_PER_ADDRESS = 2
    for n in range(3):
        sign_in(Client(), f"u{n}@example.org", REMOTE_ADDR="10.0.0.1")
    assert sign_in(Client(), "x@example.org", REMOTE_ADDR="10.0.0.2").status_code == 200


def test_one_account_tried_from_many_addresses_is_limited(settings):
    settings.RATELIMIT_SIGN_IN_PER_ACCOUNT = 3
    user = UserFactory(email="ann@example.org")
    answers = [
        sign_in(Client(), "Ann@example.org", REMOTE_ADDR=f"10.0.1.{n}").status_code
        for n in range(5)
    ]
    assert answers == [200, 200, 200, 429, 429]
    response = sign_in(Client(), user.email, PASSWORD, REMOTE_ADDR="10.0.2.1")
    assert response.status_code == 429


def test_successful_sign_ins_do_not_count(settings):
    settings.RATELIMIT_SIGN_IN_PER_ADDRESS = 2
    settings.RATELIMIT_SIGN_IN_PER_ACCOUNT = 2
    user = UserFactory(email="ann@example.org")
    for _ in range(4):
        assert sign_in(Client(), user.email, PASSWORD).status_code == 302


# --- password resets --------------------------------------------------------------------------


def reset(client: Client, email: str, **meta):
    return client.post("/accounts/password-reset/", {"email": email}, **meta)


def test_resets_of_one_email_are_limited_and_stop_sending(settings, mailoutbox):
    settings.RATELIMIT_RESET_PER_EMAIL = 3
    UserFactory(email="ann@example.org")
    answers = [
        reset(Client(), "ann@example.org", REMOTE_ADDR=f"10.1.0.{n}").status_code for n in range(15)
    ]
    assert answers == [302] * 3 + [429] * 12
    account_emails_sweep()  # the outbox sends what was queued
    assert len(mailoutbox) == 3


def test_resets_from_one_address_are_limited(settings, mailoutbox):
    settings.RATELIMIT_RESET_PER_ADDRESS = 4
    for n in range(6):
        UserFactory(email=f"u{n}@example.org")
    answers = [reset(Client(), f"u{n}@example.org").status_code for n in range(6)]
    assert answers == [302] * 4 + [429] * 2
    account_emails_sweep()
    assert len(mailoutbox) == 4


def test_a_limited_reset_page_has_a_message_and_retry_after(settings):
    settings.RATELIMIT_RESET_PER_EMAIL = 1
    reset(Client(), "ann@example.org")
    response = reset(Client(), "ann@example.org")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "Too many tries" in response.content.decode()


def _page(response) -> str:
    html = response.content.decode()
    return re.sub(r"[A-Za-z0-9]{32,}", "<token>", html)  # CSRF tokens differ per client


def test_a_limited_reset_for_an_unknown_email_looks_like_one_for_a_known_email(settings):
    settings.RATELIMIT_RESET_PER_EMAIL = 1
    UserFactory(email="known@example.org")
    answers = {}
    for email in ("known@example.org", "nobody@example.org"):
        first = reset(Client(), email)
        assert (first.status_code, first.url) == (302, "/accounts/password-reset/sent/")
        answers[email] = reset(Client(), email)
    known, unknown = answers.values()
    assert known.status_code == unknown.status_code == 429
    assert abs(int(known["Retry-After"]) - int(unknown["Retry-After"])) <= 1
    assert _page(known).replace("known@", "X@") == _page(unknown).replace("nobody@", "X@")


# --- the API ----------------------------------------------------------------------------------


def test_the_api_answers_429_past_the_per_user_limit(settings, cast, client_for):
    settings.RATELIMIT_API_PER_USER = 5
    client = client_for(cast.organizer_a)
    answers = [client.get("/api/people/").status_code for _ in range(7)]
    assert answers == [200] * 5 + [429] * 2
    response = client.get(f"/api/people/{cast.person_a.pk}/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    # Another user has their own count.
    assert client_for(cast.organizer_b).get("/api/people/").status_code == 200


def test_the_default_api_limit_stops_a_150_call_burst(cast, client_for):
    client = client_for(cast.staff)
    answers = [client.get("/api/people/?page_size=1").status_code for _ in range(150)]
    assert 429 in answers and answers[0] == 200
