from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from campaigns.metrics import campaign_counts
from campaigns.models import Campaign, Goal, Metric
from contacts.models import Interaction
from reports import metrics
from reports.selectors import report_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def push(cast):
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="Childcare push",
        slug="childcare",
        starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=10),
    )
    campaign.hubs.set([cast.hub_a, cast.hub_b])
    Goal.objects.create(campaign=campaign, metric=Metric.ONE_ON_ONES, target=21)
    Goal.objects.create(campaign=campaign, metric=Metric.ONE_ON_ONES, hub=cast.hub_a, target=4)
    for days in (2, 3):
        Interaction.objects.create(
            contact=cast.person_a,
            kind=Interaction.Kind.ONE_ON_ONE,
            happened_at=timezone.now() - dt.timedelta(days=days),
        )
    return campaign


def test_goal_progress_by_hub_uses_the_campaigns_own_counts(cast, push):
    (goal,) = metrics.campaigns(report_scope(cast.staff))
    counts = campaign_counts(push, [Metric.ONE_ON_ONES])[Metric.ONE_ON_ONES]
    assert goal.count == counts.total == 2
    assert goal.pace.target == 21
    hubs = {h.hub.slug: h for h in goal.hubs}
    assert hubs["hub-a"].count == 2 and hubs["hub-b"].count == 0
    assert hubs["hub-a"].pace.target == 4 and hubs["hub-b"].pace is None
    assert hubs["hub-a"].trend[0] == 0 and hubs["hub-a"].trend[-1] == 2


def test_each_persona_sees_only_their_hubs_lines(cast, push, client_for):
    (goal,) = metrics.campaigns(report_scope(cast.captain_a))
    assert [h.hub.slug for h in goal.hubs] == ["hub-a"]
    (goal,) = metrics.campaigns(report_scope(cast.organizer_b))
    assert [h.hub.slug for h in goal.hubs] == ["hub-b"]
    assert metrics.campaigns(report_scope(cast.volunteer_a)) == []
    response = client_for(cast.captain_a).get("/reports/campaigns/")
    assert response.status_code == 200
    assert "Childcare push" in response.content.decode()
    export = client_for(cast.captain_a).get("/reports/campaigns/?format=csv")
    assert "Childcare push,One-on-ones,Hub A,2,4" in b"".join(export.streaming_content).decode()
