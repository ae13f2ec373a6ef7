from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client

from accounts.models import Role
from accounts.services import AccountError, account_emails_sweep
from hubs.models import HubRole
from hubs.services.invites import user_invite_to_hubs as user_invite

pytestmark = pytest.mark.django_db

User = get_user_model()


def invite_data(cast, **overrides):
    data = {
        "email": "New.Person@Example.org",
        "name": "New Person",
        "role": Role.CAPTAIN,
        "hubs": [cast.hub_a.pk, cast.hub_b.pk],
    }
    return {**data, **overrides}


@pytest.mark.parametrize("persona", ["captain_a", "organizer_a", "volunteer_a"])
@pytest.mark.parametrize("url", ["/accounts/invite/", "/accounts/users/"])
def test_only_staff_reach_the_user_pages(cast, client_for, persona, url):
    client = client_for(getattr(cast, persona))
    assert client.get(url).status_code == 404
    assert client.post(url, invite_data(cast)).status_code == 404
    assert not User.objects.filter(email="new.person@example.org").exists()


@pytest.mark.parametrize("url", ["/accounts/invite/", "/accounts/users/"])
def test_anonymous_visitors_are_sent_to_sign_in(url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("url", ["/accounts/invite/", "/accounts/users/"])
def test_staff_confirm_the_second_factor_before_the_user_pages(cast, client_for, url):
    response = client_for(cast.staff, verified=False).get(url)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/two-factor/")


def test_the_invite_form_labels_every_field(cast, client_for):
    html = client_for(cast.staff).get("/accounts/invite/").content.decode()
    for field, label in [("email", "Email"), ("name", "Name"), ("role", "Role")]:
        assert f'<label for="id_{field}">{label}:</label>' in html
    assert "Hub A" in html
    assert "Hub B" in html
    assert "Send invitation" in html


def test_staff_invite_a_captain_to_two_hubs(
    cast, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(cast.staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/invite/", invite_data(cast))
    assert mailoutbox == []  # the request only queued it
    account_emails_sweep()  # what the worker (or the sweep) does

    assert response.status_code == 302
    assert response.url == "/accounts/users/"
    user = User.objects.get(email="new.person@example.org")
    assert user.name == "New Person"
    assert user.role == Role.CAPTAIN
    assert user.invited_by == cast.staff
    assert not user.has_usable_password()
    memberships = {(m.hub.slug, m.role) for m in user.hub_roles.select_related("hub")}
    assert memberships == {("hub-a", "captain"), ("hub-b", "captain")}

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["new.person@example.org"]
    assert email.subject == "You were invited to Organizer"
    assert f"You were invited to Organizer by {cast.staff.name}" in email.body

    listing = client.get(response.url).content.decode()
    assert "Invitation sent to new.person@example.org" in listing


def test_the_invitation_link_lets_them_choose_a_password_and_sign_in(
    cast, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(cast.staff).post(
            "/accounts/invite/", invite_data(cast, role=Role.ORGANIZER, hubs=[cast.hub_a.pk])
        )
    account_emails_sweep()
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mailoutbox[0].body).group(1)

    invitee = Client()
    page = invitee.get(link, follow=True)
    assert "Choose a new password" in page.content.decode()
    invitee.post(
        page.redirect_chain[-1][0],
        {"new_password1": "my own long passphrase", "new_password2": "my own long passphrase"},
    )
    invitee.post(
        "/accounts/login/",
        {"username": "new.person@example.org", "password": "my own long passphrase"},
    )
    assert invitee.get("/people/my-day/").status_code == 200
    assert "This link no longer works" in Client().get(link, follow=True).content.decode()


@pytest.mark.parametrize(
    ("role", "hub_role"),
    [
        (Role.CAPTAIN, HubRole.Role.CAPTAIN),
        (Role.ORGANIZER, HubRole.Role.ORGANIZER),
        (Role.VOLUNTEER, HubRole.Role.VOLUNTEER),
    ],
)
def test_the_hub_role_follows_the_user_role(cast, role, hub_role):
    user = user_invite(
        invited_by=cast.staff, email="x@example.org", name="X", role=role, hubs=[cast.hub_a]
    )
    assert list(user.hub_roles.values_list("hub__slug", "role")) == [("hub-a", hub_role)]


def test_invited_staff_get_no_hub_roles(cast):
    user = user_invite(
        invited_by=cast.staff, email="x@example.org", name="X", role=Role.STAFF, hubs=[cast.hub_a]
    )
    assert user.role == Role.STAFF
    assert not user.hub_roles.exists()


def test_inviting_a_taken_email_is_a_form_error(cast, client_for, mailoutbox):
    response = client_for(cast.staff).post(
        "/accounts/invite/", invite_data(cast, email="ORGANIZER.A@example.org")
    )
    assert response.status_code == 200
    assert "Someone already has an account with this email address." in response.content.decode()
    assert User.objects.filter(email__iexact="organizer.a@example.org").count() == 1
    assert mailoutbox == []


def test_the_service_refuses_a_taken_email(cast):
    with pytest.raises(AccountError):
        user_invite(
            invited_by=cast.staff, email=cast.captain_a.email, name="X", role=Role.VOLUNTEER
        )


def test_no_email_goes_out_when_the_invite_is_rolled_back(
    cast, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        user_invite(invited_by=cast.staff, email="x@example.org", name="X", role=Role.STAFF)
        raise RuntimeError
    account_emails_sweep()
    assert callbacks == []
    assert mailoutbox == []
    assert not User.objects.filter(email="x@example.org").exists()


def test_the_users_page_lists_users_with_role_and_hubs(cast, client_for):
    response = client_for(cast.staff).get("/accounts/users/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "captain.a@example.org" in html
    assert "Hub captain" in html
    assert "Hub A (Captain)" in html
    assert "Hub B (Organizer)" in html
    assert 'href="/accounts/invite/"' in html


def test_the_users_page_runs_a_fixed_number_of_queries(
    cast, client_for, django_assert_max_num_queries
):
    client = client_for(cast.staff)
    client.get("/accounts/users/")
    for n in range(10):
        user_invite(
            invited_by=cast.staff,
            email=f"more{n}@example.org",
            name=f"More {n}",
            role=Role.ORGANIZER,
            hubs=[cast.hub_a, cast.hub_b],
        )
    with django_assert_max_num_queries(10):
        client.get("/accounts/users/")
