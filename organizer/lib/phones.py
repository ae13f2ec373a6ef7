"""Phone numbers: parse what people type into E.164, or say clearly why not."""

from __future__ import annotations

import phonenumbers
from django.conf import settings


class InvalidPhone(ValueError):
    """The text is not a valid phone number (the message says why, for a person to read)."""


def normalize_phone(raw: str, region: str | None = None) -> str:
    """Return ``raw`` in E.164 (``+12125550100``) or raise :class:`InvalidPhone`."""
    text = (raw or "").strip()
    if not text:
        raise InvalidPhone("Enter a phone number.")
    region = region or settings.PHONE_DEFAULT_REGION
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(f"“{text}” is not a phone number.") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(f"“{text}” is not a valid phone number for {region}.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def try_normalize_phone(raw: str, region: str | None = None) -> str | None:
    """E.164 for ``raw``, or ``None`` when it is not a valid number (for search input)."""
    try:
        return normalize_phone(raw, region)
    except InvalidPhone:
        return None


def display_phone(e164: str) -> str:
    """A friendly national/international rendering of an E.164 number."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    region = settings.PHONE_DEFAULT_REGION
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
