"""Petitions and their signatures, from the four places people sign: the public page, a door
of the campaign's turf, an event's sign-in and a paper sheet.

The guarantee: one person is one signature per petition (``signature_one_per_person``), however
many times and from however many places they sign. The person is matched or created with the
RSVP's :func:`person_match_or_create` (advisory locks on the normalized phone and email); the
signature itself is an ``INSERT … ON CONFLICT DO NOTHING`` so two racing sources never raise.
The first signature stays: its source, time, collector and recruiter are kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns import signals
from campaigns.models import Campaign, Petition, Signature
from campaigns.selectors.petitions import signup_petition_from_rows, signup_petition_query
from campaigns.services.rsvps import (
    RsvpInput,
    _normalized,
    person_create,
    person_lock_and_match,
)
from contacts.models import Activity, Contact
from contacts.services.ladder import activity_for_new_row, activity_record, activity_recorded
from organizer.lib.inserts import insert_or_update

# Stored with each signature exactly as shown.
CONTACT_CONSENT_TEXT = gettext_lazy(
    "Yes, keep me posted about this campaign and other actions by phone, text or email. "
    "Message and data rates may apply. Reply STOP to stop texts."
)
PAPER_MAX_ROWS = 60


def petition_create(*, by, campaign: Campaign, **fields) -> Petition:
    with transaction.atomic():
        petition = Petition(campaign=campaign, created_by=by, **fields)
        petition.full_clean()
        petition.save()
    return petition


def petition_update(*, by, petition: Petition, **fields) -> Petition:
    with transaction.atomic():
        for name, value in fields.items():
            setattr(petition, name, value)
        petition.full_clean()
        petition.save()
    return petition


def signature_record(
    *,
    petition: Petition,
    contact: Contact,
    source: str,
    by=None,
    recruiter_id: int | None = None,
    consent_text: str = "",
    at: dt.datetime | None = None,
) -> tuple[Signature, bool]:
    """The person's signature on the petition: recorded once (the first stays); returns
    ``(signature, created)``. Signing counts on their ladder."""
    at = at or timezone.now()
    if recruiter_id == contact.pk:
        recruiter_id = None  # nobody recruits themselves
    # One statement in the caller's transaction (or in one of its own), no savepoint: the
    # signature (``ON CONFLICT DO NOTHING``: a racing signer of the same person is a no-op,
    # never an error) with its ladder activity. A second signature reads the first.
    with transaction.atomic(savepoint=False):
        signature, created, _ids = insert_or_update(
            Signature(
                petition=petition,
                contact=contact,
                source=source,
                signed_at=at,
                collected_by=by if getattr(by, "pk", None) else None,
                recruited_by_id=recruiter_id,
                consent_text=consent_text[:400],
                consent_at=at if consent_text else None,
            ),
            conflict=["petition", "contact"],
            then=activity_for_new_row(
                contact_id=contact.pk,
                kind=Activity.Kind.PETITION_SIGNED,
                source="signature",
                occurred_at=at,
            ),
        )
        if not created:
            return Signature.objects.get(petition=petition, contact=contact), False
        activity_recorded(contact.pk)
        signals.signature_created.send(sender=Signature, signature_id=signature.pk)
    return signature, True


@dataclass
class SignerInput:
    first_name: str
    last_name: str = ""
    phone: str = ""
    email: str = ""
    street: str = ""
    zip_code: str = ""
    consent: bool = False


def _hub_id_of(petition: Petition) -> int | None:
    """The hub new signers join: the campaign's first (``signup_petition_query`` reads it
    with the petition, so the public form needs no query for it)."""
    if hasattr(petition, "signer_hub_id"):
        return petition.signer_hub_id
    return petition.campaign.hubs.order_by("pk").values_list("pk", flat=True).first()


def petition_sign(
    *,
    petition: Petition | None = None,
    petition_id: int | None = None,
    data: SignerInput,
    source: str = Signature.Source.ONLINE,
    by=None,
    recruiter_id: int | None = None,
    at: dt.datetime | None = None,
) -> tuple[Signature, bool]:
    """Someone signs (the public page, or a paper sheet's row): match or create them by phone
    or email, then record their signature once. The petition is ``petition``, or the public
    petition ``petition_id`` (404 when there is none), read in the same message as the
    person's locks and match."""
    if petition is not None and not petition.is_public and source == Signature.Source.ONLINE:
        raise ValidationError(_("This petition is closed."))
    phone, email = _normalized(
        RsvpInput(first_name=data.first_name, phone=data.phone, email=data.email)
    )
    consent = str(CONTACT_CONSENT_TEXT)[:400] if data.consent else ""
    with transaction.atomic():
        if petition is None:
            rows, contact = person_lock_and_match(
                phone, email, read=signup_petition_query(petition_id)
            )
            petition = signup_petition_from_rows(rows)  # public, or 404
        else:
            _rows, contact = person_lock_and_match(phone, email)
        if contact is None:
            contact, _created = person_create(
                first_name=data.first_name.strip(),
                last_name=data.last_name.strip(),
                phone=phone,
                email=email,
                hub_id=_hub_id_of(petition),
                source=f"Petition: {petition.title}",
                recruiter_id=recruiter_id,
                sms_ok=data.consent and bool(phone),
                address={
                    "street": data.street.strip()[:200],
                    "zip_code": data.zip_code.strip()[:10],
                },
            )
        return signature_record(
            petition=petition,
            contact=contact,
            source=source,
            by=by,
            recruiter_id=recruiter_id,
            consent_text=consent,
            at=at,
        )


# --- paper sheets -------------------------------------------------------------------------------


def _split_name(name: str) -> tuple[str, str]:
    first, _sep, last = " ".join(name.split()).partition(" ")
    return first[:100], last[:100]


@dataclass
class PaperRow:
    row: dict
    match: Contact | None = None
    error: str = ""


def paper_preview(rows: list[dict]) -> list[PaperRow]:
    """Each typed line with the person it would be matched to (a possible duplicate, shown
    before saving) or the reason it cannot be read."""
    from contacts.services.people import find_duplicates

    out = []
    for row in rows[:PAPER_MAX_ROWS]:
        try:
            phone, email = _normalized(
                RsvpInput(first_name=row["name"], phone=row["phone"], email=row["email"])
            )
        except ValidationError as exc:
            out.append(PaperRow(row, error=" ".join(exc.messages)))
            continue
        match = (
            find_duplicates(phones_e164=[phone] if phone else [], emails=[email] if email else [])
            .order_by("pk")
            .first()
        )
        out.append(PaperRow(row, match=match))
    return out


def paper_sheet_record(*, by, petition: Petition, rows: list[dict]) -> int:
    """Record a typed paper sheet, credited to its collector (``by``): each line is matched or
    created and signs once. All or nothing. Returns how many signatures are new."""
    if len(rows) > PAPER_MAX_ROWS:
        raise ValidationError(_("A sheet has at most %(n)s lines.") % {"n": PAPER_MAX_ROWS})
    new: list[Signature] = []
    with transaction.atomic():
        for row in rows:
            first, last = _split_name(row["name"])
            signature, created = petition_sign(
                petition=petition,
                data=SignerInput(
                    first_name=first,
                    last_name=last,
                    phone=row.get("phone", ""),
                    email=row.get("email", ""),
                    street=row.get("street", ""),
                    zip_code=row.get("zip_code", ""),
                ),
                source=Signature.Source.PAPER,
                by=by,
            )
            if created:
                new.append(signature)
        collector = Contact.objects.filter(user_id=by.pk).values_list("pk", flat=True).first()
        if collector and new:  # one activity per sheet, keyed on its first new signature
            activity_record(
                contact_id=collector,
                kind=Activity.Kind.SIGNATURES,
                source="paper_sheet",
                source_id=new[0].pk,
                quantity=len(new),
            )
    return len(new)
