"""Recording what happened at the doors of a walk list.

A tap is idempotent on its ``client_token``: a phone that lost its signal sends its queued taps
again when it is back, and the same token always answers with the same ``DoorResult``.

When someone came to the door (talked, signed, refused, come back later), the result also
becomes a door-knock ``Interaction`` on the person — the chosen one, or every resident of the
door when nobody was chosen. Not home, moved and inaccessible stay door results only: nobody was
reached, and logging them would mark the residents as recently contacted.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Contact, Interaction
from contacts.selectors.access import contacts_for_user
from contacts.services.conversations import interaction_log
from contacts.services.people import NewContact, PhoneInput, contact_create
from hubs.models import DoorResult, Residence, TurfDoor, TurfPiece
from hubs.selectors.walk import residents_for_user
from organizer.lib.phones import InvalidPhone, normalize_phone

Result = DoorResult.Result

# Someone came to the door: the result is a conversation with a person.
REACHED = frozenset({Result.TALKED, Result.SIGNED, Result.REFUSED, Result.COME_BACK})
# A phone's clock may run a little ahead; a tap "from the future" beyond this is taken as now.
CLOCK_SLACK = dt.timedelta(minutes=5)
# The same bare result on the same door by the same person this close together is one tap
# tapped twice (a double tap, or a tap sent again with a new token), not a second visit.
DOUBLE_TAP = dt.timedelta(seconds=10)


@dataclass
class NewPerson:
    """Someone met at the door, not on the list yet."""

    first_name: str = ""
    last_name: str = ""
    phone: str = ""

    def __bool__(self) -> bool:
        return bool(self.first_name.strip() or self.last_name.strip() or self.phone.strip())


def tap_time(at: dt.datetime | None, *, now: dt.datetime | None = None) -> dt.datetime:
    """When the tap happened: the phone's time, unless missing or too far in the future."""
    now = now or timezone.now()
    if at is None:
        return now
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    return now if at > now + CLOCK_SLACK else at


def _existing(client_token: uuid.UUID | None, by) -> DoorResult | None:
    if not client_token:
        return None
    existing = DoorResult.objects.filter(client_token=client_token).first()
    if existing is not None and existing.by_id != by.pk:
        raise ValidationError(_("This tap was already sent by someone else. Reload the page."))
    return existing


def door_result_record(
    *,
    by,
    piece: TurfPiece,
    door: TurfDoor,
    result: str,
    note: str = "",
    contact: Contact | None = None,
    new_person: NewPerson | None = None,
    client_token: uuid.UUID | None = None,
    at: dt.datetime | None = None,
) -> DoorResult:
    """Record ``result`` at ``door`` of ``piece`` (the caller loaded the piece through
    ``piece_for_user``). ``contact`` must live at the door and be someone the walk list may
    name to ``by`` (``residents_for_user``: a tap never writes to the timeline of a person the
    walker may not see); ``new_person`` is someone met at the door, added as a resident (see
    :func:`door_person_add`). The same ``client_token`` returns the first record and writes
    nothing, also when two sends race; so does the same bare result (no note, no person) by
    the same user within ``DOUBLE_TAP`` of an earlier one (the door row is locked to decide
    it)."""
    if result not in Result.values:
        raise ValidationError({"result": _("Pick a result.")})
    if door.piece_id != piece.pk:
        raise ValidationError(_("This door is not on this walk list any more."))
    existing = _existing(client_token, by)
    if existing is not None:
        return existing
    happened_at = tap_time(at)

    def write() -> DoorResult:
        bare = not note.strip() and contact is None and not new_person
        if bare:
            TurfDoor.objects.select_for_update().filter(pk=door.pk).first()
            twice = _double_tap(by=by, door=door, result=result, at=happened_at)
            if twice is not None:
                return twice
        person = contact
        if new_person:
            person = door_person_add(by=by, piece=piece, door=door, person=new_person)
        elif person is not None and not (
            _residents(door, by=by, piece=piece).filter(pk=person.pk).exists()
        ):
            # The same answer for "lives elsewhere" and "lives here but is not yours to see".
            raise ValidationError({"contact": _("Pick someone who lives at this door.")})
        people = [person] if person else list(_residents(door, by=by, piece=piece))
        interactions = [
            interaction_log(
                by=by,
                contact=someone,
                kind=Interaction.Kind.DOOR_KNOCK,
                notes=_interaction_notes(result, note),
                happened_at=happened_at,
            )
            for someone in (people if result in REACHED else [])
        ]
        return DoorResult.objects.create(
            unit_id=door.unit_id,
            door=door,
            piece=piece,
            contact=person or (people[0] if len(people) == 1 else None),
            result=result,
            note=note.strip(),
            at=happened_at,
            by=by,
            interaction=interactions[0] if interactions else None,
            client_token=client_token,
        )

    try:
        with transaction.atomic():
            return write()
    except IntegrityError:
        existing = _existing(client_token, by)
        if existing is None:
            raise
        return existing


def _double_tap(*, by, door: TurfDoor, result: str, at: dt.datetime) -> DoorResult | None:
    return (
        DoorResult.objects.filter(
            door_id=door.pk, by_id=by.pk, result=result, note="",
            at__gte=at - DOUBLE_TAP, at__lte=at + DOUBLE_TAP,
        )
        .order_by("at", "pk")
        .first()
    )  # fmt: skip


def _residents(door: TurfDoor, *, by, piece: TurfPiece):
    """The residents of ``door`` the walk list names to ``by`` (a queryset, in pk order)."""
    visible = residents_for_user(by, piece).values("pk")
    return Contact.objects.filter(residences__unit_id=door.unit_id, pk__in=visible).order_by("pk")


def _interaction_notes(result: str, note: str) -> str:
    label = str(Result(result).label)
    return f"{label}. {note.strip()}" if note.strip() else label


@transaction.atomic
def door_person_add(*, by, piece: TurfPiece, door: TurfDoor, person: NewPerson) -> Contact:
    """Add someone met at ``door`` as a resident of its unit.

    A phone number that belongs to someone the user may see (or to someone already living at
    this door) attaches that person instead of creating a new one. A number that belongs to
    someone the user may not see creates a new person anyway (``allow_duplicate``): saying
    "this number is taken" would tell a volunteer about people outside their scope, and the
    data team merges duplicates later. The new person is owned by ``by`` (so a volunteer can
    follow up) and joins the piece's hub, with the door's address.
    """
    phone = person.phone.strip()
    existing = None
    if phone:
        try:
            e164 = normalize_phone(phone)
        except InvalidPhone as exc:
            raise ValidationError({"phone": str(exc)}) from None
        at_door = _residents(door, by=by, piece=piece)
        existing = (
            at_door.filter(phones__e164=e164).first()
            or contacts_for_user(by).filter(phones__e164=e164).order_by("pk").first()
        )
    if existing is None:
        building = door.unit.building
        existing = contact_create(
            by=by,
            data=NewContact(
                first_name=person.first_name,
                last_name=person.last_name,
                phones=[PhoneInput(phone)] if phone else [],
                extra={
                    "street": f"{building.street_number} {building.street}".strip(),
                    "unit": door.unit.label,
                    "city": building.city,
                    "state": building.state,
                    "zip_code": building.zip_code,
                },
                hubs=[piece.turf.hub],
            ),
            owner=by,
            allow_duplicate=True,
            source="door knock",
        )
    Residence.objects.get_or_create(contact=existing, unit_id=door.unit_id)
    return existing


def paper_token(batch: uuid.UUID, door_id: int) -> uuid.UUID:
    """The token of one row of a paper-results form: submitting the form twice saves once."""
    return uuid.uuid5(batch, f"door:{door_id}")


@transaction.atomic
def paper_results_record(
    *,
    by,
    piece: TurfPiece,
    rows: list[tuple[TurfDoor, str, str]],
    batch_token: uuid.UUID,
    at: dt.datetime | None = None,
) -> int:
    """Save the filled rows of a paper walk list, all or none: (door, result, note) each,
    through :func:`door_result_record`. Returns how many rows were saved."""
    for door, result, note in rows:
        door_result_record(
            by=by,
            piece=piece,
            door=door,
            result=result,
            note=note,
            client_token=paper_token(batch_token, door.pk),
            at=at,
        )
    return len(rows)
