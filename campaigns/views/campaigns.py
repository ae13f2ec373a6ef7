"""Campaign pages: the list (with upcoming events), a campaign with its goals, create, edit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns.forms import CampaignForm, GoalForm
from campaigns.selectors.access import (
    campaign_for_user,
    campaigns_for_user,
    can_create,
    can_manage_campaign,
    managed_campaign_for_user,
    managed_hubs,
)
from campaigns.selectors.campaigns import CHART_H, CHART_W, campaign_page
from campaigns.selectors.events import past_events_for_user, upcoming_events_for_user
from campaigns.services.campaigns import campaign_create, campaign_update, goal_remove, goal_set
from hubs.models import Turf


@login_required
def index(request):
    context = {
        "campaigns": campaigns_for_user(request.user).prefetch_related("hubs")[:100],
        "upcoming": upcoming_events_for_user(request.user),
        "past": past_events_for_user(request.user),
        "can_create": can_create(request.user),
    }
    return render(request, "campaigns/index.html", context)


def _form(request, instance=None):
    hubs = managed_hubs(request.user)
    turfs = Turf.objects.filter(hub__in=hubs).select_related("hub")
    data = request.POST if request.method == "POST" else None
    return CampaignForm(data, instance=instance, hubs=hubs, turfs=turfs)


@login_required
def campaign_new(request):
    if not can_create(request.user):
        raise Http404
    form = _form(request)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        hubs, turfs = data.pop("hubs"), data.pop("turfs")
        campaign = campaign_create(by=request.user, hubs=hubs, **data)
        campaign.turfs.set(turfs)
        return redirect("campaigns:detail", slug=campaign.slug)
    return render(request, "campaigns/campaign_form.html", {"form": form})


@login_required
def campaign_edit(request, slug: str):
    campaign = managed_campaign_for_user(request.user, slug)
    form = _form(request, instance=campaign)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        campaign_update(by=request.user, campaign=campaign, **data)
        return redirect("campaigns:detail", slug=campaign.slug)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": campaign})


@login_required
def campaign_detail(request, slug: str):
    campaign = campaign_for_user(request.user, slug)
    manage = can_manage_campaign(request.user, campaign)
    context = {
        "page": campaign_page(campaign),
        "can_manage": manage,
        "goal_form": GoalForm(campaign=campaign) if manage else None,
        "chart_w": CHART_W,
        "chart_h": CHART_H,
    }
    return render(request, "campaigns/campaign_detail.html", context)


@require_POST
@login_required
def goal_add(request, slug: str):
    campaign = managed_campaign_for_user(request.user, slug)
    form = GoalForm(request.POST, campaign=campaign)
    if form.is_valid():
        try:
            goal_set(by=request.user, campaign=campaign, **form.cleaned_data)
            messages.success(request, _("Goal saved."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Pick a metric and a target of at least 1."))
    return redirect("campaigns:detail", slug=campaign.slug)


@require_POST
@login_required
def goal_delete(request, slug: str, goal_id: int):
    campaign = managed_campaign_for_user(request.user, slug)
    goal_remove(by=request.user, campaign=campaign, goal_id=goal_id)
    return redirect("campaigns:detail", slug=campaign.slug)
