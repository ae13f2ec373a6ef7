"""Confirmations, reminders and notices: exactly once per person, event, kind and channel."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from campaigns.models import Event, EventMessage, Rsvp
from campaigns.services.events import event_cancel, event_update
from campaigns.services.messages import messages_send, messages_tick, reminders_plan
from campaigns.services.rsvps import RsvpInput, rsvp_submit
from contacts.services.reminders import Providers


class FakeSms:
    def __init__(self, fail: bool = False):
        self.sent, self.fail = [], fail

    def send(self, *, to: str, body: str) -> str:
        if self.fail:
            raise RuntimeError("provider down")
        self.sent.append((to, body))
        return "x"


def sign_up(event, name="Rosa", phone="718-555-0142", email="rosa@example.org", consent=True):
    return rsvp_submit(
        event=event,
        data=RsvpInput(first_name=name, phone=phone, email=email, sms_consent=consent),
    )[0]


@pytest.mark.django_db
def test_an_rsvp_confirms_by_email_and_text_once(event):
    sign_up(event)
    sms = FakeSms()
    messages_tick(providers=Providers(sender=sms))
    messages_tick(providers=Providers(sender=sms))
    assert len(mail.outbox) == 1 and "You're going" in mail.outbox[0].subject
    assert len(sms.sent) == 1 and sms.sent[0][0] == "+17185550142"


@pytest.mark.django_db
def test_reminders_the_day_before_and_two_hours_before(event):
    sign_up(event)
    EventMessage.objects.update(status="sent")
    start = event.starts_at
    assert reminders_plan(now=start - dt.timedelta(hours=30)) == []
    day = reminders_plan(now=start - dt.timedelta(hours=23))
    assert len(day) == 2
    assert reminders_plan(now=start - dt.timedelta(hours=22)) == []
    two = reminders_plan(now=start - dt.timedelta(hours=1, minutes=55))
    assert len(two) == 2
    kinds = sorted(EventMessage.objects.values_list("kind", flat=True))
    assert kinds.count("day_before") == 2 and kinds.count("two_hours") == 2


@pytest.mark.django_db
def test_a_late_rsvp_gets_no_day_before_reminder(event):
    Rsvp.objects.all().delete()
    rsvp = sign_up(event)
    Rsvp.objects.filter(pk=rsvp.pk).update(created_at=event.starts_at - dt.timedelta(hours=5))
    assert reminders_plan(now=event.starts_at - dt.timedelta(hours=4)) == []


@pytest.mark.django_db
def test_a_failed_send_is_retried_later_and_sent_once(event):
    sign_up(event, email="")
    ids = list(EventMessage.objects.values_list("pk", flat=True))
    assert messages_send(ids=ids, providers=Providers(sender=FakeSms(fail=True))) == {
        ids[0]: "failed"
    }
    # a retried task right away: not due yet, nothing sent
    sms = FakeSms()
    assert messages_send(ids=ids, providers=Providers(sender=sms)) == {}
    later = timezone.now() + dt.timedelta(hours=2)
    assert messages_send(ids=ids, now=later, providers=Providers(sender=sms)) == {ids[0]: "sent"}
    assert messages_send(ids=ids, now=later, providers=Providers(sender=sms)) == {}
    assert len(sms.sent) == 1


@pytest.mark.django_db
def test_canceling_tells_everyone_once(event):
    sign_up(event)
    sign_up(event, name="Pedro", phone="718-555-0199", email="pedro@example.org", consent=False)
    event_cancel(by=None, event=event)
    event_cancel(by=None, event=event)
    notices = EventMessage.objects.filter(kind="canceled")
    assert sorted(notices.values_list("channel", flat=True)) == ["email", "email", "sms"]


@pytest.mark.django_db
def test_moving_tells_everyone_once_per_move(event):
    sign_up(event, phone="", consent=False)
    event_update(by=None, event=event, place="Hope Ballroom")
    event_update(by=None, event=event, place="Hope Ballroom", title="New title")
    assert EventMessage.objects.filter(kind="moved").count() == 1
    event_update(by=None, event=event, starts_at=event.starts_at + dt.timedelta(hours=1))
    assert EventMessage.objects.filter(kind="moved").count() == 2
    assert Event.objects.get(pk=event.pk).revision == 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_send_each_message_once(event):
    for n in range(5):
        sign_up(event, name=f"P{n}", phone=f"718-555-01{n:02d}", email=f"p{n}@example.org")
    ids = list(EventMessage.objects.values_list("pk", flat=True))
    assert len(ids) == 10
    barrier = threading.Barrier(2)
    sms = FakeSms()
    outcomes = []

    def worker():
        try:
            barrier.wait()
            outcomes.append(messages_send(ids=ids, providers=Providers(sender=sms)))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sent = [i for o in outcomes for i, status in o.items() if status == "sent"]
    assert sorted(sent) == sorted(ids)
    assert len(sms.sent) == 5 and len(mail.outbox) == 5
    assert EventMessage.objects.filter(status="sent").count() == 10


@pytest.mark.django_db
def test_moving_an_event_from_its_page_tells_everyone_going(cast, event, client_for):
    sign_up(event, phone="", consent=False)
    local = timezone.localtime(event.starts_at)
    data = {
        "title": event.title, "kind": event.kind, "hub": cast.hub_a.pk,
        "campaign": event.campaign_id, "organizer": cast.organizer_a.pk,
        "starts_at": (local + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (local + dt.timedelta(days=1, hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "place": "Hope Ballroom", "is_public": "on",
    }  # fmt: skip
    response = client_for(cast.organizer_a).post(f"/campaigns/events/{event.pk}/edit/", data)
    assert response.status_code == 302
    assert EventMessage.objects.filter(kind="moved", channel="email").count() == 1
    event.refresh_from_db()
    assert event.place == "Hope Ballroom" and event.revision == 1


@pytest.mark.django_db
def test_a_burst_of_rsvps_shares_one_confirmation_task_which_sends_them_all(
    event, monkeypatch, django_capture_on_commit_callbacks
):
    from campaigns.services import messages
    from organizer.lib import tasks

    queued = []
    monkeypatch.setattr(tasks, "_queued_for", {})
    monkeypatch.setattr(tasks, "enqueue", lambda task, **options: queued.append(task) or True)
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            sign_up(event, name=f"P{n}", phone=f"718-555-014{n}", email=f"p{n}@example.org")
    assert [task.name for task in queued] == ["campaigns.tasks.send_confirmations_task"]

    sms = FakeSms()
    assert messages.confirmations_send(providers=Providers(sender=sms)) == 6
    assert len(mail.outbox) == 3 and len(sms.sent) == 3
    assert messages.confirmations_send(providers=Providers(sender=sms)) == 0
