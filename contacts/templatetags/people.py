"""Template helpers for people: phone numbers people can read and tap."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template

from organizer.lib.phones import display_phone

register = template.Library()


@register.filter
def phone(e164: str) -> str:
    """``+12125550100`` → ``(212) 555-0100`` (international format for other countries)."""
    return display_phone(e164) if e164 else ""


@register.simple_tag(takes_context=True)
def with_page(context, number: int) -> str:
    """The current list URL's query string with ``page`` replaced (filters kept)."""
    query = context.get("query", "")
    return "?" + "&".join(part for part in (query, urlencode({"page": number})) if part)
