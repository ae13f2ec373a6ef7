"""Reads for follow-up reminders: the staff delivery list and the due count on My day."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
from django.utils import timezone

from contacts.models import FollowUp, ReminderDelivery
from contacts.selectors.access import require_staff
from contacts.selectors.conversations import follow_ups_for_user

Status = ReminderDelivery.Status
# Failed first (they need someone), then stuck or in flight, waiting, and done.
STATUS_ORDER = [Status.FAILED, Status.SENDING, Status.PENDING, Status.SENT]


def deliveries_for_staff(user, *, day: dt.date) -> QuerySet[ReminderDelivery]:
    """The day's deliveries with their item counts, failed ones first (404 unless staff)."""
    require_staff(user)
    rank = Case(
        *[When(status=s, then=Value(i)) for i, s in enumerate(STATUS_ORDER)],
        output_field=IntegerField(),
    )
    return (
        ReminderDelivery.objects.filter(day=day)
        .select_related("user")
        .annotate(item_count=Count("items"), rank=rank)
        .order_by("rank", "user__email", "channel")
    )


def delivery_counts(deliveries) -> dict[str, int]:
    counts = {s.value: 0 for s in STATUS_ORDER}
    for d in deliveries:
        counts[d.status] += 1
    return counts


DUE_COUNT_ATTR = "_organizer_due_count"


def due_count(user, *, today: dt.date | None = None) -> int:
    """Open follow-ups assigned to the user, due today or overdue (one query)."""
    if not user.is_authenticated:
        return 0
    today = today or timezone.localdate()
    return (
        follow_ups_for_user(user)
        .filter(assigned_to_id=user.pk, status=FollowUp.Status.OPEN, due_on__lte=today)
        .count()
    )


def due_count_for_request(request) -> int:
    """:func:`due_count` for the signed-in user, computed once per request."""
    if not hasattr(request, DUE_COUNT_ATTR):
        setattr(request, DUE_COUNT_ATTR, due_count(request.user))
    return getattr(request, DUE_COUNT_ATTR)
