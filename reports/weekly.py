"""The weekly summary email: to every active staff member and captain, their slice of the
chapter (the same scope as their report pages), exactly once per recipient and week.

1. **Plan** (:func:`weekly_plan`): a ``WeeklySummary`` row per recipient for this week (the
   Monday it starts, chapter time zone), inserted with ``ON CONFLICT DO NOTHING`` on the
   unique (user, week): a second beat, a second worker or a retry plans nothing new.
2. **Send** (:func:`weekly_send`): a conditional UPDATE claims each pending row (pending, or
   failed with attempts left, or "sending" longer than ``SENDING_TIMEOUT`` → sending); inside
   one transaction the row is marked sent, then the email goes out, and the transaction commits
   only after the mail server accepted. A mail error rolls back the mark and records the failure
   for the next tick. The one weak spot, as for follow-up reminders: a worker dying between the
   server accepting and the commit leaves the row "sending", and after the timeout it is sent
   again.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from reports import metrics
from reports.models import WeeklySummary
from reports.selectors import report_scope

logger = logging.getLogger(__name__)
Status = WeeklySummary.Status
MAX_ATTEMPTS = 5
SENDING_TIMEOUT = dt.timedelta(minutes=30)


def week_of(now: dt.datetime) -> dt.date:
    today = timezone.localdate(now)
    return today - dt.timedelta(days=today.weekday())


def weekly_plan(*, now: dt.datetime) -> int:
    """Plan this week's summaries; returns how many rows were new."""
    week = week_of(now)
    recipients = (
        get_user_model()
        .objects.filter(is_active=True, role__in=[Role.STAFF, Role.CAPTAIN])
        .exclude(email="")
    )
    before = WeeklySummary.objects.filter(week=week).count()
    WeeklySummary.objects.bulk_create(
        [WeeklySummary(user=u, week=week) for u in recipients], ignore_conflicts=True
    )
    return WeeklySummary.objects.filter(week=week).count() - before


def summary_numbers(user, week: dt.date) -> dict:
    """This week's headline numbers for the user's slice, and last week's to compare."""
    this_week = metrics.headline(
        report_scope(user, start=week - dt.timedelta(days=7), end=week - dt.timedelta(days=1))
    )
    last_week = metrics.headline(
        report_scope(user, start=week - dt.timedelta(days=14), end=week - dt.timedelta(days=8))
    )
    changes = {
        k: f"{this_week[k] - last_week[k]:+d}"
        for k in ("members", "active_30", "moved_up", "one_on_ones")
    }
    return {"now": this_week, "before": last_week, "changes": changes}


def _message(summary: WeeklySummary) -> tuple[str, str]:
    numbers = summary_numbers(summary.user, summary.week)
    body = render_to_string(
        "reports/emails/weekly.txt",
        {
            "user": summary.user,
            "week": summary.week,
            **numbers,
            "url": settings.SITE_URL + reverse("reports"),
        },
    )
    return _("Your week in organizing"), body


def _claim(now: dt.datetime):
    stale = now - SENDING_TIMEOUT
    due = Q(status=Status.PENDING) | Q(status=Status.FAILED, attempts__lt=MAX_ATTEMPTS)
    due |= Q(status=Status.SENDING, claimed_at__lt=stale)
    return due


def weekly_send(*, now: dt.datetime) -> int:
    """Send every planned summary not sent yet; returns how many this run sent."""
    sent = 0
    for pk in WeeklySummary.objects.filter(_claim(now)).values_list("pk", flat=True):
        claimed = WeeklySummary.objects.filter(_claim(now), pk=pk).update(
            status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        if not claimed:
            continue  # another run has it
        summary = WeeklySummary.objects.select_related("user").get(pk=pk)
        ours = WeeklySummary.objects.filter(pk=pk, status=Status.SENDING, claimed_at=now)
        try:
            with transaction.atomic():
                if not ours.update(status=Status.SENT, sent_at=now, error=""):
                    continue
                subject, body = _message(summary)
                send_mail(subject, body, None, [summary.user.email])
        except Exception as exc:  # the mail server is the outside world
            logger.warning("weekly summary %s not sent: %s", pk, exc)
            ours.update(status=Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
            continue
        sent += 1
    return sent


def weekly_run(*, now: dt.datetime) -> int:
    weekly_plan(now=now)
    return weekly_send(now=now)
