from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.services import account_emails_sweep
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new long passphrase"


def reset_link(message) -> str:
    match = re.search(r"http://testserver(/accounts/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def choose_password(client: Client, link: str, password: str = NEW_PASSWORD):
    form_page = client.get(link, follow=True)  # Django moves the token into the session
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    return client.post(set_url, {"new_password1": password, "new_password2": password})


def test_the_reset_page_asks_for_an_email():
    html = Client().get("/accounts/password-reset/").content.decode()
    assert '<label for="id_email">Email:</label>' in html
    assert "Email me a reset link" in html


def test_a_reset_emails_a_link_that_sets_a_new_password(mailoutbox):
    user = UserFactory(email="ann@example.org")
    client = Client()

    response = client.post("/accounts/password-reset/", {"email": "Ann@Example.org"}, follow=True)
    account_emails_sweep()

    assert "Check your email" in response.content.decode()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["ann@example.org"]
    assert mailoutbox[0].subject == "Reset your Organizer password"

    done = choose_password(client, reset_link(mailoutbox[0]))
    assert done.status_code == 302
    assert done.url == "/accounts/reset/done/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    signed_in = Client()
    signed_in.post("/accounts/login/", {"username": "ann@example.org", "password": NEW_PASSWORD})
    assert signed_in.session.get("_auth_user_id") == str(user.pk)


def test_a_reset_link_works_only_once(mailoutbox):
    UserFactory(email="ann@example.org")
    client = Client()
    client.post("/accounts/password-reset/", {"email": "ann@example.org"})
    account_emails_sweep()
    link = reset_link(mailoutbox[0])
    choose_password(client, link)

    again = Client().get(link, follow=True)

    assert "This link no longer works" in again.content.decode()


def test_an_unknown_email_sees_the_same_page_and_nothing_is_sent(mailoutbox):
    response = Client().post(
        "/accounts/password-reset/", {"email": "nobody@example.org"}, follow=True
    )
    account_emails_sweep()
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    assert mailoutbox == []


def test_a_deactivated_user_gets_no_reset_email(mailoutbox):
    UserFactory(email="ann@example.org", is_active=False)
    Client().post("/accounts/password-reset/", {"email": "ann@example.org"})
    account_emails_sweep()
    assert mailoutbox == []


def test_an_invited_user_who_lost_the_invitation_can_ask_for_a_reset(mailoutbox):
    user = UserFactory(email="new@example.org")
    user.set_unusable_password()
    user.save()

    Client().post("/accounts/password-reset/", {"email": "new@example.org"})
    account_emails_sweep()

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new@example.org"]
