"""Creating and changing people, with phone/email normalization and duplicate detection."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet

from contacts.models import Contact, ContactEvent, Email, Phone
from organizer.lib.phones import InvalidPhone, normalize_phone


class DuplicateContact(Exception):
    """A person with this phone or email already exists (``matches`` says who)."""

    def __init__(self, matches: list[Contact]):
        self.matches = matches
        super().__init__("A person with this phone number or email already exists.")


@dataclass
class PhoneInput:
    raw: str
    kind: str = Phone.Kind.MOBILE


@dataclass
class NewContact:
    first_name: str = ""
    last_name: str = ""
    phones: list[PhoneInput] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # any other Contact field


def normalize_email(value: str) -> str:
    address = (value or "").strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError(f"“{value}” is not a valid email address.", code="email") from None
    return address


def find_duplicates(*, phones_e164: list[str], emails: list[str]) -> QuerySet[Contact]:
    """People who already have one of these phone numbers (E.164) or emails (lower-case)."""
    return (
        Contact.objects.filter(phones__e164__in=phones_e164)
        | Contact.objects.filter(emails__address__in=emails)
    ).distinct()


@transaction.atomic
def contact_create(
    *, by, data: NewContact, owner=None, allow_duplicate: bool = False, source: str = ""
) -> Contact:
    """Create a person. Raises ``ValidationError`` for a bad phone/email (nothing is saved) and
    ``DuplicateContact`` when the phone or email belongs to someone already, unless
    ``allow_duplicate``."""
    errors: dict[str, list[str]] = {}
    phones: list[tuple[str, PhoneInput]] = []
    for phone in data.phones:
        if not phone.raw.strip():
            continue
        try:
            phones.append((normalize_phone(phone.raw), phone))
        except InvalidPhone as exc:
            errors.setdefault("phone", []).append(str(exc))
    emails: list[str] = []
    for email in data.emails:
        if not email.strip():
            continue
        try:
            emails.append(normalize_email(email))
        except ValidationError as exc:
            errors.setdefault("email", []).extend(exc.messages)
    if not (data.first_name.strip() or data.last_name.strip() or phones or emails):
        errors.setdefault("first_name", []).append("Enter a name, a phone number or an email.")
    if errors:
        raise ValidationError(errors)
    if not allow_duplicate:
        matches = list(find_duplicates(phones_e164=[e for e, _ in phones], emails=emails)[:5])
        if matches:
            raise DuplicateContact(matches)

    contact = Contact(
        first_name=data.first_name.strip(),
        last_name=data.last_name.strip(),
        owner=owner,
        source=source,
        created_by=by,
        updated_by=by,
        **data.extra,
    )
    contact.full_clean(exclude=["name_search"])
    contact.save()
    seen: set[str] = set()
    for index, (e164, phone) in enumerate(phones):
        if e164 in seen:
            continue
        seen.add(e164)
        Phone.objects.create(
            contact=contact,
            raw=phone.raw.strip(),
            e164=e164,
            kind=phone.kind,
            is_primary=index == 0,
        )
    for index, address in enumerate(dict.fromkeys(emails)):
        Email.objects.create(contact=contact, address=address, is_primary=index == 0)
    ContactEvent.objects.create(
        contact=contact,
        kind=ContactEvent.Kind.CREATED,
        actor=by,
        summary=f"Added{f' from {source}' if source else ''}",
    )
    return contact
