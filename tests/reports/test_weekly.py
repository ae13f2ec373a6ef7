from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from reports.models import WeeklySummary
from reports.weekly import week_of, weekly_plan, weekly_run, weekly_send
from tests.factories import UserFactory

MONDAY_9AM = timezone.make_aware(dt.datetime(2026, 11, 30, 9, 0))


def test_staff_and_captains_get_one_summary_a_week_with_their_numbers(cast, town, mailoutbox):
    assert weekly_run(now=MONDAY_9AM) == 2
    assert sorted(m.to[0] for m in mailoutbox) == [cast.captain_a.email, cast.staff.email]
    staff_mail = next(m for m in mailoutbox if m.to == [cast.staff.email])
    captain_mail = next(m for m in mailoutbox if m.to == [cast.captain_a.email])
    assert "Members in good standing: 3" in staff_mail.body  # p1, p2, p4
    assert "Members in good standing: 2" in captain_mail.body  # hub A: p1, p2
    assert "One member per 1500 residents" in staff_mail.body

    # a second run the same week, and the next day, send nothing more
    assert weekly_run(now=MONDAY_9AM + dt.timedelta(hours=1)) == 0
    assert weekly_run(now=MONDAY_9AM + dt.timedelta(days=1)) == 0
    assert len(mailoutbox) == 2
    # the next week sends again
    assert weekly_run(now=MONDAY_9AM + dt.timedelta(days=7)) == 2


def test_a_mail_error_is_recorded_and_retried_next_run(cast, mailoutbox, monkeypatch):
    calls = {"n": 0}
    from reports import weekly

    real = weekly.send_mail

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("mail server down")
        return real(*args, **kwargs)

    monkeypatch.setattr(weekly, "send_mail", flaky)
    weekly_run(now=MONDAY_9AM)
    failed = WeeklySummary.objects.get(status=WeeklySummary.Status.FAILED)
    assert "mail server down" in failed.error
    assert weekly_send(now=MONDAY_9AM + dt.timedelta(hours=1)) == 1
    assert WeeklySummary.objects.filter(status=WeeklySummary.Status.SENT).count() == 2
    assert len(mailoutbox) == 2


def test_the_week_starts_on_monday_in_the_chapter_time_zone():
    assert week_of(MONDAY_9AM + dt.timedelta(days=3)) == dt.date(2026, 11, 30)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_one_summary_per_recipient(settings, default_ladder):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    users = [UserFactory(role=Role.STAFF) for _ in range(3)] + [UserFactory(role=Role.CAPTAIN)]
    UserFactory(role=Role.ORGANIZER)  # organizers get no weekly summary
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def tick() -> None:
        try:
            barrier.wait(timeout=10)
            weekly_plan(now=MONDAY_9AM)
            weekly_send(now=MONDAY_9AM)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
    assert WeeklySummary.objects.count() == 4


def test_the_weekly_task_is_on_the_beat_schedule_and_sends(settings, cast, mailoutbox):
    from reports.tasks import weekly_summaries_task

    entry = settings.CELERY_BEAT_SCHEDULE["reports-weekly"]
    assert entry["task"] == "reports.tasks.weekly_summaries_task"
    weekly_summaries_task()
    weekly_summaries_task()
    assert sorted(m.to[0] for m in mailoutbox) == [cast.captain_a.email, cast.staff.email]
