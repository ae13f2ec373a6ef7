"""The access chokepoints for campaigns and events: every staff page loads its object here.

- staff: every campaign and event;
- captains and organizers: events of their hubs and events they are responsible for;
  campaigns one of their hubs takes part in;
- volunteers and anyone else: none (the public pages are separate and show only public events).

Managing (edit, cancel, shifts, follow-ups, canvass launch) is for staff, the captains of the
event's hub and the organizer responsible; sign-in at the door for anyone who sees the event.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Role
from campaigns.models import Campaign, Event, Petition
from hubs.models import HubRole
from hubs.selectors.access import hub_ids_for_user

ORGANIZING_ROLES = (Role.CAPTAIN, Role.ORGANIZER)


def _active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def events_for_user(user) -> QuerySet[Event]:
    if not _active(user):
        return Event.objects.none()
    if user.role == Role.STAFF:
        return Event.objects.all()
    if user.role in ORGANIZING_ROLES:
        return Event.objects.filter(Q(hub_id__in=hub_ids_for_user(user)) | Q(organizer_id=user.pk))
    return Event.objects.none()


def event_for_user(user, pk: int) -> Event:
    """The event, or 404 when it does not exist or the user may not see it."""
    return get_object_or_404(
        events_for_user(user).select_related("hub", "campaign", "organizer"), pk=pk
    )


def can_manage_event(user, event: Event) -> bool:
    if user.role == Role.STAFF or event.organizer_id == user.pk:
        return True
    return HubRole.objects.filter(
        user_id=user.pk, hub_id=event.hub_id, role=HubRole.Role.CAPTAIN
    ).exists()


def managed_event_for_user(user, pk: int) -> Event:
    event = event_for_user(user, pk)
    if not can_manage_event(user, event):
        raise Http404
    return event


def campaigns_for_user(user) -> QuerySet[Campaign]:
    if not _active(user):
        return Campaign.objects.none()
    if user.role == Role.STAFF:
        return Campaign.objects.all()
    if user.role in ORGANIZING_ROLES:
        return Campaign.objects.filter(hubs__in=hub_ids_for_user(user)).distinct()
    return Campaign.objects.none()


def campaign_for_user(user, slug: str) -> Campaign:
    return get_object_or_404(campaigns_for_user(user), slug=slug)


def can_create(user) -> bool:
    """Staff and captains create campaigns and events (in the hubs they captain)."""
    return _active(user) and user.role in (Role.STAFF, Role.CAPTAIN)


def managed_hubs(user) -> QuerySet:
    """Hubs the user may put events in and add to campaigns."""
    from hubs.models import Hub

    if not _active(user):
        return Hub.objects.none()
    if user.role == Role.STAFF:
        return Hub.objects.all()
    return Hub.objects.filter(pk__in=hub_ids_for_user(user, roles=(HubRole.Role.CAPTAIN,)))


def can_manage_campaign(user, campaign: Campaign) -> bool:
    if user.role == Role.STAFF:
        return True
    return (
        user.role == Role.CAPTAIN
        and campaign.hubs.filter(
            pk__in=hub_ids_for_user(user, roles=(HubRole.Role.CAPTAIN,))
        ).exists()
    )


def managed_campaign_for_user(user, slug: str) -> Campaign:
    campaign = campaign_for_user(user, slug)
    if not can_manage_campaign(user, campaign):
        raise Http404
    return campaign


def petitions_for_user(user) -> QuerySet[Petition]:
    """Petitions of the campaigns the user sees."""
    return Petition.objects.filter(campaign__in=campaigns_for_user(user))


def petition_for_user(user, pk: int) -> Petition:
    return get_object_or_404(petitions_for_user(user).select_related("campaign"), pk=pk)


def managed_petition_for_user(user, pk: int) -> Petition:
    petition = petition_for_user(user, pk)
    if not can_manage_campaign(user, petition.campaign):
        raise Http404
    return petition
