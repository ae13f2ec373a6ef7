"""Campaigns and their goals. A goal is a metric and a target; the count is never stored."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from campaigns.models import Campaign, Goal


def _unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:100] or "campaign"
    slug, n = base, 2
    while Campaign.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def campaign_create(*, by, name: str, hubs, **fields) -> Campaign:
    with transaction.atomic():
        campaign = Campaign(name=name, slug=_unique_slug(name), created_by=by, **fields)
        campaign.full_clean()
        campaign.save()
        campaign.hubs.set(hubs)
    return campaign


def campaign_update(*, by, campaign: Campaign, hubs=None, turfs=None, **fields) -> Campaign:
    with transaction.atomic():
        for name, value in fields.items():
            setattr(campaign, name, value)
        campaign.full_clean()
        campaign.save()
        if hubs is not None:
            campaign.hubs.set(hubs)
        if turfs is not None:
            campaign.turfs.set(turfs)
    return campaign


def goal_set(*, by, campaign: Campaign, metric: str, target: int, hub=None) -> Goal:
    """Set the target of a metric, chapter-wide or for one of the campaign's hubs."""
    if hub is not None and not campaign.hubs.filter(pk=hub.pk).exists():
        raise ValidationError({"hub": [_("This hub does not take part in the campaign.")]})
    try:
        with transaction.atomic():
            goal, _created = Goal.objects.update_or_create(
                campaign=campaign, metric=metric, hub=hub, defaults={"target": target}
            )
    except IntegrityError:  # two saves of the same new goal: the other one won
        goal = Goal.objects.get(campaign=campaign, metric=metric, hub=hub)
        goal.target = target
        goal.save(update_fields=["target"])
    return goal


def goal_remove(*, by, campaign: Campaign, goal_id: int) -> None:
    Goal.objects.filter(campaign=campaign, pk=goal_id).delete()
