"""The campaign page: each goal overall and per hub, with its pace, a chart and its table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from campaigns.metrics import Counts, Pace, campaign_counts
from campaigns.models import Campaign, Event, Goal, Metric
from campaigns.selectors.events import Recruiter, campaign_recruiters

CHART_W, CHART_H = 320, 140
TABLE_ROWS = 12


@dataclass
class ChartRow:
    day: dt.date
    count: int
    expected: float


@dataclass
class HubLine:
    hub: object
    count: int
    pace: Pace | None  # when the hub has its own target


@dataclass
class GoalView:
    metric: str
    label: str
    pace: Pace | None  # the chapter-wide goal, when there is one
    count: int
    hubs: list[HubLine] = field(default_factory=list)
    rows: list[ChartRow] = field(default_factory=list)
    actual_points: str = ""
    pace_points: str = ""


@dataclass
class CampaignPage:
    campaign: Campaign
    goals: list[GoalView]
    events: list[Event]
    turfs: list
    recruiters: list[Recruiter]
    today: dt.date
    petitions: list = field(default_factory=list)


def _sample_days(start: dt.date, end: dt.date, limit: int) -> list[dt.date]:
    span = (end - start).days
    if span <= 0:
        return [start]
    step = max(1, -(-span // (limit - 1)))
    days = [start + dt.timedelta(days=d) for d in range(0, span, step)]
    return [*days, end]


def _chart(view: GoalView, counts: Counts, pace: Pace, today: dt.date) -> None:
    last = min(today, pace.ends_on)
    total_days = max(1, pace.days_total)
    top = max(pace.target, counts.total, 1)

    def point(day: dt.date, value: float) -> str:
        x = CHART_W * ((day - pace.starts_on).days + 1) / total_days
        y = CHART_H - CHART_H * value / top
        return f"{x:.1f},{y:.1f}"

    view.pace_points = f"0,{CHART_H} " + point(pace.ends_on, pace.target)
    if last >= pace.starts_on:
        days = _sample_days(pace.starts_on, last, 60)
        view.actual_points = f"0,{CHART_H} " + " ".join(
            point(d, counts.cumulative(d)) for d in days
        )
        view.rows = [
            ChartRow(d, counts.cumulative(d), pace.expected_on(d))
            for d in _sample_days(pace.starts_on, last, TABLE_ROWS)
        ]


def campaign_page(campaign: Campaign, *, today: dt.date | None = None) -> CampaignPage:
    today = today or timezone.localdate()
    goals = list(Goal.objects.filter(campaign=campaign).select_related("hub"))
    hubs = list(campaign.hubs.order_by("name"))
    metrics = list(dict.fromkeys(g.metric for g in goals))
    counts = campaign_counts(campaign, metrics)
    labels = dict(Metric.choices)
    views = []
    for metric in metrics:
        c = counts[metric]
        wide = next((g for g in goals if g.metric == metric and g.hub_id is None), None)
        view = GoalView(metric, labels[metric], None, c.total)
        if wide is not None:
            view.pace = Pace(wide.target, c.total, campaign.starts_on, campaign.ends_on, today)
            _chart(view, c, view.pace, today)
        for hub in hubs:
            own = next((g for g in goals if g.metric == metric and g.hub_id == hub.pk), None)
            n = c.hub_total(hub.pk)
            pace = own and Pace(own.target, n, campaign.starts_on, campaign.ends_on, today)
            view.hubs.append(HubLine(hub, n, pace))
        views.append(view)
    return CampaignPage(
        campaign=campaign,
        goals=views,
        events=list(campaign.events.select_related("hub").order_by("starts_at")[:50]),
        turfs=list(campaign.turfs.select_related("hub")),
        recruiters=campaign_recruiters(campaign),
        today=today,
        petitions=list(
            campaign.petitions.annotate(signed=Count("signatures")).order_by("-created_at")[:50]
        ),
    )
