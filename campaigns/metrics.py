"""One definition per metric: what a campaign's goals count, computed from the records.

Nobody types a number in. Each metric is a query of **units** — one row per thing counted
(``key``), the hub it counts for (``hub``) and when it happened (``at``) — restricted to the
campaign's hubs and to its dates (from the first day's start to the end of the last day, in the
chapter's time zone). Counting is then the same for every metric, in SQL: a unit counts once
overall and once for each hub it belongs to, on the first day it happened. Pages, reports and
the API read these numbers through :func:`campaign_counts`; the pace arithmetic is
:class:`Pace`.

- doors knocked: a door result recorded on a campaign hub's turf;
- conversations at the door: a door result "talked" or "signed" there;
- one-on-ones: a one-on-one with a person in a campaign hub;
- new volunteers: a person in a campaign hub whose first volunteer activity ever (a shift, a
  door knocked, an event led) falls in the campaign;
- RSVPs: an RSVP (not a walk-in) to one of the campaign's events, still going;
- attendance: a person signed in at one of the campaign's events (walk-ins too);
- signatures: a signature on one of the campaign's petitions, from any source;
- pressure actions: a call, email, letter, visit or testimony toward one of the campaign's
  targets, from the public call page or logged by an organizer (one per person, target, kind
  and day);
- calls made: a person worked on one of the campaign's call lists (any result: no answer
  counts as a call made); texts sent on its text lists do not;
- phone bank conversations: a call or text list result "talked" or "call back later" (the
  person answered) — the same rows a list's progress page counts as reached.

A new metric plugs in by giving it a units query in ``DEFINITIONS``.

A person in two hubs counts for each hub and once overall, so per-hub counts can add up to
more than the total.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Exists, F, OuterRef, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from campaigns.models import CallList, CallTarget, Campaign, Metric, PressureAction, Rsvp, Signature
from contacts.models import Activity, Interaction
from hubs.models import DoorResult

VOLUNTEER_KINDS = (Activity.Kind.SHIFT, Activity.Kind.DOOR_KNOCKED, Activity.Kind.EVENT_LED)


@dataclass(frozen=True)
class Window:
    hub_ids: list[int]
    start: dt.datetime
    end: dt.datetime  # exclusive


def window(campaign: Campaign) -> Window:
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(campaign.starts_on, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(campaign.ends_on + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return Window(list(campaign.hubs.values_list("pk", flat=True)), start, end)


def _door_results(c: Campaign, w: Window) -> QuerySet:
    return DoorResult.objects.filter(
        door__turf__hub_id__in=w.hub_ids, at__gte=w.start, at__lt=w.end
    ).values(key=F("pk"), hub=F("door__turf__hub_id"), when=F("at"))


def _conversations(c: Campaign, w: Window) -> QuerySet:
    talked = (DoorResult.Result.TALKED, DoorResult.Result.SIGNED)
    return _door_results(c, w).filter(result__in=talked)


def _one_on_ones(c: Campaign, w: Window) -> QuerySet:
    return Interaction.objects.filter(
        kind=Interaction.Kind.ONE_ON_ONE,
        happened_at__gte=w.start,
        happened_at__lt=w.end,
        contact__hub_memberships__hub_id__in=w.hub_ids,
    ).values(key=F("pk"), hub=F("contact__hub_memberships__hub_id"), when=F("happened_at"))


def _new_volunteers(c: Campaign, w: Window) -> QuerySet:
    earlier = Activity.objects.filter(
        contact_id=OuterRef("contact_id"), kind__in=VOLUNTEER_KINDS, occurred_at__lt=w.start
    )
    return (
        Activity.objects.filter(
            kind__in=VOLUNTEER_KINDS,
            occurred_at__gte=w.start,
            occurred_at__lt=w.end,
            contact__hub_memberships__hub_id__in=w.hub_ids,
        )
        .filter(~Exists(earlier))
        .values(
            key=F("contact_id"), hub=F("contact__hub_memberships__hub_id"), when=F("occurred_at")
        )
    )


def _rsvps(c: Campaign, w: Window) -> QuerySet:
    return Rsvp.objects.filter(
        event__campaign=c,
        status=Rsvp.Status.GOING,
        walk_in=False,
        created_at__gte=w.start,
        created_at__lt=w.end,
    ).values(key=F("pk"), hub=F("event__hub_id"), when=F("created_at"))


def _attendance(c: Campaign, w: Window) -> QuerySet:
    return Rsvp.objects.filter(
        event__campaign=c, attended_at__gte=w.start, attended_at__lt=w.end
    ).values(key=F("pk"), hub=F("event__hub_id"), when=F("attended_at"))


def _signatures(c: Campaign, w: Window) -> QuerySet:
    """A signature on one of the campaign's petitions; it counts for each campaign hub the
    signer belongs to (and once overall)."""
    return Signature.objects.filter(
        petition__campaign=c, signed_at__gte=w.start, signed_at__lt=w.end
    ).values(
        key=F("pk"),
        # 0: a signer in no hub counts overall only (a NULL hub would read as the overall row)
        hub=Coalesce(F("contact__hub_memberships__hub_id"), Value(0)),
        when=F("signed_at"),
    )


def _pressure_actions(c: Campaign, w: Window) -> QuerySet:
    """A pressure action of the campaign; it counts for each campaign hub the person belongs
    to (and once overall)."""
    return PressureAction.objects.filter(
        campaign=c, occurred_at__gte=w.start, occurred_at__lt=w.end
    ).values(
        key=F("pk"),
        hub=Coalesce(F("contact__hub_memberships__hub_id"), Value(0)),
        when=F("occurred_at"),
    )


def _calls_made(c: Campaign, w: Window) -> QuerySet:
    return CallTarget.objects.filter(
        call_list__campaign=c,
        call_list__kind=CallList.Kind.CALL,
        completed_at__gte=w.start,
        completed_at__lt=w.end,
    ).values(key=F("pk"), hub=F("call_list__hub_id"), when=F("completed_at"))


def _phone_conversations(c: Campaign, w: Window) -> QuerySet:
    reached = (CallTarget.Result.TALKED, CallTarget.Result.CALL_BACK)
    return CallTarget.objects.filter(
        call_list__campaign=c,
        result__in=reached,
        completed_at__gte=w.start,
        completed_at__lt=w.end,
    ).values(key=F("pk"), hub=F("call_list__hub_id"), when=F("completed_at"))


Units = Callable[[Campaign, Window], QuerySet] | None

# The one place each metric is defined. None: nothing records it yet (counts 0).
DEFINITIONS: dict[str, Units] = {
    Metric.SIGNATURES: _signatures,
    Metric.DOORS_KNOCKED: _door_results,
    Metric.CONVERSATIONS: _conversations,
    Metric.ONE_ON_ONES: _one_on_ones,
    Metric.NEW_VOLUNTEERS: _new_volunteers,
    Metric.RSVPS: _rsvps,
    Metric.ATTENDANCE: _attendance,
    Metric.CALLS_MADE: _calls_made,
    Metric.PHONE_CONVERSATIONS: _phone_conversations,
    Metric.PRESSURE_ACTIONS: _pressure_actions,
}


@dataclass
class Counts:
    """New units per day, overall and per hub. ``total`` and ``by_hub`` are the sums."""

    daily: dict[dt.date, int] = field(default_factory=dict)
    hub_daily: dict[int, dict[dt.date, int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.daily.values())

    def hub_total(self, hub_id: int) -> int:
        return sum(self.hub_daily.get(hub_id, {}).values())

    def cumulative(self, until: dt.date, *, hub_id: int | None = None) -> int:
        daily = self.daily if hub_id is None else self.hub_daily.get(hub_id, {})
        return sum(n for day, n in daily.items() if day <= until)


# First day per unit (overall), and per unit and hub; then how many units per day.
_COUNT_SQL = """
WITH u AS ({units}),
firsts AS (SELECT key, min(({when} AT TIME ZONE %s)::date) AS day FROM u GROUP BY key),
hub_firsts AS (
    SELECT key, hub, min(({when} AT TIME ZONE %s)::date) AS day FROM u GROUP BY key, hub
)
SELECT NULL, day, count(*) FROM firsts GROUP BY day
UNION ALL
SELECT hub, day, count(*) FROM hub_firsts GROUP BY hub, day
"""


def metric_counts(campaign: Campaign, metric: str, *, w: Window | None = None) -> Counts:
    """The counts of one metric for a campaign (one statement)."""
    units = DEFINITIONS[metric]
    counts = Counts()
    if units is None:
        return counts
    w = w or window(campaign)
    if not w.hub_ids and metric not in (
        Metric.RSVPS,
        Metric.ATTENDANCE,
        Metric.SIGNATURES,
        Metric.PRESSURE_ACTIONS,
    ):
        return counts
    sql, params = units(campaign, w).query.sql_with_params()
    tz = timezone.get_default_timezone_name()
    with connection.cursor() as cursor:
        cursor.execute(_COUNT_SQL.format(units=sql, when='"when"'), (*params, tz, tz))
        for hub_id, day, n in cursor.fetchall():
            if hub_id is None:
                counts.daily[day] = n
            else:
                counts.hub_daily.setdefault(hub_id, {})[day] = n
    return counts


def campaign_counts(campaign: Campaign, metrics=None) -> dict[str, Counts]:
    """Counts of the given metrics (all by default) for the campaign."""
    w = window(campaign)
    return {m: metric_counts(campaign, m, w=w) for m in (metrics or DEFINITIONS)}


@dataclass(frozen=True)
class Pace:
    """Where a goal stands against a straight line from 0 on the first day to the target at
    the end of the last day. Today counts as a day of work: by the end of today the campaign
    should be at ``expected``; from today to the last day (inclusive) it needs ``per_day``."""

    target: int
    count: int
    starts_on: dt.date
    ends_on: dt.date
    today: dt.date

    @property
    def days_total(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    @property
    def days_elapsed(self) -> int:
        return max(0, min(self.days_total, (self.today - self.starts_on).days + 1))

    @property
    def days_left(self) -> int:
        """Days from today through the last day (today included); 0 once it is over."""
        return max(0, min(self.days_total, (self.ends_on - self.today).days + 1))

    @property
    def expected(self) -> float:
        return self.target * self.days_elapsed / self.days_total

    @property
    def remaining(self) -> int:
        return max(0, self.target - self.count)

    @property
    def per_day(self) -> float | None:
        """What each remaining day needs to reach the target; None once it is over."""
        if not self.days_left:
            return None
        return self.remaining / self.days_left

    @property
    def on_pace(self) -> bool:
        return self.count >= self.expected

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.count / self.target)) if self.target else 100

    def expected_on(self, day: dt.date) -> float:
        elapsed = max(0, min(self.days_total, (day - self.starts_on).days + 1))
        return self.target * elapsed / self.days_total
