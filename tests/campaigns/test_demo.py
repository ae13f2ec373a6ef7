from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from campaigns.models import Campaign, Event, Goal, Rsvp


def test_the_demo_has_a_campaign_with_goals_and_events(db):
    call_command("seed_demo", "--people", "60", stdout=StringIO())
    campaign = Campaign.objects.get()
    assert Goal.objects.filter(campaign=campaign).count() >= 3
    assert Event.objects.filter(campaign=campaign, is_public=True).count() >= 2
    assert Rsvp.objects.filter(attended_at__isnull=False).exists()  # the past meeting
    assert Rsvp.objects.filter(event__title="Childcare potluck").exists()
