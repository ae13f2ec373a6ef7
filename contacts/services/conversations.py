"""Logging one-on-ones and lighter interactions; follow-ups.

Every write here runs in one transaction and keeps the person's derived fields
(``Contact.assessment``, ``Contact.last_contacted_at``) in step with its cause. Logging is
idempotent on ``client_token``: a second submit of the same form returns the first record; a
one-on-one identical to one its author saved in the last half hour (the form sent again after
Back, with a fresh token) is returned too, with ``resubmitted`` set. The weak spot: the same
empty log about two different people of the same name, added by one organizer within half an
hour, is taken for one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts import signals
from contacts.models import Assessment, Contact, ContactEvent, FollowUp, Interaction, Issue
from contacts.selectors.conversations import assignable_users, follow_up_for_user
from contacts.services.ladder import activity_record
from contacts.services.people import NewContact, contact_create
from organizer.lib.phones import InvalidPhone, normalize_phone


def _existing_log(client_token: uuid.UUID | None, by) -> Interaction | None:
    if not client_token:
        return None
    existing = Interaction.objects.filter(client_token=client_token).first()
    if existing is not None and existing.author_id != by.pk:
        raise ValidationError(_("This form was already used by someone else. Reload the page."))
    return existing


def _idempotent(client_token: uuid.UUID | None, by, write) -> Interaction:
    """Run ``write()`` in a transaction unless ``client_token`` was already saved; when two
    submits race, the unique constraint stops the second and the first record is returned."""
    existing = _existing_log(client_token, by)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return write()
    except IntegrityError:
        existing = _existing_log(client_token, by)
        if existing is None:
            raise
        return existing


# A form sent again after Back carries a fresh token (the browser refills the fields on a page
# the server rendered anew, and leaves out the phone, which is autocomplete=off). So a log
# identical to one the same author saved moments ago, about the same person (or about a person
# of the same name they just added, whose phone does not contradict it), is that log again.
RESUBMIT_WINDOW = dt.timedelta(minutes=30)


def _just_saved(
    *, by, contact, new_contact, notes: str, ask: str, answer: str, commitment: str
) -> Interaction | None:
    since = timezone.now() - RESUBMIT_WINDOW
    recent = Interaction.objects.filter(
        author_id=by.pk,
        kind=Interaction.Kind.ONE_ON_ONE,
        created_at__gte=since,
        notes=notes.strip(),
        ask=ask.strip(),
        answer=answer or "",
        commitment=commitment.strip(),
    )
    if contact is not None:
        return recent.filter(contact_id=contact.pk).order_by("-created_at").first()
    recent = recent.filter(
        contact__created_by_id=by.pk,
        contact__created_at__gte=since,
        contact__first_name__iexact=new_contact.first_name.strip(),
        contact__last_name__iexact=new_contact.last_name.strip(),
    )
    for phone in new_contact.phones:
        if not phone.raw.strip():
            continue
        try:
            e164 = normalize_phone(phone.raw)
        except InvalidPhone:
            return None  # contact_create reports the bad number
        recent = recent.filter(contact__phones__e164=e164)
    return recent.order_by("-created_at").first()


def _touch_contact(contact: Contact, happened_at: dt.datetime) -> None:
    """``last_contacted_at`` only ever moves forward (a backdated log does not pull it back)."""
    Contact.objects.filter(pk=contact.pk).filter(
        Q(last_contacted_at__isnull=True) | Q(last_contacted_at__lt=happened_at)
    ).update(last_contacted_at=happened_at)


def assessment_record(
    *, by, contact: Contact, level: int, at: dt.datetime, interaction=None
) -> Assessment:
    """Record a dated 1–5 assessment; the person's latest one (by date) becomes their
    assessment, and earlier ones stay as history. Call inside the caller's transaction."""
    assessment = Assessment.objects.create(
        contact=contact, level=level, assessed_at=at, assessed_by=by, interaction=interaction
    )
    latest = (
        Assessment.objects.filter(contact_id=contact.pk)
        .order_by("-assessed_at", "-pk")
        .values_list("level", flat=True)
        .first()
    )
    Contact.objects.filter(pk=contact.pk).update(assessment=latest)
    contact.assessment = latest
    return assessment


def one_on_one_log(
    *,
    by,
    contact: Contact | None = None,
    new_contact: NewContact | None = None,
    allow_duplicate: bool = False,
    happened_at: dt.datetime | None = None,
    medium: str = Interaction.Medium.IN_PERSON,
    notes: str = "",
    issues: Iterable[Issue] = (),
    ask: str = "",
    answer: str = "",
    commitment: str = "",
    assessment: int | None = None,
    follow_up_on: dt.date | None = None,
    follow_up_what: str = "",
    is_sensitive: bool = False,
    client_token: uuid.UUID | None = None,
) -> Interaction:
    """Log a one-on-one with ``contact`` (or a person created from ``new_contact``, owned by
    ``by``), in one save: the interaction, its assessment (which becomes the person's latest),
    its follow-up (assigned to ``by``), the issues (added to the person too) and
    ``last_contacted_at``. The caller has checked that ``by`` may see ``contact``.

    Raises ``ValidationError``/``DuplicateContact`` from ``contact_create`` (nothing is saved).
    """
    if (contact is None) == (new_contact is None):
        raise ValueError("Pass exactly one of contact and new_contact.")
    happened_at = happened_at or timezone.now()
    issues = list(issues)
    if client_token is None or _existing_log(client_token, by) is None:
        again = _just_saved(
            by=by,
            contact=contact,
            new_contact=new_contact,
            notes=notes,
            ask=ask,
            answer=answer,
            commitment=commitment,
        )
        if again is not None:
            again.resubmitted = True
            return again

    def write() -> Interaction:
        person = contact or contact_create(
            by=by, data=new_contact, owner=by, allow_duplicate=allow_duplicate
        )
        interaction = Interaction.objects.create(
            contact=person,
            kind=Interaction.Kind.ONE_ON_ONE,
            happened_at=happened_at,
            medium=medium or "",
            notes=notes.strip(),
            ask=ask.strip(),
            answer=answer or "",
            commitment=commitment.strip(),
            is_sensitive=is_sensitive,
            author=by,
            client_token=client_token,
        )
        if issues:
            interaction.issues.set(issues)
            person.issues.add(*issues)
        if assessment:
            assessment_record(
                by=by, contact=person, level=assessment, at=happened_at, interaction=interaction
            )
        if follow_up_on:
            FollowUp.objects.create(
                contact=person,
                assigned_to=by,
                due_on=follow_up_on,
                what=follow_up_what.strip() or str(_default_follow_up_what(person)),
                interaction=interaction,
                created_by=by,
            )
        _touch_contact(person, happened_at)
        # The ladder: the one-on-one counts for the person (rescored within a minute).
        activity_record(
            contact_id=person.pk,
            kind="one_on_one",
            source="interaction",
            source_id=interaction.pk,
            occurred_at=happened_at,
        )
        signals.one_on_one_logged.send(sender=Interaction, interaction_id=interaction.pk)
        return interaction

    return _idempotent(client_token, by, write)


def _default_follow_up_what(contact: Contact) -> str:
    return _("Follow up with %(name)s") % {"name": contact.display_name}


def interaction_log(
    *,
    by,
    contact: Contact,
    kind: str,
    notes: str = "",
    happened_at: dt.datetime | None = None,
    is_sensitive: bool = False,
    client_token: uuid.UUID | None = None,
    outcome: str = "",
) -> Interaction:
    """Log a lighter touch (call, text, door knock, meeting, other) with ``contact``. A call
    may say how it went (``Interaction.Outcome``); one that reached nobody (no answer, wrong
    number) is recorded but does not count as contact (``last_contacted_at`` stays)."""
    if kind not in Interaction.Kind.values or kind == Interaction.Kind.ONE_ON_ONE:
        raise ValidationError({"kind": _("Pick a call, text, door knock, meeting or other.")})
    if outcome and (kind != Interaction.Kind.CALL or outcome not in Interaction.Outcome.values):
        raise ValidationError({"outcome": _("Pick how the call went.")})
    reached = outcome not in (Interaction.Outcome.NO_ANSWER, Interaction.Outcome.WRONG_NUMBER)
    happened_at = happened_at or timezone.now()

    def write() -> Interaction:
        interaction = Interaction.objects.create(
            contact=contact,
            kind=kind,
            happened_at=happened_at,
            notes=notes.strip(),
            outcome=outcome,
            is_sensitive=is_sensitive,
            author=by,
            client_token=client_token,
        )
        if reached:
            _touch_contact(contact, happened_at)
        # The ladder: a door knock counts for the volunteer who knocked (if they are a person
        # in the database); the person is marked for rescoring either way.
        volunteer_id = Contact.objects.filter(user_id=by.pk).values_list("pk", flat=True).first()
        if kind == Interaction.Kind.DOOR_KNOCK and volunteer_id:
            activity_record(
                contact_id=volunteer_id,
                kind="door_knocked",
                source="interaction",
                source_id=interaction.pk,
                occurred_at=happened_at,
            )
        Contact.objects.filter(pk=contact.pk, needs_rescore=False).update(needs_rescore=True)
        return interaction

    return _idempotent(client_token, by, write)


# --- follow-ups ---------------------------------------------------------------------------------


def _follow_up_event(*, by, follow_up: FollowUp, summary: str, **changes) -> None:
    ContactEvent.objects.create(
        contact_id=follow_up.contact_id,
        kind=ContactEvent.Kind.FOLLOW_UP,
        actor=by,
        summary=summary[:300],
        changes={"follow_up": follow_up.pk, **changes},
    )


@transaction.atomic
def follow_up_complete(*, by, follow_up_id: int) -> FollowUp:
    """Mark a follow-up done. Completing it twice changes nothing the second time."""
    follow_up = follow_up_for_user(by, follow_up_id, for_update=True)
    if follow_up.status != FollowUp.Status.OPEN:
        return follow_up
    follow_up.status = FollowUp.Status.DONE
    follow_up.completed_at = timezone.now()
    follow_up.completed_by = by
    follow_up.save(update_fields=["status", "completed_at", "completed_by"])
    summary = f"Follow-up done: {_event_what(follow_up)}"
    _follow_up_event(by=by, follow_up=follow_up, summary=summary, status="done")
    return follow_up


def _event_what(follow_up: FollowUp) -> str:
    """A follow-up's text as its person's history records it: everyone who sees the person
    reads their history, so a sensitive conversation's follow-up is named, not quoted."""
    sensitive = follow_up.interaction_id and (
        Interaction.objects.filter(pk=follow_up.interaction_id, is_sensitive=True).exists()
    )
    return "(sensitive)" if sensitive else follow_up.what


@transaction.atomic
def follow_up_snooze(*, by, follow_up_id: int, until: dt.date) -> FollowUp:
    """Move an open follow-up to ``until`` (today or later)."""
    follow_up = follow_up_for_user(by, follow_up_id, for_update=True)
    if until < timezone.localdate():
        raise ValidationError({"until": _("Pick today or a later date.")})
    if follow_up.status != FollowUp.Status.OPEN:
        raise ValidationError(_("This follow-up is already closed."))
    before = follow_up.due_on
    if before == until:
        return follow_up
    follow_up.due_on = until
    follow_up.save(update_fields=["due_on"])
    _follow_up_event(
        by=by,
        follow_up=follow_up,
        summary=f"Follow-up moved to {until:%Y-%m-%d}: {_event_what(follow_up)}",
        due_on=[before.isoformat(), until.isoformat()],
    )
    return follow_up


@transaction.atomic
def follow_up_reassign(*, by, follow_up_id: int, to_user_id: int) -> FollowUp:
    """Give an open follow-up to someone who may see the person (staff, or a captain or
    organizer of one of the person's hubs, or the person's organizer)."""
    follow_up = follow_up_for_user(by, follow_up_id, for_update=True)
    if follow_up.status != FollowUp.Status.OPEN:
        raise ValidationError(_("This follow-up is already closed."))
    to_user = assignable_users(follow_up.contact).filter(pk=to_user_id).first()
    if to_user is None:
        raise ValidationError({"assigned_to": _("Pick someone who works with this person.")})
    if to_user.pk == follow_up.assigned_to_id:
        return follow_up
    before = follow_up.assigned_to
    follow_up.assigned_to = to_user
    follow_up.save(update_fields=["assigned_to"])
    _follow_up_event(
        by=by,
        follow_up=follow_up,
        summary=f"Follow-up given to {to_user} (was {before}): {_event_what(follow_up)}",
        assigned_to=[before.pk, to_user.pk],
    )
    return follow_up


def follow_up_create(
    *, by, contact: Contact, assigned_to, due_on: dt.date, what: str = ""
) -> FollowUp:
    """A follow-up about ``contact`` for ``assigned_to`` (who must be able to see them), outside
    a one-on-one (first-timers after an event, for one)."""
    if not assignable_users(contact).filter(pk=assigned_to.pk).exists():
        raise ValidationError(_("%(user)s cannot see this person.") % {"user": assigned_to})
    with transaction.atomic():
        follow_up = FollowUp.objects.create(
            contact=contact,
            assigned_to=assigned_to,
            due_on=due_on,
            what=(what.strip() or str(_default_follow_up_what(contact)))[:300],
            created_by=by,
        )
        _follow_up_event(by=by, follow_up=follow_up, summary=f"Follow-up for {assigned_to}")
    return follow_up
