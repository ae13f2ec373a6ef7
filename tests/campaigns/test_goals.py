"""Goal math against hand-computed figures, and counts that come only from the records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from campaigns.metrics import Pace, campaign_counts, metric_counts
from campaigns.models import Goal, Metric, Rsvp
from campaigns.selectors.campaigns import campaign_page
from campaigns.services.rsvps import RsvpInput, checkin_mark, rsvp_submit
from contacts.models import Activity, Interaction
from tests.factories import ContactFactory, HubMemberFactory

pytestmark = pytest.mark.django_db

JAN = dt.date(2026, 1, 1)


def test_pace_midway_and_behind():
    # Jan 1–10 (10 days), target 100, on Jan 4 with 30: 4 days of 10 gone → 40 expected;
    # 70 left over Jan 4..10 (7 days) → 10 a day.
    pace = Pace(100, 30, JAN, dt.date(2026, 1, 10), dt.date(2026, 1, 4))
    assert pace.days_total == 10
    assert pace.days_elapsed == 4
    assert pace.expected == 40
    assert not pace.on_pace
    assert pace.days_left == 7
    assert pace.per_day == 10
    assert pace.percent == 30


def test_pace_ahead_before_and_after():
    ahead = Pace(90, 50, JAN, dt.date(2026, 1, 30), dt.date(2026, 1, 15))
    assert ahead.expected == 45 and ahead.on_pace
    assert ahead.per_day == pytest.approx(40 / 16)
    before = Pace(10, 0, JAN, dt.date(2026, 1, 10), dt.date(2025, 12, 20))
    assert before.expected == 0 and before.on_pace and before.per_day == 1
    after = Pace(10, 12, JAN, dt.date(2026, 1, 10), dt.date(2026, 2, 1))
    assert after.per_day is None and after.percent == 100 and after.remaining == 0


def test_one_on_ones_count_overall_once_and_per_hub(cast, campaign):
    both = ContactFactory()
    HubMemberFactory(contact=both, hub=cast.hub_a)
    HubMemberFactory(contact=both, hub=cast.hub_b)
    now = timezone.now()
    Interaction.objects.create(contact=both, kind="one_on_one", happened_at=now)
    Interaction.objects.create(contact=cast.person_a, kind="one_on_one", happened_at=now)
    Interaction.objects.create(contact=cast.person_a, kind="call", happened_at=now)
    # before the campaign: not counted
    Interaction.objects.create(
        contact=cast.person_b, kind="one_on_one", happened_at=now - dt.timedelta(days=30)
    )
    counts = metric_counts(campaign, Metric.ONE_ON_ONES)
    assert counts.total == 2
    assert counts.hub_total(cast.hub_a.pk) == 2
    assert counts.hub_total(cast.hub_b.pk) == 1


def test_new_volunteers_are_first_timers_only(cast, campaign):
    now = timezone.now()
    veteran = cast.person_a
    Activity.objects.create(
        contact=veteran,
        kind="shift",
        occurred_at=now - dt.timedelta(days=200),
        source="t",
        source_id=1,
    )
    Activity.objects.create(contact=veteran, kind="shift", occurred_at=now, source="t", source_id=2)
    Activity.objects.create(
        contact=cast.person_b, kind="door_knocked", occurred_at=now, source="t", source_id=3
    )
    Activity.objects.create(
        contact=cast.person_b, kind="shift", occurred_at=now, source="t", source_id=4
    )
    counts = metric_counts(campaign, Metric.NEW_VOLUNTEERS)
    assert counts.total == 1 and counts.hub_total(cast.hub_b.pk) == 1


def test_rsvps_and_attendance_come_from_the_event(cast, campaign, event):
    a, _ = rsvp_submit(event=event, data=RsvpInput(first_name="A", phone="718-555-0101"))
    rsvp_submit(event=event, data=RsvpInput(first_name="B", phone="718-555-0102"))
    checkin_mark(by=cast.organizer_a, event=event, rsvp_id=a.pk)
    counts = campaign_counts(campaign, [Metric.RSVPS, Metric.ATTENDANCE, Metric.SIGNATURES])
    assert counts[Metric.RSVPS].total == 2
    assert counts[Metric.ATTENDANCE].total == 1
    assert counts[Metric.ATTENDANCE].hub_total(cast.hub_a.pk) == 1
    assert counts[Metric.SIGNATURES].total == 0
    Rsvp.objects.filter(pk=a.pk).update(status=Rsvp.Status.CANCELED)
    assert metric_counts(campaign, Metric.RSVPS).total == 1


def test_the_campaign_page_shows_goal_pace_and_hub_lines(cast, campaign, event, client_for):
    Goal.objects.create(campaign=campaign, metric=Metric.ATTENDANCE, target=10)
    Goal.objects.create(campaign=campaign, metric=Metric.ATTENDANCE, hub=cast.hub_a, target=6)
    a, _ = rsvp_submit(event=event, data=RsvpInput(first_name="A", phone="718-555-0101"))
    checkin_mark(by=cast.organizer_a, event=event, rsvp_id=a.pk)
    page = campaign_page(campaign)
    goal = page.goals[0]
    # 10 days (today is day 4): 4 expected, 1 done → behind; 9 left over 7 days.
    assert goal.count == 1 and goal.pace.expected == 4 and not goal.pace.on_pace
    assert goal.pace.per_day == pytest.approx(9 / 7)
    assert [(h.hub, h.count, h.pace and h.pace.target) for h in goal.hubs] == [
        (cast.hub_a, 1, 6),
        (cast.hub_b, 0, None),
    ]
    response = client_for(cast.organizer_a).get(f"/campaigns/{campaign.slug}/")
    assert response.status_code == 200
    assert b"Behind pace" in response.content and b"<svg" in response.content


def test_goals_are_set_by_captains_not_typed_counts(cast, campaign, client_for):
    response = client_for(cast.captain_a).post(
        f"/campaigns/{campaign.slug}/goals/", {"metric": "attendance", "target": "50"}
    )
    assert response.status_code == 302
    assert Goal.objects.get().target == 50
    client_for(cast.organizer_a).post(
        f"/campaigns/{campaign.slug}/goals/", {"metric": "rsvps", "target": "5"}
    )
    assert Goal.objects.count() == 1
