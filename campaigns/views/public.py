"""The public pages: an event with its RSVP form, its calendar file, and a hub's events.

No account needed. Every POST is limited per address (``organizer.lib.ratelimit``), carries a
honeypot, and is bounded by its form; the answer never says whether the phone or email was
already known (no enumeration): everyone sees the same thanks.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from campaigns.forms import RsvpForm
from campaigns.selectors.events import is_full, public_event, public_hub
from campaigns.services.events import recruiter_for_code
from campaigns.services.rsvps import RsvpInput, rsvp_submit
from organizer.lib import ratelimit
from organizer.lib.forms import add_validation_error

RSVP_LIMIT = (10, 60)  # per address: 10 a minute
RSVP_HOURLY = (60, 3600)  # and 60 an hour (a shared wifi at a rally still fits)


def _limited(request) -> int:
    """Per address, both windows in one Redis round trip."""
    return ratelimit.hit_all(
        ratelimit.client_ip(request),
        [("rsvp-min", *RSVP_LIMIT), ("rsvp-hour", *RSVP_HOURLY)],
    )


def _calendar_link(event) -> str:
    fmt = "%Y%m%dT%H%M%SZ"
    dates = f"{event.starts_at.astimezone(dt.UTC):{fmt}}/{event.ends_at.astimezone(dt.UTC):{fmt}}"
    query = urlencode(
        {
            "action": "TEMPLATE",
            "text": event.title,
            "dates": dates,
            "details": settings.SITE_URL + reverse("public_event", args=[event.pk]),
            "location": event.place or event.online_url,
        }
    )
    return f"https://calendar.google.com/calendar/render?{query}"


def _page(request, event, form, *, status=200, done=False):
    context = {
        "event": event,
        "form": form,
        "done": done,
        "full": is_full(event),
        "over": event.ends_at < timezone.now(),
        "google_link": _calendar_link(event),
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
    return render(request, "campaigns/public_event.html", context, status=status)


@require_http_methods(["GET", "POST"])
def event_page(request, pk: int):
    if request.method == "GET":
        event = public_event(pk)
        form = RsvpForm(initial={"r": request.GET.get("r", "")[:16]}, shifts=event.shifts.all())
        return _page(request, event, form, done=request.GET.get("done") == "1")
    # A POST reads the event in the same message as the person's locks and match (the
    # service); the page, only to show errors.
    wait = _limited(request)
    if wait:
        event = public_event(pk)
        form = RsvpForm(request.POST, shifts=event.shifts.all())
        form.is_valid()
        form.add_error(None, _("Too many sign-ups from this address. Try again in a minute."))
        response = _page(request, event, form, status=429)
        response["Retry-After"] = str(wait)
        return response
    form = RsvpForm(request.POST, shifts=None)
    if not form.is_valid():
        return _error_page(request, pk)
    data = form.cleaned_data
    if data["website"]:  # the honeypot: a bot; it sees the same thanks and nothing is saved
        return redirect(reverse("public_event", args=[pk]) + "?done=1")
    try:
        rsvp_submit(
            event_id=pk,
            data=RsvpInput(
                first_name=data["first_name"],
                last_name=data["last_name"],
                phone=data["phone"],
                email=data["email"],
                shift_id=data["shift"],
                sms_consent=data["sms_consent"],
            ),
            recruiter_id=recruiter_for_code(data["r"]),
        )
    except ValidationError as exc:
        return _error_page(request, pk, exc)
    return redirect(reverse("public_event", args=[pk]) + "?done=1")


def _error_page(request, pk: int, error: ValidationError | None = None):
    """The page again with the POSTed form and its errors. The form is validated again with
    the event's shifts (marked full as the page marks them), so a shift that is not one of
    them is the form's error, as on the page; the service's errors show when the form has
    none of its own."""
    event = public_event(pk)
    form = RsvpForm(request.POST, shifts=event.shifts.all())
    if form.is_valid() and error is not None:
        add_validation_error(form, error)
    return _page(request, event, form, status=400)


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def event_ics(request, pk: int):
    event = public_event(pk)
    fmt = "%Y%m%dT%H%M%SZ"
    utc = dt.UTC
    url = settings.SITE_URL + reverse("public_event", args=[event.pk])
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Organizer//Events//EN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:event-{event.pk}@{settings.SITE_URL.split('//')[-1].split('/')[0]}",
        f"SEQUENCE:{event.revision}",
        f"DTSTAMP:{event.updated_at.astimezone(utc):{fmt}}",
        f"DTSTART:{event.starts_at.astimezone(utc):{fmt}}",
        f"DTEND:{event.ends_at.astimezone(utc):{fmt}}",
        f"SUMMARY:{_ics_text(event.title)}",
        f"DESCRIPTION:{_ics_text((event.description[:1000] + chr(10) + url).strip())}",
        f"LOCATION:{_ics_text(event.place or event.online_url)}",
        f"URL:{url}",
        f"STATUS:{'CANCELLED' if event.is_canceled else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    response = HttpResponse(
        "\r\n".join(lines) + "\r\n", content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response


def hub_page(request, slug: str):
    hub, events = public_hub(slug)
    code = request.GET.get("r", "")[:16]
    return render(request, "campaigns/public_hub.html", {"hub": hub, "events": events, "r": code})
