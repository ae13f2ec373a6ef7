"""Event pages for organizers: create, the event (list, turnout, recruiters, actions), edit,
cancel, shifts, first-timer follow-ups, recruiter links and the messages page for staff."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.models import Role
from campaigns.forms import EventForm, ShiftForm
from campaigns.models import EventMessage
from campaigns.selectors.access import (
    campaigns_for_user,
    can_create,
    can_manage_event,
    event_for_user,
    managed_event_for_user,
    managed_hubs,
)
from campaigns.selectors.events import event_recruiters, event_rsvps, event_turnout
from campaigns.services import events as services
from campaigns.services.messages import message_retry
from contacts.selectors.access import contact_for_user, require_staff
from hubs.models import Hub
from organizer.lib.forms import add_validation_error


def _event_form(request, instance=None):
    hubs = managed_hubs(request.user)
    if instance is not None:  # the event's own hub stays choosable for its organizer
        hubs = Hub.objects.filter(Q(pk__in=hubs.values("pk")) | Q(pk=instance.hub_id))
    organizers = get_user_model().objects.filter(
        is_active=True, role__in=[Role.STAFF, Role.CAPTAIN, Role.ORGANIZER]
    )
    data = request.POST if request.method == "POST" else None
    initial = {"organizer": request.user.pk}
    if "campaign" in request.GET:
        initial["campaign"] = (
            campaigns_for_user(request.user).filter(slug=request.GET["campaign"][:120]).first()
        )
    return EventForm(
        data,
        instance=instance,
        initial=initial if instance is None else None,
        hubs=hubs,
        campaigns=campaigns_for_user(request.user),
        organizers=organizers.order_by("name"),
    )


@login_required
def event_new(request):
    if not can_create(request.user):
        raise Http404
    form = _event_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(by=request.user, **form.cleaned_data)
            return redirect("campaigns:event", pk=event.pk)
        except ValidationError as exc:
            add_validation_error(form, exc)
    return render(request, "campaigns/event_form.html", {"form": form})


@login_required
def event_edit(request, pk: int):
    event = managed_event_for_user(request.user, pk)
    form = _event_form(request, instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(by=request.user, event=event, **form.cleaned_data)
            messages.success(
                request, _("Event saved. Anyone going is told of a new time or place.")
            )
            return redirect("campaigns:event", pk=event.pk)
        except ValidationError as exc:
            add_validation_error(form, exc)
    event.refresh_from_db()
    return render(request, "campaigns/event_form.html", {"form": form, "event": event})


@login_required
def event_detail(request, pk: int):
    event = event_for_user(request.user, pk)
    code = services.recruiter_code_for_user(user=request.user)
    public = reverse("public_event", args=[event.pk])
    context = {
        "event": event,
        "rsvps": event_rsvps(event, limit=500),
        "turnout": event_turnout(event),
        "recruiters": event_recruiters(event),
        "can_manage": can_manage_event(request.user, event),
        "shift_form": ShiftForm(),
        "shifts": list(event.shifts.all()),
        "my_link": f"{settings.SITE_URL}{public}?r={code.code}",
        "my_hub_link": f"{settings.SITE_URL}{reverse('public_hub', args=[event.hub.slug])}"
        f"?r={code.code}",
        "is_past": event.starts_at < timezone.now(),
    }
    return render(request, "campaigns/event_detail.html", context)


@require_POST
@login_required
def event_cancel(request, pk: int):
    event = managed_event_for_user(request.user, pk)
    services.event_cancel(by=request.user, event=event)
    messages.success(request, _("Event canceled. Everyone going is told, once."))
    return redirect("campaigns:event", pk=event.pk)


@require_POST
@login_required
def shift_add(request, pk: int):
    event = managed_event_for_user(request.user, pk)
    form = ShiftForm(request.POST)
    if form.is_valid():
        try:
            services.shift_add(by=request.user, event=event, **form.cleaned_data)
            messages.success(request, _("Shift added."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Enter the shift's start and end."))
    return redirect("campaigns:event", pk=event.pk)


@require_POST
@login_required
def shift_delete(request, pk: int, shift_id: int):
    event = managed_event_for_user(request.user, pk)
    services.shift_remove(by=request.user, event=event, shift_id=shift_id)
    return redirect("campaigns:event", pk=event.pk)


@require_POST
@login_required
def follow_ups(request, pk: int):
    event = managed_event_for_user(request.user, pk)
    try:
        made = services.first_timer_follow_ups(by=request.user, event=event)
        messages.success(
            request,
            ngettext(
                "%(n)s follow-up created for first-timers.",
                "%(n)s follow-ups created for first-timers.",
                len(made),
            )
            % {"n": len(made)},
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("campaigns:event", pk=event.pk)


@require_POST
@login_required
def supporter_link(request, pk: int):
    """A recruiter link for a supporter (someone the user may see), on request."""
    event = event_for_user(request.user, pk)
    try:
        contact_id = int(request.POST.get("contact", ""))
    except ValueError:
        raise Http404 from None
    contact = contact_for_user(request.user, contact_id)
    code = services.recruiter_code_for(contact=contact)
    link = f"{settings.SITE_URL}{reverse('public_event', args=[event.pk])}?r={code.code}"
    messages.success(request, _("Link for %(name)s: %(link)s") % {"name": contact, "link": link})
    return redirect("campaigns:event", pk=event.pk)


@login_required
def event_messages(request):
    require_staff(request.user)
    rows = EventMessage.objects.select_related("event", "contact").order_by("status", "-pk")[:300]
    return render(request, "campaigns/messages.html", {"rows": rows})


@require_POST
@login_required
def event_message_retry(request, message_id: int):
    require_staff(request.user)
    message = get_object_or_404(EventMessage, pk=message_id)
    outcome = message_retry(message=message)
    messages.info(request, _("Retry: %(outcome)s") % {"outcome": outcome})
    return redirect("campaigns:messages")
