"""Parsing one row of a people file into normalized values, or the reasons it cannot be imported.

Each kind of column has its own small parser; ``parse_row`` runs those the mapping uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from contacts.models import Contact, Phone
from contacts.services.imports.columns import SYSTEMS, TARGET_LABELS, TEXT_FIELDS, header_key
from contacts.services.people import normalize_email
from organizer.lib.phones import InvalidPhone, normalize_phone
from organizer.lib.text import fold

_MAX_LENGTHS = {name: Contact._meta.get_field(name).max_length for name in (*TEXT_FIELDS, "source")}
_SPLIT_LIST = re.compile(r"[,;|]")
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%Y/%m/%d", "%m-%d-%Y", "%b %d, %Y")
_MEMBERSHIP = {
    "in good standing": Contact.Membership.GOOD_STANDING,
    "good standing": Contact.Membership.GOOD_STANDING,
    "good_standing": Contact.Membership.GOOD_STANDING,
    "member": Contact.Membership.GOOD_STANDING,
    "active": Contact.Membership.GOOD_STANDING,
    "current": Contact.Membership.GOOD_STANDING,
    "yes": Contact.Membership.GOOD_STANDING,
    "lapsed": Contact.Membership.LAPSED,
    "expired": Contact.Membership.LAPSED,
    "past due": Contact.Membership.LAPSED,
    "not a member": Contact.Membership.NOT_MEMBER,
    "not member": Contact.Membership.NOT_MEMBER,
    "not_member": Contact.Membership.NOT_MEMBER,
    "non member": Contact.Membership.NOT_MEMBER,
    "none": Contact.Membership.NOT_MEMBER,
    "never": Contact.Membership.NOT_MEMBER,
    "no": Contact.Membership.NOT_MEMBER,
}


def _phone_kind(header: str) -> str:
    key = header_key(header)
    if "home" in key:
        return Phone.Kind.HOME
    if "work" in key or "office" in key:
        return Phone.Kind.WORK
    return Phone.Kind.MOBILE


@dataclass
class Columns:
    """Which columns feed which target, computed once per file from the mapping."""

    text: dict[str, list[int]] = field(default_factory=dict)
    full_name: list[int] = field(default_factory=list)
    phones: list[tuple[int, str]] = field(default_factory=list)  # (column, kind)
    emails: list[int] = field(default_factory=list)
    ids: list[tuple[int, str]] = field(default_factory=list)  # (column, system)
    tags: list[int] = field(default_factory=list)
    languages: list[int] = field(default_factory=list)
    membership: list[int] = field(default_factory=list)
    member_since: list[int] = field(default_factory=list)
    width: int = 0  # how many cells a row is read as (the header's)

    @classmethod
    def build(cls, header: list[str], targets: list[str]) -> Columns:
        cols = cls(width=len(header))
        for index, (name, target) in enumerate(zip(header, targets, strict=False)):
            if target in TEXT_FIELDS or target == "source":
                cols.text.setdefault(target, []).append(index)
            elif target == "full_name":
                cols.full_name.append(index)
            elif target in ("phone", "phone2"):
                cols.phones.append((index, _phone_kind(name)))
            elif target in ("email", "email2"):
                cols.emails.append(index)
            elif target.startswith("id:") and target[3:] in SYSTEMS:
                cols.ids.append((index, target[3:]))
            elif target == "tags":
                cols.tags.append(index)
            elif target == "languages":
                cols.languages.append(index)
            elif target == "membership_status":
                cols.membership.append(index)
            elif target == "member_since":
                cols.member_since.append(index)
        return cols

    def contact_fields(self) -> set[str]:
        """The contact fields a row of this file can fill."""
        fields = set(self.text) - {"source"}
        if self.full_name:
            fields.update(("first_name", "last_name"))
        if self.membership:
            fields.add("membership_status")
        if self.member_since:
            fields.add("member_since")
        return fields


_NO_PHONES: Mapping[str, tuple[str, str]] = MappingProxyType({})


@dataclass(slots=True)
class Row:
    """One valid line of the file, normalized."""

    line: int
    fields: dict[str, object]
    phones: Mapping[str, tuple[str, str]]  # e164 -> (as typed, kind), in file order
    emails: Sequence[str]
    ids: Sequence[tuple[str, str]]  # (system, value)
    tags: Sequence[str]
    languages: Sequence[str]

    languages: list[str]


def parse_date(value: str) -> date:
    text = value.strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}[T ]", text):
        text = text[:10]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(
        _("“%(value)s” is not a date (use YYYY-MM-DD or MM/DD/YYYY).") % {"value": value}
    )


def _split_name(full: str) -> tuple[str, str]:
    if "," in full:  # "Alvarez, Ana"
        last, _comma, first = full.partition(",")
        return first.strip(), last.strip()
    first, _space, last = full.strip().rpartition(" ")
    return (first.strip(), last) if first else (last, "")


def _split_list(cells: Iterable[str]) -> list[str]:
    items: dict[str, None] = {}
    for cell in cells:
        for item in _SPLIT_LIST.split(cell):
            if item.strip():
                items[item.strip()] = None
    return list(items)


# Plain addresses (dot-atom local part, LDH domain labels, a letters-only TLD): a strict subset
# of what Django's EmailValidator accepts, checked in one regex match; anything else goes
# through ``normalize_email``.
_PLAIN_EMAIL = re.compile(
    r"[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}",
    re.ASCII,
)


def _first(cells: list[str], indexes: list[int]) -> str:
    """The first non-blank cell of ``indexes``."""
    for index in indexes:
        if value := cells[index]:
            return value
    return ""


def _text(cells: list[str], cols: Columns, fields: dict, reasons: list[str]) -> None:
    for name, indexes in cols.text.items():
        value = cells[indexes[0]] if len(indexes) == 1 else _first(cells, indexes)
        if not value:
            continue
        if len(value) > _MAX_LENGTHS[name]:
            reasons.append(
                _("%(field)s is longer than %(limit)s characters.")
                % {"field": TARGET_LABELS[name], "limit": _MAX_LENGTHS[name]}
            )
        else:
            fields[name] = value
    if cols.full_name and not fields.get("first_name") and not fields.get("last_name"):
        full = _first(cells, cols.full_name)
        first, last = _split_name(full) if full else ("", "")
        if first:
            fields["first_name"] = first[: _MAX_LENGTHS["first_name"]]
        if last:
            fields["last_name"] = last[: _MAX_LENGTHS["last_name"]]


def _membership(cells: list[str], cols: Columns, fields: dict, reasons: list[str]) -> None:
    if value := _first(cells, cols.membership):
        status = _MEMBERSHIP.get(" ".join(fold(value).split()))
        if status is None:
            reasons.append(
                _(
                    "“%(value)s” is not a membership status "
                    "(use: in good standing, lapsed, not a member)."
                )
                % {"value": value}
            )
        else:
            fields["membership_status"] = status
    if value := _first(cells, cols.member_since):
        try:
            fields["member_since"] = parse_date(value)
        except ValueError as exc:
            reasons.append(str(exc))


def _phones(cells: list[str], cols: Columns, reasons: list[str]) -> dict[str, tuple[str, str]]:
    phones: dict[str, tuple[str, str]] = {}
    for index, kind in cols.phones:
        if raw := cells[index]:
            try:
                phones.setdefault(normalize_phone(raw), (raw[:64], kind))
            except InvalidPhone as exc:
                reasons.append(str(exc))
    return phones


def _emails(cells: list[str], cols: Columns, reasons: list[str]) -> list[str]:
    emails: list[str] = []
    for index in cols.emails:
        if not (raw := cells[index]):
            continue
        address = raw.lower()
        if len(address) > 254 or not _PLAIN_EMAIL.fullmatch(address):
            try:  # Django's validator decides, and says why not
                address = normalize_email(raw)
            except ValidationError as exc:
                reasons.extend(exc.messages)
                continue
        if len(address) > 254:
            reasons.append(_("“%(value)s…” is longer than 254 characters.") % {"value": raw[:40]})
        elif address not in emails:
            emails.append(address)
    return emails


def _ids(cells: list[str], cols: Columns, reasons: list[str]) -> list[tuple[str, str]]:
    ids: list[tuple[str, str]] = []
    for index, system in cols.ids:
        if value := cells[index]:
            if len(value) > 120:
                reasons.append(
                    _("The %(system)s is longer than 120 characters.") % {"system": SYSTEMS[system]}
                )
            elif (system, value) not in ids:
                ids.append((system, value))
    return ids


def _lists(cells: list[str], cols: Columns, reasons: list[str]) -> tuple[list[str], list[str]]:
    tags = _split_list(cells[i] for i in cols.tags) if cols.tags else []
    reasons.extend(
        _("The tag “%(tag)s…” is longer than 60 characters.") % {"tag": t[:40]}
        for t in tags
        if len(t) > 60
    )
    languages = _split_list(cells[i] for i in cols.languages) if cols.languages else []
    reasons.extend(
        _("The language “%(language)s…” is too long.") % {"language": x[:30]}
        for x in languages
        if len(x) > 40
    )
    return tags or (), languages or ()


def parse_row(line: int, cells: list[str], cols: Columns) -> Row | list[str]:
    """The normalized row, or the reasons it cannot be imported."""
    # The cells, stripped, by column index (blank past the row's end).
    cells = [cell.strip() for cell in cells]
    if len(cells) < cols.width:
        cells.extend([""] * (cols.width - len(cells)))
    reasons: list[str] = []
    fields: dict[str, object] = {}
    _text(cells, cols, fields, reasons)
    if cols.membership or cols.member_since:
        _membership(cells, cols, fields, reasons)
    # Empty values are shared constants: a million rows hold no million empty lists.
    phones = (_phones(cells, cols, reasons) or _NO_PHONES) if cols.phones else _NO_PHONES
    emails = (_emails(cells, cols, reasons) or ()) if cols.emails else ()
    ids = (_ids(cells, cols, reasons) or ()) if cols.ids else ()
    tags, languages = _lists(cells, cols, reasons) if cols.tags or cols.languages else ((), ())
    if reasons:
        return reasons
    if not (fields.get("first_name") or fields.get("last_name") or phones or emails):
        return [_("No name, phone or email.")]
    return Row(line, fields, phones, emails, ids, tags, languages)
