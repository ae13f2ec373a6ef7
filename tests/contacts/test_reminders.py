"""Follow-up reminders: the digest, the hour, exactly once per organizer per day per channel
(sequential and concurrent runs), consent, retries, a dead worker, reassignment, the command.

"Now" is frozen by passing ``now=`` to the service. Email goes to Django's locmem backend
(``mailoutbox``); texts go to a fake sender that records them (the SMS provider is the outside
world).
"""

from __future__ import annotations

import datetime as dt
import threading
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from contacts.models import FollowUp, ReminderDelivery, ReminderItem
from contacts.services.conversations import follow_up_reassign
from contacts.services.reminders import (
    MAX_ATTEMPTS,
    SENDING_TIMEOUT,
    chapter_moment,
    reminder_send,
    reminders_plan,
    reminders_run,
)
from organizer.sms import SmsError
from tests.factories import ContactFactory, UserFactory

NY = ZoneInfo("America/New_York")
DAY = dt.date(2026, 3, 10)  # a Tuesday, after the switch to daylight time (UTC-4)
NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=NY)
Status = ReminderDelivery.Status


class FakeSender:
    """Records texts; fails the first ``fail`` sends (or every send with ``fail=None``)."""

    def __init__(self, fail: int | None = 0) -> None:
        self.fail = fail
        self.sent: list[tuple[str, str]] = []
        self.calls = 0

    def send(self, *, to: str, body: str) -> str:
        self.calls += 1
        if self.fail is None or self.fail > 0:
            if self.fail:
                self.fail -= 1
            raise SmsError("provider down")
        self.sent.append((to, body))
        return f"fake-{len(self.sent)}"


class FailingEmailBackend:
    """An email provider that refuses every message."""

    def __init__(self, *args, **kwargs) -> None:
        pass

    def open(self) -> bool:
        return False

    def close(self) -> None:
        pass

    def send_messages(self, messages) -> int:
        raise ConnectionRefusedError("SMTP server refused the connection")


def due(user, contact, days: int, what: str, *, status=FollowUp.Status.OPEN) -> FollowUp:
    return FollowUp.objects.create(
        contact=contact,
        assigned_to=user,
        due_on=DAY + dt.timedelta(days=days),
        what=what,
        status=status,
        created_by=user,
    )


@pytest.fixture
def organizer(db):
    return UserFactory(email="rosa@example.org", name="Rosa Parks", reminder_hour=8)


@pytest.fixture
def person(db):
    return ContactFactory(first_name="Ana", last_name="Alvarez")


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://organizer.example.org"
    settings.TIME_ZONE = "America/New_York"


# --- the digest ---------------------------------------------------------------------------------


def test_the_digest_lists_due_today_and_overdue_follow_ups_with_links_and_nothing_else(
    organizer, person, mailoutbox
):
    other = ContactFactory(first_name="Bo", last_name="Baker")
    today = due(organizer, person, 0, "Call Ana about the potluck")
    late = due(organizer, other, -3, "Bring Bo the sign-up sheet")
    due(organizer, person, 1, "Tomorrow's thing")
    due(organizer, person, -2, "Already done", status=FollowUp.Status.DONE)
    due(organizer, person, -2, "Cancelled one", status=FollowUp.Status.CANCELLED)
    due(UserFactory(reminder_email=False), person, 0, "Someone else's follow-up")

    summary = reminders_run(now=NOW)

    assert summary.count("sent") == 1
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["rosa@example.org"]
    assert message.subject == "2 follow-ups due (1 overdue)"
    text = message.body
    assert "Call Ana about the potluck" in text and "Bring Bo the sign-up sheet" in text
    assert "3 days late" in text
    assert text.index("Overdue") < text.index("Bring Bo") < text.index("Due today")
    assert f"https://organizer.example.org/people/{person.pk}/" in text
    assert f"https://organizer.example.org/people/{other.pk}/" in text
    assert "https://organizer.example.org/people/my-day/" in text
    for absent in ("Tomorrow's thing", "Already done", "Cancelled one", "Someone else's"):
        assert absent not in text
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'<a href="https://organizer.example.org/people/{person.pk}/">Ana Alvarez</a>' in html
    delivery = ReminderDelivery.objects.get()
    assert (delivery.user, delivery.day, delivery.channel) == (organizer, DAY, "email")
    assert delivery.status == Status.SENT and delivery.attempts == 1
    assert NOW <= delivery.sent_at < NOW + dt.timedelta(minutes=1)
    assert set(ReminderItem.objects.values_list("follow_up_id", flat=True)) == {today.pk, late.pk}


def test_an_organizer_with_nothing_due_gets_no_reminder(organizer, person, mailoutbox):
    due(organizer, person, 2, "Later")

    reminders_run(now=NOW)

    assert mailoutbox == []
    assert not ReminderDelivery.objects.exists()


def test_inactive_users_get_no_reminder(organizer, person, mailoutbox):
    due(organizer, person, 0, "Today")
    organizer.is_active = False
    organizer.save()

    reminders_run(now=NOW)

    assert mailoutbox == [] and not ReminderDelivery.objects.exists()


# --- the hour -----------------------------------------------------------------------------------


def test_the_reminder_waits_for_the_organizers_hour_in_the_chapter_time_zone(
    organizer, person, mailoutbox
):
    organizer.reminder_hour = 8
    organizer.save()
    due(organizer, person, 0, "Today")
    # 11:59 UTC is 07:59 in New York: too early, although it is past 8 in UTC.
    too_early = dt.datetime(2026, 3, 10, 11, 59, tzinfo=dt.UTC)

    assert reminders_run(now=too_early).planned == 0
    assert mailoutbox == []

    assert reminders_run(now=too_early + dt.timedelta(minutes=1)).planned == 1
    assert len(mailoutbox) == 1


def test_ignore_hour_sends_todays_reminder_before_the_hour(organizer, person, mailoutbox):
    organizer.reminder_hour = 18
    organizer.save()
    due(organizer, person, 0, "Today")

    reminders_run(now=NOW)
    assert mailoutbox == []

    reminders_run(now=NOW, ignore_hour=True)
    assert len(mailoutbox) == 1


def test_chapter_day_and_hour_come_from_the_chapter_time_zone():
    late_evening = dt.datetime(2026, 3, 11, 2, 30, tzinfo=dt.UTC)  # 22:30 on the 10th in NY
    assert chapter_moment(late_evening) == (DAY, 22)


# --- exactly once -------------------------------------------------------------------------------


def test_running_twice_sends_one_reminder_per_organizer_per_day_per_channel(
    organizer, person, mailoutbox
):
    organizer.reminder_sms, organizer.phone = True, "+12125550123"
    organizer.save()
    due(organizer, person, 0, "Today")
    sender = FakeSender()

    reminders_run(now=NOW, sender=sender)
    reminders_run(now=NOW + dt.timedelta(minutes=5), sender=sender)
    reminders_run(now=NOW + dt.timedelta(hours=3), sender=sender, ignore_hour=True)

    assert len(mailoutbox) == 1
    assert len(sender.sent) == 1
    assert ReminderDelivery.objects.count() == 2  # one email, one text
    assert ReminderItem.objects.count() == 2


def test_the_next_day_brings_a_new_reminder_for_what_is_still_overdue(
    organizer, person, mailoutbox
):
    due(organizer, person, 0, "Today")

    reminders_run(now=NOW)
    reminders_run(now=NOW + dt.timedelta(days=1))

    assert len(mailoutbox) == 2
    assert "1 day late" in mailoutbox[1].body
    assert ReminderDelivery.objects.filter(status=Status.SENT).count() == 2


def test_a_follow_up_added_after_todays_reminder_waits_for_tomorrows(organizer, person, mailoutbox):
    due(organizer, person, 0, "First")
    reminders_run(now=NOW)
    due(organizer, person, 0, "Added later")

    reminders_run(now=NOW + dt.timedelta(minutes=5))

    assert len(mailoutbox) == 1
    assert "Added later" not in mailoutbox[0].body


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_one_reminder_per_organizer_per_channel(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    contact = ContactFactory()
    organizers = [UserFactory(reminder_sms=True, phone="+1212555010" + str(i)) for i in range(4)]
    for user in organizers:
        for days in (0, -1, -5):
            due(user, contact, days, f"Follow-up {days}")
    sender = FakeSender()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def tick() -> None:
        try:
            barrier.wait(timeout=10)
            reminders_run(now=NOW, sender=sender)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in organizers)
    assert sorted(to for to, _ in sender.sent) == sorted(u.phone for u in organizers)
    assert ReminderDelivery.objects.count() == 8
    assert set(ReminderDelivery.objects.values_list("status", flat=True)) == {Status.SENT}
    assert ReminderItem.objects.count() == 4 * 3 * 2


def test_a_reassigned_follow_up_is_not_reminded_again_the_same_day_on_the_same_channel(
    cast, mailoutbox
):
    reminded = due(cast.organizer_a, cast.person_a, 0, "Call Ana about the potluck")
    reminders_run(now=NOW)
    assert [m.to for m in mailoutbox] == [[cast.organizer_a.email]]

    follow_up_reassign(by=cast.staff, follow_up_id=reminded.pk, to_user_id=cast.captain_a.pk)
    reminders_run(now=NOW + dt.timedelta(minutes=5))

    assert len(mailoutbox) == 1
    assert not ReminderDelivery.objects.filter(user=cast.captain_a).exists()
    # The captain's own new follow-up is reminded, without the reassigned one.
    due(cast.captain_a, cast.person_a, 0, "Captain's own")
    reminders_run(now=NOW + dt.timedelta(minutes=10))
    assert [m.to for m in mailoutbox][-1] == [cast.captain_a.email]
    assert "Captain's own" in mailoutbox[-1].body
    assert "potluck" not in mailoutbox[-1].body


def test_a_second_plan_never_adds_to_an_existing_delivery(organizer, person):
    due(organizer, person, 0, "First")
    assert len(reminders_plan(now=NOW)) == 1
    due(organizer, person, -1, "Second")

    assert reminders_plan(now=NOW) == []
    assert ReminderItem.objects.count() == 1


def test_sending_a_delivery_twice_sends_it_once_and_a_missing_one_is_a_no_op(
    organizer, person, mailoutbox
):
    due(organizer, person, 0, "Today")
    [delivery_id] = reminders_plan(now=NOW)

    assert reminder_send(delivery_id=delivery_id, now=NOW).status == "sent"
    assert reminder_send(delivery_id=delivery_id, now=NOW).status == "not_claimed"
    assert reminder_send(delivery_id=987654, now=NOW).status == "not_claimed"
    assert len(mailoutbox) == 1


# --- consent and numbers ------------------------------------------------------------------------


def test_texts_go_only_to_those_who_opted_in_with_a_valid_number(person, mailoutbox):
    consenting = UserFactory(reminder_sms=True, phone="+12125550123")
    no_consent = UserFactory(reminder_sms=False, phone="+12125550124")
    no_number = UserFactory(reminder_sms=True, phone="")
    bad_number = UserFactory(reminder_sms=True, phone="+1555")
    for user in (consenting, no_consent, no_number, bad_number):
        due(user, person, 0, "Today")
    sender = FakeSender()

    reminders_run(now=NOW, sender=sender)

    assert [to for to, _ in sender.sent] == ["+12125550123"]
    assert len(mailoutbox) == 4  # everyone still gets the email
    texts = ReminderDelivery.objects.filter(channel="sms")
    assert not texts.filter(user=no_consent).exists()  # never planned without consent
    for user, reason in ((no_number, "No mobile number"), (bad_number, "Invalid mobile number")):
        failed = texts.get(user=user)  # planned, visibly failed, never retried
        assert failed.status == Status.FAILED
        assert reason in failed.last_error
        assert failed.next_attempt_at is None


def test_the_text_is_short_with_the_count_two_items_and_a_link_to_my_day(organizer, mailoutbox):
    organizer.reminder_sms, organizer.phone = True, "+12125550123"
    organizer.save()
    for i, name in enumerate(("Ana", "Bo", "Cy")):
        due(organizer, ContactFactory(first_name=name, last_name="Diaz"), -i, f"Call {name}")
    sender = FakeSender()

    reminders_run(now=NOW, sender=sender)

    [(to, body)] = sender.sent
    assert to == "+12125550123"
    assert body.startswith("3 follow-ups due (2 overdue): ")
    assert "Cy Diaz: Call Cy" in body and "Bo Diaz: Call Bo" in body and "Ana" not in body
    assert "+1 more" in body
    assert body.endswith("https://organizer.example.org/people/my-day/")
    assert len(body) <= 200


def test_email_off_and_texts_on_sends_only_the_text(organizer, person, mailoutbox):
    organizer.reminder_email, organizer.reminder_sms, organizer.phone = False, True, "+12125550123"
    organizer.save()
    due(organizer, person, 0, "Today")
    sender = FakeSender()

    reminders_run(now=NOW, sender=sender)

    assert mailoutbox == []
    assert len(sender.sent) == 1


def test_turning_texts_off_before_a_planned_text_goes_out_stops_it(organizer, person):
    organizer.reminder_sms, organizer.phone = True, "+12125550123"
    organizer.save()
    due(organizer, person, 0, "Today")
    reminders_plan(now=NOW)
    organizer.reminder_sms = False
    organizer.save()
    sender = FakeSender()

    reminders_run(now=NOW, sender=sender)

    assert sender.sent == []
    text = ReminderDelivery.objects.get(channel="sms")
    assert text.status == Status.FAILED and "turned text reminders off" in text.last_error


# --- retries ------------------------------------------------------------------------------------


def test_a_failed_text_is_recorded_with_its_error_and_retried_once_later(organizer, person):
    organizer.reminder_email, organizer.reminder_sms, organizer.phone = False, True, "+12125550123"
    organizer.save()
    due(organizer, person, 0, "Today")
    sender = FakeSender(fail=1)

    reminders_run(now=NOW, sender=sender)

    delivery = ReminderDelivery.objects.get()
    assert delivery.status == Status.FAILED
    assert "provider down" in delivery.last_error
    assert delivery.attempts == 1
    assert (
        NOW + dt.timedelta(seconds=30) <= delivery.next_attempt_at <= NOW + dt.timedelta(seconds=60)
    )
    # Not yet due: the next tick a few seconds later leaves it alone.
    reminders_run(now=NOW + dt.timedelta(seconds=20), sender=sender)
    assert sender.calls == 1

    reminders_run(now=NOW + dt.timedelta(minutes=5), sender=sender)
    reminders_run(now=NOW + dt.timedelta(minutes=10), sender=sender)

    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and delivery.attempts == 2
    assert len(sender.sent) == 1


def test_a_failed_email_is_retried_with_growing_delays_and_given_up_after_the_maximum(
    organizer, person, settings
):
    settings.EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"
    due(organizer, person, 0, "Today")
    at, delays = NOW, []

    for _ in range(MAX_ATTEMPTS + 2):
        reminders_run(now=at)
        delivery = ReminderDelivery.objects.get()
        if delivery.next_attempt_at:
            delays.append(delivery.next_attempt_at - at)
        at += dt.timedelta(hours=1)

    assert delivery.status == Status.FAILED
    assert delivery.attempts == MAX_ATTEMPTS
    assert delivery.next_attempt_at is None
    assert delivery.last_error.startswith(f"Gave up after {MAX_ATTEMPTS} attempts.")
    assert "SMTP server refused" in delivery.last_error
    assert len(delays) == MAX_ATTEMPTS - 1
    assert delays[-1] > delays[0]


def test_a_delivery_stuck_sending_after_its_worker_died_is_sent_once_after_the_timeout(
    organizer, person, mailoutbox
):
    due(organizer, person, 0, "Today")
    [delivery_id] = reminders_plan(now=NOW)
    # A worker claimed it and died before the provider accepted (its transaction rolled back).
    ReminderDelivery.objects.filter(pk=delivery_id).update(
        status=Status.SENDING, attempts=1, claimed_at=NOW
    )

    reminders_run(now=NOW + SENDING_TIMEOUT - dt.timedelta(minutes=1))
    assert mailoutbox == []  # it might still be sending

    reminders_run(now=NOW + SENDING_TIMEOUT + dt.timedelta(minutes=1))
    reminders_run(now=NOW + SENDING_TIMEOUT + dt.timedelta(minutes=6))

    assert len(mailoutbox) == 1
    delivery = ReminderDelivery.objects.get()
    assert delivery.status == Status.SENT and delivery.attempts == 2


def test_an_unsent_delivery_of_a_past_day_is_closed_and_today_lists_its_follow_ups(
    organizer, person, mailoutbox
):
    due(organizer, person, -1, "Due yesterday")
    [yesterday_id] = reminders_plan(now=NOW - dt.timedelta(days=1), ignore_hour=True)
    ReminderDelivery.objects.filter(pk=yesterday_id).update(
        status=Status.FAILED, attempts=1, last_error="boom", next_attempt_at=NOW
    )

    reminders_run(now=NOW)

    old = ReminderDelivery.objects.get(pk=yesterday_id)
    assert old.status == Status.FAILED and old.next_attempt_at is None
    assert old.last_error.startswith("Not sent on its day") and "boom" in old.last_error
    assert len(mailoutbox) == 1
    assert ReminderDelivery.objects.get(day=DAY).status == Status.SENT


def test_a_digest_whose_follow_ups_were_all_closed_before_sending_sends_nothing(
    organizer, person, mailoutbox
):
    follow_up = due(organizer, person, 0, "Today")
    reminders_plan(now=NOW)
    FollowUp.objects.filter(pk=follow_up.pk).update(status=FollowUp.Status.DONE)

    reminders_run(now=NOW)

    assert mailoutbox == []
    delivery = ReminderDelivery.objects.get()
    assert delivery.status == Status.SENT and "Nothing left to send" in delivery.last_error


# --- the command --------------------------------------------------------------------------------


def _today() -> dt.date:
    return chapter_moment(timezone.now())[0]


def test_send_reminders_dry_run_prints_who_would_get_what_and_writes_nothing(
    organizer, person, mailoutbox
):
    FollowUp.objects.create(
        contact=person, assigned_to=organizer, due_on=_today(), what="Today", created_by=organizer
    )
    out = StringIO()

    call_command("send_reminders", "--dry-run", "--ignore-hour", stdout=out)

    assert "would email rosa@example.org: 1 due today, 0 overdue" in out.getvalue()
    assert "Nothing was written or sent" in out.getvalue()
    assert not ReminderDelivery.objects.exists() and not ReminderItem.objects.exists()
    assert mailoutbox == []


def test_send_reminders_ignore_hour_sends_todays_reminders_now(organizer, person, mailoutbox):
    organizer.reminder_hour = 23
    organizer.save()
    FollowUp.objects.create(
        contact=person, assigned_to=organizer, due_on=_today(), what="Today", created_by=organizer
    )
    out = StringIO()

    call_command("send_reminders", "--ignore-hour", stdout=out)
    call_command("send_reminders", "--ignore-hour", stdout=out)

    assert len(mailoutbox) == 1
    assert "planned 1 new reminder(s); 1 sent." in out.getvalue()
    assert ReminderDelivery.objects.get().status == Status.SENT


def test_send_reminders_without_ignore_hour_waits_for_the_hour(organizer, person, mailoutbox):
    hour = chapter_moment(timezone.now())[1]
    if hour == 23:
        pytest.skip("no later hour left today")
    organizer.reminder_hour = hour + 1
    organizer.save()
    FollowUp.objects.create(
        contact=person, assigned_to=organizer, due_on=_today(), what="Today", created_by=organizer
    )

    call_command("send_reminders", stdout=StringIO())

    assert mailoutbox == [] and not ReminderDelivery.objects.exists()
