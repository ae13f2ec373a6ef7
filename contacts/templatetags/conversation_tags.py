"""Template helpers for logging conversations and follow-ups."""

from __future__ import annotations

import uuid

from django import template

from organizer.lib.phones import display_phone

register = template.Library()


@register.simple_tag
def new_client_token() -> str:
    """A fresh token for an idempotent form (a double submit with it saves once)."""
    return str(uuid.uuid4())


@register.filter
def phone_display(e164: str) -> str:
    return display_phone(e164 or "")
