"""Template helpers for logging conversations and follow-ups."""

from __future__ import annotations

import datetime as dt
import uuid

from django import template

from organizer.lib.dates import day_label, moment_label
from organizer.lib.phones import display_phone

register = template.Library()


@register.simple_tag
def new_client_token() -> str:
    """A fresh token for an idempotent form (a double submit with it saves once)."""
    return str(uuid.uuid4())


@register.filter
def phone_display(e164: str) -> str:
    return display_phone(e164 or "")


@register.filter
def weekday_date(value) -> str:
    """``Tue December 8`` in the reader's language (the year when not this year)."""
    return day_label(value)


@register.filter
def month_day(value) -> str:
    """``December 8`` in the reader's language (the year when not this year)."""
    return day_label(value, weekday=False)


@register.filter
def moment(value) -> str:
    """``December 8, 3:04 p.m.`` in the reader's language."""
    return moment_label(value)


@register.filter
def iso_day(value: str) -> str:
    """An ISO date kept in a history entry (``2026-12-08``), for the reader."""
    try:
        return day_label(dt.date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


@register.simple_tag
def call_outcomes() -> list[tuple[str, str]]:
    """The one-tap outcomes of a call, in order."""
    from contacts.models import Interaction

    return list(Interaction.Outcome.choices)
