"""Sign-in at the door on a phone or tablet. The page holds the whole list (search without a
signal too); each tap is a plain form POST, and static/js/kiosk.js queues taps in localStorage
with a client token when the signal drops (the walk list's approach)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns.forms import CheckinForm, WalkInForm
from campaigns.models import Signature
from campaigns.selectors.access import can_manage_event, event_for_user
from campaigns.selectors.events import event_rsvps, event_turnout, rsvp_matches, rsvp_of_event
from campaigns.selectors.petitions import event_petition
from campaigns.services.events import canvass_hand_out
from campaigns.services.petitions import signature_record
from campaigns.services.rsvps import checkin_mark, checkin_undo, walk_in_add
from hubs.models import TurfPiece


def _free_pieces(event) -> list[TurfPiece]:
    if event.campaign_id is None:
        return []
    return list(
        TurfPiece.objects.filter(turf__campaigns=event.campaign_id, assigned_to__isnull=True)
        .select_related("turf")
        .order_by("turf_id", "number")[:100]
    )


@login_required
def kiosk(request, pk: int):
    event = event_for_user(request.user, pk)
    query = request.GET.get("q", "")[:60]
    rsvps = event_rsvps(event)
    petition = event_petition(event)
    context = {
        "event": event,
        "rsvps": rsvp_matches(rsvps, query),
        "query": query,
        "turnout": event_turnout(event),
        "walk_in_form": WalkInForm(),
        "pieces": _free_pieces(event) if can_manage_event(request.user, event) else [],
        "petition": petition,
        "signed_ids": set(
            Signature.objects.filter(petition=petition).values_list("contact_id", flat=True)
        )
        if petition
        else set(),
    }
    return render(request, "campaigns/kiosk.html", context)


def _back(request, event, status: int = 200, text: str = "") -> HttpResponse:
    if request.headers.get("HX-Request"):
        response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
        response["X-Kiosk"] = "ok" if status == 200 else "rejected"
        return response
    if text:
        (messages.success if status == 200 else messages.error)(request, text)
    url = reverse("campaigns:kiosk", args=[event.pk])
    query = request.POST.get("q", "")[:60]
    return redirect(f"{url}?{urlencode({'q': query})}" if query else url)


@require_POST
@login_required
def checkin(request, pk: int):
    event = event_for_user(request.user, pk)
    form = CheckinForm(request.POST)
    if not form.is_valid():
        return _back(request, event, 400, _("That sign-in was not understood."))
    try:
        if form.cleaned_data["undo"]:
            rsvp = checkin_undo(by=request.user, event=event, rsvp_id=form.cleaned_data["rsvp"])
            return _back(
                request, event, text=_("%(name)s: sign-in undone.") % {"name": rsvp.contact}
            )
        rsvp = checkin_mark(by=request.user, event=event, rsvp_id=form.cleaned_data["rsvp"])
    except ValidationError as exc:
        return _back(request, event, 400, " ".join(exc.messages))
    return _back(request, event, text=_("%(name)s is signed in.") % {"name": rsvp.contact})


@require_POST
@login_required
def walk_in(request, pk: int):
    event = event_for_user(request.user, pk)
    form = WalkInForm(request.POST)
    if not form.is_valid():
        return _back(request, event, 400, _("Enter at least their first name."))
    try:
        rsvp = walk_in_add(by=request.user, event=event, **form.cleaned_data)
    except ValidationError as exc:
        return _back(request, event, 400, " ".join(exc.messages))
    return _back(request, event, text=_("%(name)s is signed in.") % {"name": rsvp.contact})


@require_POST
@login_required
def hand_out(request, pk: int):
    """Canvass launch: give a signed-in volunteer a piece of the campaign's turf."""
    event = event_for_user(request.user, pk)
    if not can_manage_event(request.user, event):
        return _back(request, event, 403, _("Only the event's captains hand out turf."))
    pieces = {p.pk: p for p in _free_pieces(event)}
    try:
        rsvp = rsvp_of_event(event, int(request.POST.get("rsvp", "0")))
        piece = pieces[int(request.POST.get("piece", "0"))]
    except (ValueError, KeyError):
        return _back(request, event, 400, _("That piece was taken already. Pick another."))
    try:
        canvass_hand_out(by=request.user, event=event, rsvp=rsvp, piece=piece)
    except ValidationError as exc:
        return _back(request, event, 400, " ".join(exc.messages))
    return _back(
        request,
        event,
        text=_("%(name)s has piece %(piece)s.") % {"name": rsvp.contact, "piece": piece},
    )


@require_POST
@login_required
def sign_petition(request, pk: int):
    """An attendee signs the campaign's petition at sign-in."""
    event = event_for_user(request.user, pk)
    petition = event_petition(event)
    if petition is None:
        return _back(request, event, 400, _("This event's campaign has no petition."))
    try:
        rsvp = rsvp_of_event(event, int(request.POST.get("rsvp", "0")))
    except (ValueError, Http404):
        return _back(request, event, 400, _("This person has no RSVP for this event."))
    signature_record(
        petition=petition, contact=rsvp.contact, source=Signature.Source.EVENT, by=request.user
    )
    return _back(request, event, text=_("%(name)s signed the petition.") % {"name": rsvp.contact})
