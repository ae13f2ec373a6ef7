"""Days and times written the way the reader's language writes them (the active language's
Django formats), never as raw ISO dates: "Tue December 8" / "mar 8 de diciembre"."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format, time_format


def day_label(value: dt.date | dt.datetime | None, *, weekday: bool = True) -> str:
    """A day in the active language; the year only when it is not this year."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    this_year = value.year == timezone.localdate().year
    text = date_format(value, "MONTH_DAY_FORMAT" if this_year else "DATE_FORMAT")
    return f"{date_format(value, 'D')} {text}" if weekday else text


def moment_label(value: dt.datetime | None) -> str:
    """A day and a time of day in the active language ("December 8, 3:04 p.m.")."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{day_label(local, weekday=False)}, {time_format(local, 'TIME_FORMAT')}"
