from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def sign_in(client: Client, email: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"username": email, "password": password, **extra})


def signed_in_user_id(client: Client):
    return client.session.get("_auth_user_id")


def test_the_sign_in_page_asks_for_email_and_password():
    response = Client().get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">Email:</label>' in html
    assert 'type="email"' in html
    assert '<label for="id_password">Password:</label>' in html
    assert "Forgot your password?" in html


def test_it_signs_in_with_email_and_password_and_goes_to_my_day():
    user = UserFactory(email="ann@example.org")
    client = Client()
    response = sign_in(client, "ann@example.org")
    assert response.status_code == 302
    assert response.url == reverse("contacts:my_day")
    assert signed_in_user_id(client) == str(user.pk)


def test_it_ignores_the_case_of_the_email():
    user = UserFactory(email="ann@example.org")
    client = Client()
    sign_in(client, "  Ann@EXAMPLE.org ")
    assert signed_in_user_id(client) == str(user.pk)


def test_it_refuses_a_wrong_password_with_a_message():
    UserFactory(email="ann@example.org")
    client = Client()
    response = sign_in(client, "ann@example.org", "wrong password")
    assert response.status_code == 200
    assert "Please enter a correct email and password" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_it_refuses_a_deactivated_user():
    UserFactory(email="ann@example.org", is_active=False)
    client = Client()
    sign_in(client, "ann@example.org")
    assert signed_in_user_id(client) is None


def test_it_rotates_the_session_key_on_sign_in():
    UserFactory(email="ann@example.org")
    client = Client()
    session = client.session
    session["before"] = "sign-in"
    session.save()
    old_key = session.session_key

    sign_in(client, "ann@example.org")

    new_key = client.cookies["sessionid"].value
    assert new_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()
    assert Session.objects.filter(session_key=new_key).exists()


def test_it_follows_a_safe_next():
    UserFactory(email="ann@example.org")
    response = sign_in(Client(), "ann@example.org", next="/people/?page=2")
    assert response.url == "/people/?page=2"


@pytest.mark.parametrize("evil", ["https://evil.example.com/", "//evil.example.com/x"])
def test_it_ignores_a_next_to_another_site(evil):
    UserFactory(email="ann@example.org")
    response = sign_in(Client(), "ann@example.org", next=evil)
    assert response.url == reverse("contacts:my_day")


def test_the_sign_in_form_carries_next_through():
    response = Client().get(LOGIN, {"next": "/hubs/"})
    assert '<input type="hidden" name="next" value="/hubs/">' in response.content.decode()


def test_a_page_sends_anonymous_visitors_to_sign_in_and_back():
    response = Client().get("/people/")
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next=/people/"


def test_it_locks_the_account_after_five_failed_sign_ins():
    UserFactory(email="ann@example.org")
    client = Client()
    for _ in range(4):
        assert sign_in(client, "ann@example.org", "wrong").status_code == 200

    fifth = sign_in(client, "ann@example.org", "wrong")
    sixth = sign_in(client, "ann@example.org")  # the right password, too late

    assert fifth.status_code == 429
    assert sixth.status_code == 429
    assert signed_in_user_id(client) is None
    html = sixth.content.decode()
    assert "Too many failed sign-ins" in html
    assert "failed 5 times in a row, so it is locked for 15 minutes" in html
    assert reverse("accounts:password_reset") in html


def test_the_lockout_counts_differently_cased_emails_as_one_account():
    UserFactory(email="ann@example.org")
    client = Client()
    for email in ["Ann@example.org", "ANN@example.org", "ann@EXAMPLE.org", "aNn@example.org"]:
        sign_in(client, email, "wrong")
    sign_in(client, "ann@example.ORG", "wrong")
    assert sign_in(client, "ann@example.org").status_code == 429


def test_the_lockout_is_per_account():
    UserFactory(email="ann@example.org")
    other = UserFactory(email="bo@example.org")
    client = Client()
    for _ in range(5):
        sign_in(client, "ann@example.org", "wrong")
    sign_in(client, "bo@example.org")
    assert signed_in_user_id(client) == str(other.pk)


def test_a_successful_sign_in_clears_earlier_failures():
    UserFactory(email="ann@example.org")
    client = Client()
    for _ in range(4):
        sign_in(client, "ann@example.org", "wrong")
    sign_in(client, "ann@example.org")
    client.post("/accounts/logout/")
    for _ in range(4):
        sign_in(client, "ann@example.org", "wrong")
    assert sign_in(client, "ann@example.org").status_code == 302


def test_sign_out_ends_the_session_on_the_server():
    UserFactory(email="ann@example.org")
    client = Client()
    sign_in(client, "ann@example.org")
    key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/people/my-day/").status_code == 302


def test_sign_out_refuses_get():
    UserFactory(email="ann@example.org")
    client = Client()
    sign_in(client, "ann@example.org")
    assert client.get("/accounts/logout/").status_code == 405
    assert signed_in_user_id(client) is not None


@override_settings(REQUIRE_2FA=True)
def test_a_signed_in_organizer_can_open_my_day(cast):
    client = Client()
    sign_in(client, cast.organizer_a.email)
    response = client.get("/people/my-day/")
    assert response.status_code == 200
    assert "contacts/my_day.html" in [t.name for t in response.templates]
