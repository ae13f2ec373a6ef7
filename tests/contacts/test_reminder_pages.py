"""Reminder pages: the staff list of today's deliveries (and "Retry now"), a user's own reminder
settings, the due count on My day and in the navigation; the beat task."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts.models import FollowUp, ReminderDelivery
from contacts.selectors.reminders import due_count_for_request
from contacts.services.reminders import chapter_moment, reminders_plan
from contacts.tasks import reminders_tick

DELIVERIES = reverse("contacts:reminder_deliveries")
SETTINGS = reverse("contacts:reminder_settings")
Status = ReminderDelivery.Status


def today() -> dt.date:
    return chapter_moment(timezone.now())[0]


def follow_up(user, contact, days: int = 0, what: str = "Call back") -> FollowUp:
    return FollowUp.objects.create(
        contact=contact,
        assigned_to=user,
        due_on=today() + dt.timedelta(days=days),
        what=what,
        created_by=user,
    )


@pytest.fixture
def deliveries(cast):
    """Today: organizer A's email sent, organizer B's text failed."""
    follow_up(cast.organizer_a, cast.person_a)
    follow_up(cast.organizer_b, cast.person_b)
    cast.organizer_b.reminder_sms, cast.organizer_b.phone = True, "+12125550123"
    cast.organizer_b.save()
    cast.organizer_b.reminder_email = False
    cast.organizer_b.save()
    reminders_plan(now=timezone.now(), ignore_hour=True)
    sent = ReminderDelivery.objects.get(user=cast.organizer_a)
    sent.status, sent.attempts, sent.sent_at = Status.SENT, 1, timezone.now()
    sent.save()
    failed = ReminderDelivery.objects.get(user=cast.organizer_b)
    failed.status, failed.attempts = Status.FAILED, 2
    failed.last_error = "SmsError: Twilio refused the text (HTTP 400): invalid From"
    failed.next_attempt_at = timezone.now() + dt.timedelta(minutes=4)
    failed.save()
    return sent, failed


# --- the staff page -----------------------------------------------------------------------------


def test_staff_see_todays_deliveries_failed_first_with_attempts_and_error(
    cast, client_for, deliveries
):
    sent, failed = deliveries

    response = client_for(cast.staff).get(DELIVERIES)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(f'id="delivery-{failed.pk}"') < html.index(f'id="delivery-{sent.pk}"')
    assert "Twilio refused the text (HTTP 400): invalid From" in html
    assert "1 failed · 0 sending · 0 waiting · 1 sent" in html
    assert html.count(">Retry now</button>") == 1  # only on the failed one
    assert cast.organizer_b.email in html and cast.organizer_a.email in html


@pytest.mark.parametrize("persona", ["captain_a", "organizer_a", "organizer_b", "volunteer_a"])
def test_everyone_but_staff_gets_404_on_the_reminders_page_and_retry(
    cast, client_for, deliveries, persona
):
    client = client_for(getattr(cast, persona))
    _, failed = deliveries

    assert client.get(DELIVERIES).status_code == 404
    assert client.post(reverse("contacts:reminder_retry", args=[failed.pk])).status_code == 404
    failed.refresh_from_db()
    assert failed.attempts == 2


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get(DELIVERIES).status_code == 302
    assert client.get(SETTINGS).status_code == 302


def test_retry_now_sends_a_failed_reminder_at_once(cast, client_for, mailoutbox):
    follow_up(cast.organizer_a, cast.person_a, what="Call Ana now")
    [delivery_id] = reminders_plan(now=timezone.now(), ignore_hour=True)
    ReminderDelivery.objects.filter(pk=delivery_id).update(
        status=Status.FAILED,
        attempts=5,
        last_error="Gave up after 5 attempts.",
        next_attempt_at=None,
    )

    response = client_for(cast.staff).post(
        reverse("contacts:reminder_retry", args=[delivery_id]), follow=True
    )

    assert response.status_code == 200
    assert "Sent." in response.content.decode()
    delivery = ReminderDelivery.objects.get(pk=delivery_id)
    assert delivery.status == Status.SENT and delivery.attempts == 6
    assert len(mailoutbox) == 1 and "Call Ana now" in mailoutbox[0].body


def test_retry_now_refuses_a_reminder_that_was_already_sent(
    cast, client_for, deliveries, mailoutbox
):
    sent, _ = deliveries

    response = client_for(cast.staff).post(
        reverse("contacts:reminder_retry", args=[sent.pk]), follow=True
    )

    assert "Only today&#x27;s failed reminders can be retried." in response.content.decode()
    assert mailoutbox == []


# --- a user's own settings ----------------------------------------------------------------------


def test_the_settings_page_shows_the_users_current_choices(cast, client_for):
    cast.organizer_a.reminder_hour = 7
    cast.organizer_a.save()

    response = client_for(cast.organizer_a).get(SETTINGS)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<option value="7" selected>' in html
    assert "Save reminder settings" in html
    assert '<label for="id_phone">Mobile number</label>' in html


def test_saving_settings_stores_the_hour_channels_and_the_number_in_e164(cast, client_for):
    data = {"hour": "6", "email": "on", "sms": "on", "phone": "(212) 555-0123"}

    response = client_for(cast.organizer_a).post(SETTINGS, data)

    assert response.status_code == 302
    cast.organizer_a.refresh_from_db()
    user = cast.organizer_a
    assert (user.reminder_hour, user.reminder_email, user.reminder_sms) == (6, True, True)
    assert user.phone == "+12125550123"


@pytest.mark.parametrize(
    "phone, error",
    [("", "Add a mobile number to get texts."), ("555", "is not a valid phone number")],
)
def test_texts_need_a_valid_mobile_number(cast, client_for, phone, error):
    data = {"hour": "8", "sms": "on", "phone": phone}

    response = client_for(cast.organizer_a).post(SETTINGS, data)

    assert response.status_code == 200
    assert error in response.content.decode()
    cast.organizer_a.refresh_from_db()
    assert cast.organizer_a.reminder_sms is False


def test_turning_everything_off_is_allowed(cast, client_for):
    response = client_for(cast.volunteer_a).post(SETTINGS, {"hour": "20", "phone": ""})

    assert response.status_code == 302
    cast.volunteer_a.refresh_from_db()
    assert cast.volunteer_a.reminder_email is False and cast.volunteer_a.reminder_sms is False


# --- the due count ------------------------------------------------------------------------------


def test_my_day_badge_counts_overdue_and_due_today_and_links_to_reminder_settings(cast, client_for):
    me = cast.organizer_a
    follow_up(me, cast.person_a, -3, "Overdue")
    follow_up(me, cast.person_a, 0, "Today")
    follow_up(me, cast.person_a, 2, "Later")
    done = follow_up(me, cast.person_a, -1, "Done")
    done.status = FollowUp.Status.DONE
    done.save()

    html = client_for(me).get(reverse("contacts:my_day")).content.decode()

    assert "2 follow-ups due" in html
    assert reverse("contacts:reminder_settings") in html


def test_the_due_count_costs_one_query_per_request(cast):
    follow_up(cast.organizer_a, cast.person_a)
    request = RequestFactory().get("/")
    request.user = cast.organizer_a

    with CaptureQueriesContext(connection) as queries:
        assert due_count_for_request(request) == 1
        assert due_count_for_request(request) == 1

    assert len(queries) == 1


# --- the beat task ------------------------------------------------------------------------------


def test_the_beat_task_sends_due_reminders_once_when_run_twice(cast, mailoutbox):
    cast.organizer_a.reminder_hour = 0  # its hour has come whatever the time of the test
    cast.organizer_a.save()
    follow_up(cast.organizer_a, cast.person_a, what="Call Ana")

    reminders_tick()
    reminders_tick()

    assert [m.to for m in mailoutbox] == [[cast.organizer_a.email]]
    assert ReminderDelivery.objects.get().status == Status.SENT


def test_the_beat_schedule_runs_the_reminder_tick_every_five_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["reminders-tick"]
    assert entry["task"] == "contacts.tasks.reminders_tick"
    assert entry["schedule"].minute == set(range(0, 60, 5))
