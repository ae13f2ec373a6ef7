from __future__ import annotations

import re
import time

import pytest
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

MY_DAY = "/people/my-day/"


def code_for(device: TOTPDevice) -> str:
    device.refresh_from_db()
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{value:06d}"


def sign_in(user, **extra) -> tuple[Client, object]:
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": user.email, "password": PASSWORD, **extra}
    )
    return client, response


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def test_a_captain_signing_in_is_sent_to_the_second_factor_first(cast):
    _, response = sign_in(cast.captain_a)
    assert response.status_code == 302
    assert response.url == "/accounts/two-factor/?next=%2Fpeople%2Fmy-day%2F"


@pytest.mark.parametrize("url", [MY_DAY, "/people/", "/hubs/", "/reports/", "/admin/"])
def test_an_unverified_captain_sees_no_data_page(cast, url):
    client, _ = sign_in(cast.captain_a)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/two-factor/?next=")


def test_an_htmx_request_is_told_to_navigate_to_the_second_factor(cast):
    client, _ = sign_in(cast.captain_a)
    response = client.get(
        "/people/", headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/hubs/"}
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/accounts/two-factor/?next=http%3A%2F%2Ftestserver%2Fhubs%2F"


def test_setup_shows_a_qr_code_and_the_secret_as_text(cast):
    client, _ = sign_in(cast.captain_a)
    response = client.get("/accounts/two-factor/")
    html = response.content.decode()

    device = TOTPDevice.objects.get(user=cast.captain_a)
    assert device.confirmed is False
    assert "Set up your second factor" in html
    qr = html.split('class="qr-code"', 1)[1].split("</svg>")[0]
    assert "<title>QR code for your authenticator app</title>" in qr
    secret = re.search(r"<code>([A-Z2-7 ]+)</code>", html).group(1).replace(" ", "")
    assert secret == device.config_url.split("secret=")[1].split("&")[0]
    assert '<label for="id_code">6-digit code from your authenticator app:</label>' in html
    assert "Turn on two-factor sign-in" in html
    assert "http" not in qr.replace("http://www.w3.org", "")  # no external requests


def test_reloading_setup_keeps_the_same_secret(cast):
    client, _ = sign_in(cast.captain_a)
    client.get("/accounts/two-factor/")
    client.get("/accounts/two-factor/")
    assert TOTPDevice.objects.filter(user=cast.captain_a).count() == 1


def test_a_correct_code_at_setup_confirms_the_device_and_lets_the_captain_in(cast):
    client, login = sign_in(cast.captain_a)
    client.get(login.url)
    device = TOTPDevice.objects.get(user=cast.captain_a)

    response = client.post(
        "/accounts/two-factor/", {"code": code_for(device), "next": MY_DAY}, follow=True
    )

    assert response.redirect_chain == [(MY_DAY, 302)]
    assert "contacts/my_day.html" in [t.name for t in response.templates]
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get("/people/").status_code == 200


def test_a_captain_with_a_device_is_asked_for_a_code_and_let_in(cast):
    device = confirmed_device(cast.captain_a)
    client, login = sign_in(cast.captain_a)
    page = client.get(login.url).content.decode()
    assert "Confirm your second factor" in page
    assert 'class="qr-code"' not in page  # no new secret shown to someone who already has one

    response = client.post("/accounts/two-factor/", {"code": code_for(device), "next": MY_DAY})

    assert response.status_code == 302
    assert response.url == MY_DAY
    assert client.get(MY_DAY).status_code == 200
    assert TOTPDevice.objects.filter(user=cast.captain_a).count() == 1


def test_a_wrong_code_is_a_form_error_and_keeps_them_out(cast):
    device = confirmed_device(cast.captain_a)
    client, _ = sign_in(cast.captain_a)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    response = client.post("/accounts/two-factor/", {"code": wrong, "next": MY_DAY})

    assert response.status_code == 200
    assert "That code did not match" in response.content.decode()
    assert client.get(MY_DAY).status_code == 302


def test_a_wrong_code_at_setup_does_not_confirm_the_device(cast):
    client, _ = sign_in(cast.captain_a)
    client.get("/accounts/two-factor/")
    response = client.post("/accounts/two-factor/", {"code": "abcdef"})
    assert "Enter the 6 digits your app shows." in response.content.decode()
    assert TOTPDevice.objects.get(user=cast.captain_a).confirmed is False


def test_a_code_cannot_be_used_twice(cast):
    device = confirmed_device(cast.captain_a)
    code = code_for(device)
    first, _ = sign_in(cast.captain_a)
    first.post("/accounts/two-factor/", {"code": code})
    time.sleep(1.1)  # past django-otp's throttle, so only the replay check can refuse it
    second, _ = sign_in(cast.captain_a)
    response = second.post("/accounts/two-factor/", {"code": code})
    assert "That code did not match" in response.content.decode()


def test_the_second_factor_follows_a_safe_next_only(cast):
    device = confirmed_device(cast.captain_a)
    client, login = sign_in(cast.captain_a, next="/hubs/")
    assert login.url == "/accounts/two-factor/?next=%2Fhubs%2F"
    response = client.post(
        "/accounts/two-factor/", {"code": code_for(device), "next": "https://evil.example.com/"}
    )
    assert response.url == MY_DAY


def test_staff_are_asked_for_the_second_factor_too(cast):
    client, response = sign_in(cast.staff)
    assert response.url.startswith("/accounts/two-factor/")
    assert client.get("/accounts/users/").status_code == 302


@pytest.mark.parametrize("persona", ["organizer_a", "volunteer_a"])
def test_organizers_and_volunteers_are_never_asked(cast, persona):
    client, response = sign_in(getattr(cast, persona))
    assert response.url == MY_DAY
    assert client.get(MY_DAY).status_code == 200
    assert client.get("/accounts/two-factor/").url == MY_DAY
    assert not TOTPDevice.objects.exists()


@override_settings(REQUIRE_2FA=False)
def test_without_require_2fa_a_captain_goes_straight_in(cast):
    client, response = sign_in(cast.captain_a)
    assert response.url == MY_DAY
    assert client.get(MY_DAY).status_code == 200


def test_a_verified_captain_visiting_two_factor_goes_on(cast, client_for):
    client = client_for(cast.captain_a)
    assert client.get("/accounts/two-factor/?next=/hubs/").url == "/hubs/"


def test_signing_out_forgets_the_second_factor(cast):
    device = confirmed_device(cast.captain_a)
    client, _ = sign_in(cast.captain_a)
    client.post("/accounts/two-factor/", {"code": code_for(device)})
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": cast.captain_a.email, "password": PASSWORD})
    assert client.get(MY_DAY).status_code == 302


# --- anyone who can reach the admin confirms a second factor (issue #9, finding 3) -------------


@pytest.fixture(params=["superuser", "is_staff"])
def admin_volunteer(request, cast):
    """A user whose role is volunteer but who may sign in to the Django admin."""
    from tests.factories import UserFactory

    flags = {"is_staff": True, "is_superuser": request.param == "superuser"}
    return UserFactory(email="admin.vol@example.org", role="volunteer", **flags)


def test_an_admin_user_with_a_volunteer_role_is_sent_to_the_second_factor(admin_volunteer):
    client, response = sign_in(admin_volunteer)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/two-factor/")
    for url in ("/admin/", "/admin/accounts/user/", MY_DAY):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/accounts/two-factor/?next="), url


def test_an_admin_user_reads_the_admin_after_confirming_a_code(admin_volunteer):
    device = confirmed_device(admin_volunteer)
    client, _ = sign_in(admin_volunteer)
    response = client.post("/accounts/two-factor/", {"code": code_for(device)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_admins_own_sign_in_page_sends_to_ours(db):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/admin/"


def test_an_ordinary_volunteer_needs_no_second_factor(cast):
    assert not cast.volunteer_a.needs_second_factor
    _client, response = sign_in(cast.volunteer_a)
    assert response.url == MY_DAY
