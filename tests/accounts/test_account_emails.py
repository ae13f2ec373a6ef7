"""Invitations and password resets go through the outbox (AccountEmail): a mail server that is
down never fails the page, the email goes out once it is back, and nothing is sent twice."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.utils import timezone

from accounts.models import AccountEmail, Role
from accounts.services import (
    MAX_ATTEMPTS,
    account_email_send,
    account_emails_sweep,
    invite_resend,
    user_invite,
)
from tests.factories import UserFactory

User = get_user_model()
Status = AccountEmail.Status
DOWN = "tests.accounts.test_account_emails.MailServerDown"


class MailServerDown(BaseEmailBackend):
    """The outside world: an SMTP server that refuses every connection."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")


def invite_data(cast, **overrides):
    return {"email": "new@example.org", "name": "New", "role": Role.ORGANIZER} | overrides


@pytest.mark.django_db
def test_an_invite_while_the_mail_server_is_down_is_saved_and_sent_once_it_is_back(
    cast, client_for, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = DOWN
    client = client_for(cast.staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/invite/", invite_data(cast, hubs=[cast.hub_a.pk]))
    assert response.status_code == 302

    account_emails_sweep()  # the worker tries: the mail server refuses
    row = AccountEmail.objects.get(user__email="new@example.org")
    assert row.status == Status.FAILED and row.attempts == 1
    assert "Connection refused" in row.last_error and row.next_attempt_at > timezone.now()
    page = client.get("/accounts/users/").content.decode()
    assert "Email not sent yet:" in page and "retrying on its own" in page
    assert "Resend invite" in page

    again = client.post("/accounts/invite/", invite_data(cast))  # the user exists: a form error
    assert again.status_code == 200
    assert User.objects.filter(email="new@example.org").count() == 1

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert account_emails_sweep() == 0  # not due yet: backoff
    later = row.next_attempt_at + dt.timedelta(seconds=1)
    assert account_emails_sweep(now=later) == 1
    assert account_emails_sweep(now=later + dt.timedelta(hours=2)) == 0
    assert [m.to for m in mail.outbox] == [["new@example.org"]]
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 2 and row.last_error == ""


@pytest.mark.django_db
def test_a_password_reset_while_the_mail_server_is_down_answers_and_is_sent_later(
    client, settings, mailoutbox
):
    UserFactory(email="ann@example.org")
    settings.EMAIL_BACKEND = DOWN
    response = client.post("/accounts/password-reset/", {"email": "ann@example.org"}, follow=True)
    assert response.status_code == 200 and "Check your email" in response.content.decode()
    account_emails_sweep()
    row = AccountEmail.objects.get(kind=AccountEmail.Kind.PASSWORD_RESET)
    assert row.status == Status.FAILED

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    account_emails_sweep(now=row.next_attempt_at)
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body
    assert mail.outbox[0].subject == "Reset your Organizer password"


@pytest.mark.django_db
def test_it_stops_retrying_after_the_last_attempt_and_staff_see_why(cast, settings):
    settings.EMAIL_BACKEND = DOWN
    user = user_invite(invited_by=cast.staff, email="x@example.org", name="X", role="volunteer")
    row = AccountEmail.objects.get(user=user)
    now = timezone.now()
    for _ in range(MAX_ATTEMPTS):
        assert account_email_send(email_id=row.pk, now=now) == Status.FAILED
        now += dt.timedelta(hours=2)
    assert account_email_send(email_id=row.pk, now=now) is None
    row.refresh_from_db()
    assert row.attempts == MAX_ATTEMPTS and row.next_attempt_at is None


@pytest.mark.django_db
def test_resend_invite_sends_a_waiting_invitation_once_rather_than_twice(
    cast, client_for, settings, mailoutbox
):
    settings.EMAIL_BACKEND = DOWN
    user = user_invite(invited_by=cast.staff, email="x@example.org", name="X", role="volunteer")
    account_emails_sweep()  # failed, retry in a minute or so
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    response = client_for(cast.staff).post(f"/accounts/users/{user.pk}/resend-invite/")

    assert response.status_code == 302 and response.url == "/accounts/users/"
    assert AccountEmail.objects.filter(user=user).count() == 1
    assert account_emails_sweep() == 1
    assert account_emails_sweep(now=timezone.now() + dt.timedelta(days=1)) == 0
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_resend_invite_after_it_was_sent_queues_a_new_email(cast, mailoutbox):
    user = user_invite(invited_by=cast.staff, email="x@example.org", name="X", role="volunteer")
    account_emails_sweep()
    invite_resend(user_id=user.pk, by=cast.staff)
    account_emails_sweep()
    assert len(mailoutbox) == 2 and AccountEmail.objects.filter(user=user).count() == 2


@pytest.mark.django_db
def test_resend_invite_refuses_someone_who_chose_a_password(cast, client_for):
    response = client_for(cast.staff).post(
        f"/accounts/users/{cast.organizer_a.pk}/resend-invite/", follow=True
    )
    assert "They have already chosen a password." in response.content.decode()
    assert not AccountEmail.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["captain_a", "organizer_a", "volunteer_a"])
def test_only_staff_may_resend_an_invite(cast, client_for, persona):
    user = UserFactory(email="x@example.org")
    user.set_unusable_password()
    user.save()
    response = client_for(getattr(cast, persona)).post(f"/accounts/users/{user.pk}/resend-invite/")
    assert response.status_code == 404
    assert not AccountEmail.objects.exists()


@pytest.mark.django_db
def test_an_invite_for_someone_who_already_chose_a_password_is_not_sent(cast, mailoutbox):
    user = user_invite(invited_by=cast.staff, email="x@example.org", name="X", role="volunteer")
    user.set_password("their own passphrase")
    user.save()
    account_emails_sweep()
    assert mailoutbox == []
    assert AccountEmail.objects.get(user=user).status == Status.SENT


@pytest.mark.django_db
def test_sending_a_missing_row_is_a_quiet_no_op():
    assert account_email_send(email_id=987654) is None


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_email_at_once_send_it_once(mailoutbox):
    staff = UserFactory(email="staff@example.org", role=Role.STAFF)
    user = user_invite(invited_by=staff, email="x@example.org", name="X", role="volunteer")
    row = AccountEmail.objects.get(user=user)
    barrier = threading.Barrier(3)
    results = []

    def worker():
        barrier.wait()
        try:
            results.append(account_email_send(email_id=row.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(results, key=str) == [None, None, Status.SENT]
    assert len(mailoutbox) == 1
