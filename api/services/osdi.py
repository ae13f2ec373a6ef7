"""Writes of the Action Network–compatible API, through the same services as the pages.

People are matched as everywhere else: ``find_duplicates`` on the normalized phone and email,
under the same advisory locks as RSVPs and signatures (``campaigns.services.rsvps``), created
with ``contact_create`` and changed with ``contact_update`` (history, consent rules, ladder).
RSVPs go through ``rsvp_submit`` and signatures through ``petition_sign``.

Input is Action Network's person shape (``given_name``, ``email_addresses``, …); every value is
bounded here before it reaches PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from campaigns.models import Campaign, Event, Petition, PressureAction, Rsvp, Signature, Target
from campaigns.services.events import event_create, event_update
from campaigns.services.petitions import SignerInput, petition_sign
from campaigns.services.pressure import pressure_action_record
from campaigns.services.rsvps import RsvpInput, person_keys_lock, rsvp_submit
from contacts.models import Contact, Tag
from contacts.services.bulk import people_bulk_tag
from contacts.services.people import (
    NewContact,
    PhoneInput,
    contact_create,
    contact_update,
    find_duplicates,
    normalize_email,
)
from organizer.lib.phones import InvalidPhone, normalize_phone

MAX_ADDRESSES = 5
MAX_LANGUAGES = 10
MAX_TAGS = 50
TEXT_LIMITS = {"given_name": 100, "family_name": 100}
CUSTOM_FIELDS = {"preferred_name": 100, "employer": 200, "union": 120}
ADDRESS_LIMITS = {
    "locality": ("city", 100),
    "region": ("state", 40),
    "postal_code": ("zip_code", 10),
}


class OutOfScope(Exception):
    """The email or phone belongs to a person the user may not see or change."""


@dataclass
class PersonInput:
    fields: dict = field(default_factory=dict)  # Contact fields
    emails: list[str] = field(default_factory=list)  # normalized
    phones: list[str] = field(default_factory=list)  # E.164

    @property
    def keys(self) -> list[str]:
        return [*self.phones, *self.emails]


def _list(data: dict, name: str, most: int) -> list:
    value = data.get(name) or []
    if isinstance(value, dict | str):
        value = [value]
    if not isinstance(value, list):
        raise ValidationError({name: ["Send a list."]})
    if len(value) > most:
        raise ValidationError({name: [f"At most {most} are accepted."]})
    return value


def _text(value, name: str, most: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        raise ValidationError({name: ["Send text."]})
    text = str(value).strip()
    if len(text) > most:
        raise ValidationError({name: [f"At most {most} characters."]})
    return text


def parse_person(data: dict) -> PersonInput:
    """Action Network's person object → our fields; raises ``ValidationError`` (a 400)."""
    if not isinstance(data, dict):
        raise ValidationError({"person": ["Send the person as a JSON object."]})
    out = PersonInput()
    for name, target in (("given_name", "first_name"), ("family_name", "last_name")):
        if name in data:
            out.fields[target] = _text(data[name], name, TEXT_LIMITS[name])
    for item in _list(data, "email_addresses", MAX_ADDRESSES):
        address = item.get("address") if isinstance(item, dict) else item
        out.emails.append(normalize_email(_text(address, "email_addresses", 254)))
        status = item.get("status") if isinstance(item, dict) else None
        if status:
            out.fields["email_ok"] = status == "subscribed"
    for item in _list(data, "phone_numbers", MAX_ADDRESSES):
        number = item.get("number") if isinstance(item, dict) else item
        try:
            out.phones.append(normalize_phone(_text(number, "phone_numbers", 40)))
        except InvalidPhone as exc:
            raise ValidationError({"phone_numbers": [str(exc)]}) from None
        status = item.get("status") if isinstance(item, dict) else None
        if status:
            out.fields["sms_ok"] = status == "subscribed"
    if "languages_spoken" in data:
        languages = [_text(x, "languages_spoken", 40) for x in _list(data, "languages_spoken", 10)]
        out.fields["languages"] = [x for x in languages if x]
    addresses = _list(data, "postal_addresses", MAX_ADDRESSES)
    if addresses and isinstance(addresses[0], dict):
        address = addresses[0]
        lines = [_text(x, "address_lines", 200) for x in _list(address, "address_lines", 2)]
        if lines:
            out.fields["street"] = lines[0]
            if len(lines) > 1:
                out.fields["unit"] = lines[1][:40]
        for name, (target, most) in ADDRESS_LIMITS.items():
            if name in address:
                out.fields[target] = _text(address[name], name, most)
        where = address.get("location")
        if isinstance(where, dict) and "latitude" in where and "longitude" in where:
            try:
                out.fields["latitude"] = float(where["latitude"])
                out.fields["longitude"] = float(where["longitude"])
            except (TypeError, ValueError):
                raise ValidationError(
                    {"location": ["latitude and longitude are numbers."]}
                ) from None
    custom = data.get("custom_fields") or {}
    if isinstance(custom, dict):
        for name, most in CUSTOM_FIELDS.items():
            if name in custom:
                out.fields[name] = _text(custom[name], name, most)
    out.emails = list(dict.fromkeys(out.emails))
    out.phones = list(dict.fromkeys(out.phones))
    return out


def tag_names(value, name: str) -> list[str]:
    names = [_text(x, name, 60) for x in _list({name: value}, name, MAX_TAGS)]
    return [x for x in names if x]


def _apply(*, by, contact: Contact, data: PersonInput, add_tags=(), remove_tags=()) -> Contact:
    """Change a person the user may see: given fields overwrite, new emails and phones are
    added (none is removed), tags are added and removed."""
    have_emails = list(
        contact.emails.order_by("-is_primary", "pk").values_list("address", flat=True)
    )
    have_phones = list(
        contact.phones.order_by("-is_primary", "pk").values_list("e164", "raw", "kind")
    )
    emails = [*have_emails, *(e for e in data.emails if e not in have_emails)]
    known = {e164 for e164, _raw, _kind in have_phones}
    phones = [PhoneInput(raw=raw, kind=kind) for _e, raw, kind in have_phones] + [
        PhoneInput(raw=p) for p in data.phones if p not in known
    ]
    tags = None
    if add_tags or remove_tags:
        current = list(contact.tags.values_list("name", flat=True))
        drop = {t.lower() for t in remove_tags}
        tags = [t for t in [*current, *add_tags] if t.lower() not in drop]
    return contact_update(
        by=by,
        contact=contact,
        fields=data.fields,
        emails=emails if len(emails) != len(have_emails) else None,
        phones=phones if len(phones) != len(have_phones) else None,
        tags=tags,
    )


def person_signup(
    *, by, scope: QuerySet[Contact], data: PersonInput, add_tags=(), remove_tags=()
) -> tuple[Contact, bool]:
    """Action Network's person signup helper: the person with this email or phone is updated,
    or a new one is created (owned by ``by``, so they see them). ``scope`` is who ``by`` may
    see: a match outside it raises ``OutOfScope`` and nothing is changed."""
    if not data.keys:
        raise ValidationError({"person": ["Give an email address or a phone number."]})
    with transaction.atomic():
        person_keys_lock(*data.keys)
        match = find_duplicates(phones_e164=data.phones, emails=data.emails).order_by("pk").first()
        if match is not None:
            if not scope.filter(pk=match.pk).exists():
                raise OutOfScope
            return _apply(
                by=by, contact=match, data=data, add_tags=add_tags, remove_tags=remove_tags
            ), False
        fields = dict(data.fields)
        contact = contact_create(
            by=by,
            owner=by,
            data=NewContact(
                first_name=fields.pop("first_name", ""),
                last_name=fields.pop("last_name", ""),
                phones=[PhoneInput(raw=p) for p in data.phones],
                emails=data.emails,
                tags=[t for t in add_tags if t.lower() not in {r.lower() for r in remove_tags}],
                extra=fields,
            ),
            allow_duplicate=True,  # matched above under the lock
            source="API",
        )
    return contact, True


def person_update(*, by, contact: Contact, data: PersonInput) -> Contact:
    with transaction.atomic():
        return _apply(by=by, contact=contact, data=data)


def tag_get_or_create(*, name: str) -> tuple[Tag, bool]:
    name = tag_names(name, "name")
    if not name:
        raise ValidationError({"name": ["Give the tag a name."]})
    tag = Tag.objects.filter(name__iexact=name[0]).first()
    if tag is not None:
        return tag, False
    return Tag.objects.get_or_create(name=name[0])


def tagging_add(*, by, tag: Tag, contact: Contact):
    """Tag the person (with a history entry); returns the tagging row."""
    people_bulk_tag(by=by, people=Contact.objects.filter(pk=contact.pk), tag=tag.name)
    return Contact.tags.through.objects.get(contact_id=contact.pk, tag_id=tag.pk)


def tagging_remove(*, by, row) -> None:
    with transaction.atomic():
        contact = Contact.objects.get(pk=row.contact_id)
        names = [n for n in contact.tags.values_list("name", flat=True) if n != row.tag.name]
        contact_update(by=by, contact=contact, fields={}, tags=names)


# --- events ---------------------------------------------------------------------------------------


# Dates a chapter's events and filters can mean (PostgreSQL would refuse some of the rest).
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200


def parse_when(value, name: str) -> dt.datetime:
    text = _text(value, name, 40)
    try:
        when = parse_datetime(text.replace(" ", "T", 1)) if text else None
    except ValueError:
        when = None
    if when is None or not EARLIEST_YEAR <= when.year <= LATEST_YEAR:
        raise ValidationError({name: ["Send a date and time, e.g. 2026-05-01T18:00:00Z."]})
    if timezone.is_naive(when):
        when = timezone.make_aware(when)  # the chapter's time zone, as the pages do
    # In UTC: PostgreSQL refuses offsets past ±15:59 (ISO allows any two digits).
    return when.astimezone(dt.UTC)


def event_fields(data: dict) -> dict:
    fields: dict = {}
    if "title" in data or "name" in data:
        fields["title"] = _text(data.get("title") or data.get("name"), "title", 140)
    if "description" in data:
        fields["description"] = _text(data["description"], "description", 4000)
    if data.get("start_date"):
        fields["starts_at"] = parse_when(data["start_date"], "start_date")
    if data.get("end_date"):
        fields["ends_at"] = parse_when(data["end_date"], "end_date")
    if "capacity" in data and data["capacity"] not in (None, "", 0):
        try:
            fields["capacity"] = max(1, min(int(data["capacity"]), 100_000))
        except (TypeError, ValueError):
            raise ValidationError({"capacity": ["Send a whole number."]}) from None
    location = data.get("location")
    if isinstance(location, dict):
        lines = [location.get("venue"), *(location.get("address_lines") or [])[:2]]
        lines += [location.get("locality"), location.get("region")]
        fields["place"] = _text(", ".join(str(x) for x in lines if x), "location", 200)
        where = location.get("location")
        if isinstance(where, dict) and "latitude" in where and "longitude" in where:
            try:
                fields["latitude"] = float(where["latitude"])
                fields["longitude"] = float(where["longitude"])
            except (TypeError, ValueError):
                raise ValidationError(
                    {"location": ["latitude and longitude are numbers."]}
                ) from None
    if "visibility" in data:
        fields["is_public"] = data["visibility"] != "private"
    return fields


DEFAULT_EVENT_HOURS = 2


def event_from_osdi(*, by, hub, data: dict) -> Event:
    fields = event_fields(data)
    if not fields.get("title"):
        raise ValidationError({"title": ["Give the event a title."]})
    if "starts_at" not in fields:
        raise ValidationError({"start_date": ["Give the event a start_date."]})
    fields.setdefault("ends_at", fields["starts_at"] + dt.timedelta(hours=DEFAULT_EVENT_HOURS))
    return event_create(by=by, hub=hub, kind=Event.Kind.ACTION, organizer=by, **fields)


def event_update_from_osdi(*, by, event: Event, data: dict) -> Event:
    return event_update(by=by, event=event, **event_fields(data))


def _rsvp_input(person: Contact | None, data: PersonInput) -> RsvpInput:
    if person is not None:
        email = person.emails.order_by("-is_primary", "pk").values_list("address", flat=True)
        phone = person.phones.order_by("-is_primary", "pk").values_list("e164", flat=True)
        data = PersonInput(
            fields={"first_name": person.first_name, "last_name": person.last_name},
            emails=list(email[:1]),
            phones=list(phone[:1]),
        )
        if not data.keys:
            raise ValidationError(
                {"person": ["This person has no email or phone to match them by."]}
            )
    if not data.keys:
        raise ValidationError({"person": ["Give an email address or a phone number."]})
    return RsvpInput(
        first_name=data.fields.get("first_name", ""),
        last_name=data.fields.get("last_name", ""),
        email=data.emails[0] if data.emails else "",
        phone=data.phones[0] if data.phones else "",
    )


def attendance_record(
    *, event: Event, scope: QuerySet[Contact], person: Contact | None, data: PersonInput
) -> tuple[Rsvp, bool]:
    """The record-attendance helper: an RSVP through ``rsvp_submit`` (matching or creating
    the person in the event's hub, one RSVP per person)."""
    rsvp_input = _rsvp_input(person, data)
    with transaction.atomic():
        rsvp, created = rsvp_submit(event=event, data=rsvp_input, source=Rsvp.Source.STAFF)
        _check_visible(scope, rsvp.contact_id)
    return rsvp, created


def signature_add(
    *, by, petition: Petition, scope: QuerySet[Contact], person: Contact | None, data: PersonInput
) -> tuple[Signature, bool]:
    """The record-signature helper, through ``petition_sign``."""
    r = _rsvp_input(person, data)
    signer = SignerInput(
        first_name=r.first_name, last_name=r.last_name, phone=r.phone, email=r.email
    )
    with transaction.atomic():
        signature, created = petition_sign(
            petition=petition, data=signer, by=by, source=Signature.Source.ONLINE
        )
        _check_visible(scope, signature.contact_id)
    return signature, created


def _check_visible(scope: QuerySet[Contact], contact_id: int) -> None:
    """The email or phone matched someone the user may not see: refused (the caller's
    transaction rolls the RSVP or signature back), and nothing of them is shown."""
    if not scope.filter(pk=contact_id).exists():
        raise OutOfScope


#: Action Network's outreach ``type`` (and our own kinds) → our kind of pressure action.
OUTREACH_KINDS = {
    "phone": PressureAction.Kind.CALL,
    "call": PressureAction.Kind.CALL,
    "email": PressureAction.Kind.EMAIL,
    "postal mail": PressureAction.Kind.LETTER,
    "letter": PressureAction.Kind.LETTER,
    "in-person": PressureAction.Kind.VISIT,
    "visit": PressureAction.Kind.VISIT,
    "testimony": PressureAction.Kind.TESTIMONY,
}


def outreach_kind(value) -> str:
    """The kind of action from an outreach ``type`` (a call when none is sent)."""
    if value is None or value == "":
        return PressureAction.Kind.CALL
    kind = OUTREACH_KINDS.get(str(value).strip().lower()[:20]) if isinstance(value, str) else None
    if kind is None:
        raise ValidationError({"type": ["Use one of: " + ", ".join(sorted(OUTREACH_KINDS)) + "."]})
    return kind


def outreach_record(
    *,
    by,
    campaign: Campaign,
    scope: QuerySet[Contact],
    person: Contact | None,
    data: PersonInput,
    targets: list[Target],
    kind: str,
) -> tuple[list[PressureAction], bool]:
    """Action Network's record-outreach helper: the person (matched or created exactly as the
    person signup helper does, when no person link is given) made ``kind`` of action toward
    each of ``targets``, through ``pressure_action_record`` (once a day per person, target,
    kind and campaign). Returns the actions and whether any is new. All or nothing."""
    with transaction.atomic():
        if person is None:
            person, _created = person_signup(by=by, scope=scope, data=data)
        results = [
            pressure_action_record(
                campaign=campaign,
                target=target,
                contact=person,
                kind=kind,
                source=PressureAction.Source.ORGANIZER,
                by=by,
            )
            for target in targets
        ]
    return [a for a, _new in results], any(new for _a, new in results)
