"""Phone numbers: parse what people type into E.164, or say clearly why not.

``normalize_phone`` is on the hot path of big imports (a million rows), so the usual shapes of a
North American number (``(718) 555-0101``, ``718.555.0101``, ``+1 718 555 0101``,
``1-718-555-0101``) take a fast path that gives exactly what ``phonenumbers`` gives, without
parsing: the digits are the national number, and whether it is valid is remembered per leading
digits. How many leading digits decide validity is worked out from libphonenumber's own metadata
(:func:`deciding_length`), so the memo can never disagree with ``phonenumbers.is_valid_number``;
anything else (letters, extensions, other countries, odd lengths) goes through ``phonenumbers``.
"""

from __future__ import annotations

import re
import re._constants as sre_constants  # type: ignore[import-not-found]
import re._parser as sre_parser  # type: ignore[import-not-found]
from functools import lru_cache

import phonenumbers
from django.conf import settings
from django.utils.translation import gettext as _
from phonenumbers import PhoneMetadata, PhoneNumber


class InvalidPhone(ValueError):
    """The text is not a valid phone number (the message says why, for a person to read)."""


def normalize_phone(raw: str, region: str | None = None) -> str:
    """Return ``raw`` in E.164 (``+12125550100``) or raise :class:`InvalidPhone`."""
    text = (raw or "").strip()
    if not text:
        raise InvalidPhone(_("Enter a phone number."))
    region = region or settings.PHONE_DEFAULT_REGION
    if region == "US" and (e164 := _fast_nanp(text)):
        return e164
    return _normalize_slowly(text, region)


def _normalize_slowly(text: str, region: str) -> str:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(_("“%(text)s” is not a phone number.") % {"text": text}) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(
            _("“%(text)s” is not a valid phone number for %(region)s.")
            % {"text": text, "region": region}
        )
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


# --- The fast path for North American numbers ---------------------------------------------------

# Digits with the punctuation people type in a US number, an optional leading "+".
_NANP_SHAPE = re.compile(r"\+?[\d\s().\-]{10,24}")
_NOT_DIGIT = re.compile(r"\D")
_MEMO_LIMIT = 500_000
_valid_by_prefix: dict[str, bool] = {}


def _fast_nanp(text: str) -> str | None:
    """E.164 for a valid NANP number typed in a usual shape, else ``None`` (then ``phonenumbers``
    decides, and says why not). Shapes: 10 digits starting 2-9; ``1`` + those; ``+1`` + those."""
    if not _NANP_SHAPE.fullmatch(text):
        return None
    digits = _NOT_DIGIT.sub("", text)
    if text[0] == "+":
        if len(digits) != 11 or digits[0] != "1":
            return None
        national = digits[1:]
    elif len(digits) == 10:
        national = digits
    elif len(digits) == 11 and digits[0] == "1":
        national = digits[1:]
    else:
        return None
    if national[0] in "01":
        return None
    key = national[: deciding_length(national[:3])]
    valid = _valid_by_prefix.get(key)
    if valid is None:
        valid = phonenumbers.is_valid_number(
            PhoneNumber(country_code=1, national_number=int(national))
        )
        if len(_valid_by_prefix) >= _MEMO_LIMIT:
            _valid_by_prefix.clear()
        _valid_by_prefix[key] = valid
    return "+1" + national if valid else None


_DESCS = (
    "general_desc",
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
    "mobile",
)
_NATIONAL_LENGTH = 10


@lru_cache(maxsize=1)
def _nanp_patterns() -> list[list]:
    """Every pattern ``is_valid_number`` reads for a +1 number (each NANP region's leading
    digits and number patterns), parsed."""
    patterns = []
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1]:
        metadata = PhoneMetadata.metadata_for_region(region)
        if metadata is None:
            continue
        texts = [metadata.leading_digits] if metadata.leading_digits else []
        for name in _DESCS:
            desc = getattr(metadata, name)
            if desc is not None and desc.national_number_pattern:
                texts.append(desc.national_number_pattern)
        patterns.extend(sre_parser.parse(text) for text in texts)
    return patterns


@lru_cache(maxsize=1024)
def deciding_length(area: str) -> int:
    """How many leading digits of a 10-digit national number starting with ``area`` decide
    whether ``phonenumbers.is_valid_number`` accepts it (10 when it cannot be proven shorter).

    Each pattern is walked along every path a 10-digit string of digits starting with ``area``
    can take; ``\\d`` accepts any digit, anything else (a literal, a class) constrains a position.
    When no path constrains a position at or beyond ``n``, two numbers sharing their first ``n``
    digits match or fail together, in every pattern, hence in ``is_valid_number``."""
    length = len(area)
    try:
        for pattern in _nanp_patterns():
            _, deepest = _walk(pattern, {0}, area)
            length = max(length, deepest)
    except _Unprovable:
        return _NATIONAL_LENGTH
    return min(length, _NATIONAL_LENGTH)


class _Unprovable(Exception):
    pass


def _accepts(op, av) -> set[str] | None:
    """The digits one element accepts, or None when it is not a one-character element."""
    c = sre_constants
    if op == c.LITERAL:
        return {chr(av)}
    if op == c.IN:
        chars: set[str] = set()
        for kind, value in av:
            if kind == c.LITERAL:
                chars.add(chr(value))
            elif kind == c.RANGE:
                chars.update(chr(x) for x in range(value[0], value[1] + 1))
            elif kind == c.CATEGORY and value == c.CATEGORY_DIGIT:
                chars.update("0123456789")
            else:
                raise _Unprovable
        return chars & set("0123456789")
    return None


def _walk(items, offsets: set[int], known: str) -> tuple[set[int], int]:
    """(the offsets where paths may end, the deepest end of a constraining element)."""
    c = sre_constants
    deepest = 0
    for op, av in items:
        if not offsets:  # every path died on a digit already known
            break
        if op == c.SUBPATTERN:
            offsets, depth = _walk(av[-1], offsets, known)
            deepest = max(deepest, depth)
        elif op == c.BRANCH:
            ends: set[int] = set()
            for branch in av[1]:
                found, depth = _walk(branch, offsets, known)
                ends |= found
                deepest = max(deepest, depth)
            offsets = ends
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            low, high, sub = av
            if high == c.MAXREPEAT:
                raise _Unprovable
            current, ends = set(offsets), set(offsets) if low == 0 else set()
            for count in range(1, high + 1):
                current, depth = _walk(sub, current, known)
                deepest = max(deepest, depth)
                if count >= low:
                    ends |= current
            offsets = ends
        else:
            chars = _accepts(op, av)
            if chars is None:
                raise _Unprovable
            alive = set()
            for offset in offsets:
                if offset < len(known):
                    if known[offset] in chars:  # decided by the digits already known
                        alive.add(offset + 1)
                elif chars:
                    alive.add(offset + 1)
                    if len(chars) < 10:
                        deepest = max(deepest, offset + 1)
            offsets = alive
        offsets = {offset for offset in offsets if offset <= _NATIONAL_LENGTH}
    return offsets, deepest
