"""API tokens: made and revoked in the UI, stored hashed, act as their user, never pass the
second factor, rate-limited per token."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from api.models import ApiToken
from api.models.tokens import hash_key
from api.services.tokens import token_create, token_revoke
from hubs.models import HubRole

PEOPLE = "/api/people/"

pytestmark = pytest.mark.django_db


def _names(response) -> set[str]:
    return {row["first_name"] for row in response.json()["results"]}


def test_it_returns_the_key_once_and_stores_only_its_hash(cast):
    token, key = token_create(user=cast.organizer_a, name="sync")
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hash_key(key)
    assert key not in {stored.key_hash, stored.prefix, stored.name}
    assert key.startswith(stored.prefix) and len(stored.prefix) == 8
    assert len(key) >= 40


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("staff", {"Ana", "Bo"}),
        ("captain_a", {"Ana"}),
        ("organizer_a", {"Ana"}),
        ("organizer_b", {"Bo"}),
        ("volunteer_a", set()),
    ],
)
def test_a_token_sees_what_its_user_sees(cast, token_for, api, persona, sees):
    key = token_for(getattr(cast, persona))
    response = api(key).get(PEOPLE)
    assert response.status_code == 200
    assert _names(response) == sees


@pytest.mark.parametrize("header", ["Token", "Bearer"])
def test_it_accepts_the_authorization_header(cast, token_for, client, header):
    key = token_for(cast.organizer_a)
    response = client.get(PEOPLE, headers={"Authorization": f"{header} {key}"})
    assert response.status_code == 200
    assert _names(response) == {"Ana"}


def test_a_revoked_token_gets_401_json(cast, token_for, api):
    key = token_for(cast.organizer_a)
    assert api(key).get(PEOPLE).status_code == 200
    token_revoke(by=cast.organizer_a, token=ApiToken.objects.get(key_hash=hash_key(key)))
    response = api(key).get(PEOPLE)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


@pytest.mark.parametrize("key", ["org_not-a-real-key", "x" * 500, ""])
def test_an_unknown_key_gets_401(cast, api, key):
    response = api(key).get(PEOPLE)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")


def test_a_deactivated_users_token_fails(cast, token_for, api):
    key = token_for(cast.organizer_a)
    cast.organizer_a.is_active = False
    cast.organizer_a.save()
    assert api(key).get(PEOPLE).status_code == 401


def test_a_token_never_passes_the_second_factor(cast, token_for, api):
    key = token_for(cast.captain_a, device=False)
    response = api(key).get(PEOPLE)
    assert response.status_code == 403
    assert "second factor" in response.json()["detail"]
    # Once the captain sets the factor up on the website, the same token works.
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=cast.captain_a, name="phone", confirmed=True)
    assert api(key).get(PEOPLE).status_code == 200


def test_an_unconfirmed_device_is_not_a_second_factor(cast, token_for, api):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=cast.staff, name="phone", confirmed=False)
    key = token_for(cast.staff, device=False)
    assert api(key).get(PEOPLE).status_code == 403


def test_the_users_hub_roles_are_read_on_every_request(cast, token_for, api):
    key = token_for(cast.organizer_a)
    client = api(key)
    assert _names(client.get(PEOPLE)) == {"Ana"}
    HubRole.objects.filter(user=cast.organizer_a).delete()
    assert _names(client.get(PEOPLE)) == set()


def test_it_records_last_use_at_most_once_a_minute(cast, token_for, api):
    key = token_for(cast.organizer_a)
    token = ApiToken.objects.get(key_hash=hash_key(key))
    assert token.last_used_at is None
    api(key).get(PEOPLE)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    api(key).get(PEOPLE)
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(minutes=2))
    api(key).get(PEOPLE)
    token.refresh_from_db()
    assert token.last_used_at > first - dt.timedelta(seconds=1)


def test_it_limits_calls_per_token_with_429_and_retry_after(cast, token_for, api, settings):
    settings.RATELIMIT_API_PER_USER = 3
    key = token_for(cast.organizer_a)
    other = token_for(cast.organizer_a, name="other script")
    client = api(key)
    for _ in range(3):
        assert client.get(PEOPLE).status_code == 200
    limited = client.get(PEOPLE)
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    # Each token has its own count.
    assert api(other).get(PEOPLE).status_code == 200


def test_the_session_still_works_without_a_token(cast, client_for):
    response = client_for(cast.organizer_a).get(PEOPLE)
    assert response.status_code == 200
    assert _names(response) == {"Ana"}


# --- the page -----------------------------------------------------------------------------------


def test_a_user_makes_a_token_and_sees_the_key_once(cast, client_for):
    client = client_for(cast.organizer_a)
    response = client.post("/api/tokens/", {"name": "Parsons sync"}, follow=True)
    assert response.status_code == 200
    key = response.context["new_key"]
    assert key and key in response.content.decode()
    token = ApiToken.objects.get(user=cast.organizer_a)
    assert token.name == "Parsons sync" and token.key_hash == hash_key(key)
    again = client.get("/api/tokens/")
    assert key not in again.content.decode()
    assert "Parsons sync" in again.content.decode()


def test_a_token_name_is_bounded(cast, client_for):
    client = client_for(cast.organizer_a)
    response = client.post("/api/tokens/", {"name": "x" * 81})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    assert response.context["form"].errors["name"]


def test_the_page_lists_only_my_tokens(cast, client_for):
    token_create(user=cast.organizer_b, name="b-secret-script")
    token_create(user=cast.organizer_a, name="a-script")
    page = client_for(cast.organizer_a).get("/api/tokens/").content.decode()
    assert "a-script" in page and "b-secret-script" not in page


def test_staff_see_and_revoke_everyones_tokens(cast, client_for):
    token, _key = token_create(user=cast.organizer_a, name="a-script")
    client = client_for(cast.staff)
    assert "a-script" in client.get("/api/tokens/").content.decode()
    assert client.get(f"/api/tokens/{token.pk}/revoke/").status_code == 200
    response = client.post(f"/api/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == cast.staff


@pytest.mark.parametrize("persona", ["organizer_b", "captain_a", "volunteer_a"])
def test_others_cannot_revoke_my_token(cast, client_for, persona):
    token, _key = token_create(user=cast.organizer_a, name="a-script")
    client = client_for(getattr(cast, persona))
    assert client.get(f"/api/tokens/{token.pk}/revoke/").status_code == 404
    assert client.post(f"/api/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_i_revoke_my_own_token(cast, client_for):
    token, _key = token_create(user=cast.organizer_a, name="a-script")
    client_for(cast.organizer_a).post(f"/api/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_page_needs_sign_in(client):
    response = client.get("/api/tokens/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_command_prints_a_working_key(cast, api):
    out = io.StringIO()
    call_command("create_api_token", "Organizer.A@example.org", "--name", "cron", stdout=out)
    key = out.getvalue().strip()
    assert ApiToken.objects.get(key_hash=hash_key(key)).name == "cron"
    assert _names(api(key).get(PEOPLE)) == {"Ana"}


@pytest.mark.django_db(transaction=True)
def test_tokens_made_at_once_never_pass_the_limit(cast):
    import threading

    from django.core.exceptions import ValidationError
    from django.db import connection

    from api.services.tokens import MAX_ACTIVE_TOKENS

    for i in range(MAX_ACTIVE_TOKENS - 1):
        token_create(user=cast.organizer_a, name=f"script {i}")
    barrier = threading.Barrier(4)
    made, refused = [], []

    def make(i):
        try:
            barrier.wait(timeout=10)
            made.append(token_create(user=cast.organizer_a, name=f"race {i}"))
        except ValidationError:
            refused.append(i)
        finally:
            connection.close()

    threads = [threading.Thread(target=make, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert (len(made), len(refused)) == (1, 3)
    active = ApiToken.objects.filter(user=cast.organizer_a, revoked_at__isnull=True)
    assert active.count() == MAX_ACTIVE_TOKENS
