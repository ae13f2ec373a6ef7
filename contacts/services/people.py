"""Creating and changing people, with phone/email normalization and duplicate detection."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts import signals
from contacts.models import (
    Activity,
    Assessment,
    Contact,
    ContactEvent,
    Email,
    ExportLog,
    ExternalId,
    FollowUp,
    HubMember,
    Interaction,
    Issue,
    LadderMove,
    Phone,
    Relationship,
    Tag,
)
from contacts.services.ladder import activity_remove, recruitment_record
from organizer.lib.csvfiles import csv_lines
from organizer.lib.inserts import insert_with_children, model_fields
from organizer.lib.phones import InvalidPhone, display_phone, normalize_phone


class DuplicateContact(Exception):
    """A person with this phone or email already exists (``matches`` says who)."""

    def __init__(self, matches: list[Contact]):
        self.matches = matches
        super().__init__(_("A person with this phone number or email already exists."))


@dataclass
class PhoneInput:
    raw: str
    kind: str = Phone.Kind.MOBILE


@dataclass
class NewContact:
    """A person to create. The first phone and the first email become the primary ones."""

    first_name: str = ""
    last_name: str = ""
    phones: list[PhoneInput] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # any other Contact field
    tags: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    external_ids: list[tuple[str, str]] = field(default_factory=list)  # (system, value)
    hubs: list = field(default_factory=list)  # hubs.Hub the person belongs to


def normalize_email(value: str) -> str:
    address = (value or "").strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError(
            _("“%(value)s” is not a valid email address.") % {"value": value}, code="email"
        ) from None
    return address


def _match_ids(phones_e164: list[str], emails: list[str]) -> tuple[str, list]:
    """SQL for the ids of people with one of these phones or emails: a ``UNION`` of a lookup
    in the phone index and one in the email index ("" when there is nothing to match)."""
    parts, params = [], []
    if phones_e164:
        parts.append("SELECT contact_id FROM contacts_phone WHERE e164 = ANY(%s)")
        params.append(list(phones_e164))
    if emails:
        parts.append("SELECT contact_id FROM contacts_email WHERE address = ANY(%s)")
        params.append(list(emails))
    return " UNION ".join(parts), params


def find_duplicates(*, phones_e164: list[str], emails: list[str]) -> QuerySet[Contact]:
    """People who already have one of these phone numbers (E.164) or emails (lower-case).

    One statement: the ids from the phone index and the email index (``_match_ids``), then
    the people by primary key. An ``OR`` across the two joins made PostgreSQL scan every
    person, ~100 ms at 10,000 people and seconds at a million."""
    sql, params = _match_ids(phones_e164, emails)
    if not sql:
        return Contact.objects.none()
    return Contact.objects.filter(pk__in=RawSQL(sql, params))  # noqa: S611 (fixed SQL)


def first_match(
    *,
    phones_e164: list[str],
    emails: list[str],
    fields: list[str],
    before: tuple[str, list] | None = None,
) -> Contact | None:
    """The oldest of :func:`find_duplicates`' people, with only ``fields`` loaded (any other
    loads if touched): what the public forms match on every submission, in one statement
    and without the ORM's cost of building it.

    ``before``: ``(sql, params)`` of a statement to run first in the same message (one round
    trip) but as a statement of its own — see :func:`first_match_after`."""
    return first_match_after(
        [before] if before is not None else [],
        phones_e164=phones_e164,
        emails=emails,
        fields=fields,
    )[1]


def first_match_after(
    statements: list[tuple[str, list]],
    *,
    phones_e164: list[str],
    emails: list[str],
    fields: list[str],
) -> tuple[list[tuple], Contact | None]:
    """:func:`first_match` after ``statements`` (``(sql, params)`` each), all in one message:
    one round trip. Returns the rows of the first statement and the match.

    Each statement is a statement of its own: the public forms send the event (or petition)
    they sign up for, then their advisory locks, then the match, whose snapshot is taken once
    the locks are granted, so it sees a person committed by whoever held them."""
    sql, params = _match_ids(phones_e164, emails)
    parts = [statement for statement, _params in statements]
    args = [value for _statement, values in statements for value in values]
    if sql:
        columns, attnames = _match_columns(tuple(fields))
        parts.append(
            f"SELECT {columns} FROM contacts_contact WHERE id IN ({sql}) ORDER BY id LIMIT 1"
        )
        args.extend(params)
    if not parts:
        return [], None
    with connection.cursor() as cursor:
        cursor.execute("; ".join(parts), args)
        first = cursor.fetchall() if statements else []
        while cursor.nextset():  # to the last statement's result (the match)
            pass
        row = cursor.fetchone() if sql else None
    if row is None:
        return first, None
    return first, Contact.from_db(connection.alias, attnames, row)


@functools.cache
def _match_columns(fields: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """The quoted columns and attnames :func:`first_match` reads, once per set of fields."""
    names = model_fields(Contact, fields)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in names)
    return columns, tuple(field.attname for field in names)


def _clean_phones(inputs: list[PhoneInput], errors: dict) -> list[tuple[str, PhoneInput]]:
    """(E.164, input) for every non-blank phone, deduplicated; bad ones go to ``errors``."""
    phones: dict[str, PhoneInput] = {}
    for phone in inputs:
        if not phone.raw.strip():
            continue
        try:
            phones.setdefault(normalize_phone(phone.raw), phone)
        except InvalidPhone as exc:
            errors.setdefault("phone", []).append(str(exc))
    return list(phones.items())


def _clean_emails(inputs: list[str], errors: dict) -> list[str]:
    emails: list[str] = []
    for email in inputs:
        if not email.strip():
            continue
        try:
            emails.append(normalize_email(email))
        except ValidationError as exc:
            errors.setdefault("email", []).extend(exc.messages)
    return list(dict.fromkeys(emails))


def _check_external_ids(contact: Contact | None, ids: list[tuple[str, str]], errors: dict):
    cleaned = list(dict.fromkeys((system, value.strip()) for system, value in ids if value.strip()))
    if not cleaned:  # the usual case (every public sign-up): no query to build
        return cleaned
    taken = ExternalId.objects.none()
    for system, value in cleaned:
        taken |= ExternalId.objects.filter(system=system, value=value)
    if contact is not None:
        taken = taken.exclude(contact=contact)
    for row in taken[:5]:
        errors.setdefault("external_ids", []).append(
            _("%(id)s already belongs to someone else.") % {"id": row}
        )
    return cleaned


# Tags one person may carry, and the longest tag name (the column's length): one request once
# gave a person 3,000 tags.
MAX_TAGS_PER_PERSON = 50
MAX_TAG_LENGTH = 60


def tags_problem(names: list[str]) -> str:
    """Why these tag names cannot be saved on one person ("" when they can)."""
    unique = {n.strip().lower() for n in names if n.strip()}
    if len(unique) > MAX_TAGS_PER_PERSON:
        return _("A person can have at most %(max)s tags (this list has %(n)s).") % {
            "max": MAX_TAGS_PER_PERSON,
            "n": len(unique),
        }
    if any(len(n.strip()) > MAX_TAG_LENGTH for n in names):
        return _("A tag can be at most %(max)s characters long.") % {"max": MAX_TAG_LENGTH}
    return ""


def _resolve_tags(names: list[str]) -> list[Tag]:
    if problem := tags_problem(names):
        raise ValidationError({"tags_text": problem})
    tags: list[Tag] = []
    for name in dict.fromkeys(n.strip() for n in names if n.strip()):
        tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
        tags.append(tag)
    return tags


def _phone_rows(phones: list[tuple[str, PhoneInput]]) -> list[Phone]:
    return [
        Phone(raw=p.raw.strip(), e164=e164, kind=p.kind, is_primary=index == 0)
        for index, (e164, p) in enumerate(phones)
    ]


def _email_rows(emails: list[str]) -> list[Email]:
    return [Email(address=address, is_primary=index == 0) for index, address in enumerate(emails)]


def _write_phones(contact: Contact, phones: list[tuple[str, PhoneInput]]) -> None:
    rows = _phone_rows(phones)
    for row in rows:
        row.contact = contact
    Phone.objects.bulk_create(rows)


def _write_emails(contact: Contact, emails: list[str]) -> None:
    rows = _email_rows(emails)
    for row in rows:
        row.contact = contact
    Email.objects.bulk_create(rows)


def _write_external_ids(contact: Contact, ids: list[tuple[str, str]]) -> None:
    ExternalId.objects.bulk_create(
        ExternalId(contact=contact, system=system, value=value) for system, value in ids
    )


def contact_create(
    *, by, data: NewContact, owner=None, allow_duplicate: bool = False, source: str = ""
) -> Contact:
    """Create a person. Raises ``ValidationError`` for a bad phone/email (nothing is saved) and
    ``DuplicateContact`` when the phone or email belongs to someone already, unless
    ``allow_duplicate``.

    The person, their phones, emails, external ids, hub memberships and the "added" line of
    their history are one SQL statement (``organizer.lib.inserts``), the duplicate check
    included (nothing is written when it finds someone): a public sign-up is one round trip
    here, and needs no savepoint. Tags, issues and a recruiter's ladder credit,
    when given, follow in the same transaction."""
    errors: dict[str, list[str]] = {}
    phones = _clean_phones(data.phones, errors)
    emails = _clean_emails(data.emails, errors)
    external_ids = _check_external_ids(None, data.external_ids, errors)
    if not (data.first_name.strip() or data.last_name.strip() or phones or emails):
        errors.setdefault("first_name", []).append(
            str(_("Enter a name, a phone number or an email."))
        )
    if errors:
        raise ValidationError(errors)
    e164s = [e for e, _p in phones]
    # The duplicate check runs inside the INSERT's statement (no person written if it finds one).
    unless = None if allow_duplicate else _match_ids(e164s, emails)

    contact = Contact(
        first_name=data.first_name.strip(),
        last_name=data.last_name.strip(),
        owner=owner,
        source=source,
        created_by=by,
        updated_by=by,
        **data.extra,
    )
    # Consent to a channel means nothing without the channel (no "Email OK" without an email).
    contact.email_ok = contact.email_ok and bool(emails)
    contact.sms_ok = contact.sms_ok and bool(phones)
    contact.full_clean(exclude=["name_search"])
    contact.name_search = contact.build_name_search()  # what Contact.save() does
    rows = [
        *_phone_rows(phones),
        *_email_rows(emails),
        *(ExternalId(system=system, value=value) for system, value in external_ids),
        *(HubMember(hub=hub) if hasattr(hub, "pk") else HubMember(hub_id=hub) for hub in data.hubs),
        ContactEvent(
            kind=ContactEvent.Kind.CREATED,
            actor=by,
            summary=f"Added{f' from {source}' if source else ''}",
        ),
    ]
    # One transaction with what follows (tags, issues, a recruiter's credit, the webhooks'
    # outbox row): free inside a caller's (a public sign-up's), and a savepoint only for tags
    # and issues.
    with transaction.atomic(savepoint=bool(data.tags or data.issues)):
        guard = unless if unless and unless[0] else None
        created = insert_with_children(contact, rows, unless=guard) is not None
        if created and data.tags:
            contact.tags.set(_resolve_tags(data.tags))
        if created and data.issues:
            contact.issues.set(data.issues)
        if created and contact.recruited_by_id:  # the ladder: the recruiter's "recruited"
            recruitment_record(recruit=contact, recruiter_id=contact.recruited_by_id)
        if created:  # webhooks' outbox (api), in the caller's transaction when there is one
            signals.person_created.send(sender=Contact, contact_ids=[contact.pk])
    if not created:  # raised outside the transaction block: a caller may carry on
        raise DuplicateContact(list(find_duplicates(phones_e164=e164s, emails=emails)[:5]))
    return contact


def _consent_follows_channels(contact: Contact, changes: dict) -> None:
    """After an edit, no email means no "Email OK" and no phone no "Texts OK"."""
    for name, channel in (("email_ok", contact.emails), ("sms_ok", contact.phones)):
        if getattr(contact, name) and not channel.exists():
            setattr(contact, name, False)
            if name in changes and changes[name][0] is False:
                del changes[name]  # ticked without the channel: no change after all
            else:
                changes[name] = [True, False]


def _plain(value) -> object:
    """A JSON-friendly rendering of a field value for the history."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


@transaction.atomic
def contact_update(
    *,
    by,
    contact: Contact,
    fields: dict,
    phones: list[PhoneInput] | None = None,
    emails: list[str] | None = None,
    tags: list[str] | None = None,
    issues: list[Issue] | None = None,
    external_ids: list[tuple[str, str]] | None = None,
) -> Contact:
    """Change a person. ``fields`` are Contact fields; ``None`` for a list leaves it alone.

    Raises ``ValidationError`` (nothing is saved) for a bad phone, email or a taken external id.
    Records one ``ContactEvent(kind=edited)`` with ``changes={field: [old, new]}``."""
    errors: dict[str, list[str]] = {}
    new_phones = _clean_phones(phones, errors) if phones is not None else None
    new_emails = _clean_emails(emails, errors) if emails is not None else None
    new_ids = (
        _check_external_ids(contact, external_ids, errors) if external_ids is not None else None
    )
    if errors:
        raise ValidationError(errors)

    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    changes: dict[str, list] = {}
    for name, new in fields.items():
        model_field = Contact._meta.get_field(name)
        attname = model_field.attname
        old = getattr(contact, attname)
        new_value = new.pk if model_field.is_relation and new is not None else new
        if old != new_value:
            old_label = getattr(contact, name) if model_field.is_relation else old
            changes[name] = [_plain(old_label), _plain(new)]
            setattr(contact, attname, new_value)

    if new_phones is not None:
        old = list(contact.phones.order_by("-is_primary", "pk").values_list("e164", "kind"))
        new = [(e164, p.kind) for e164, p in new_phones]
        if old != new:
            changes["phones"] = [[e for e, _k in old], [e for e, _k in new]]
            contact.phones.all().delete()
            _write_phones(contact, new_phones)
    if new_emails is not None:
        old = list(contact.emails.order_by("-is_primary", "pk").values_list("address", flat=True))
        if old != new_emails:
            changes["emails"] = [old, new_emails]
            contact.emails.all().delete()
            _write_emails(contact, new_emails)
    if new_ids is not None:
        old = sorted(contact.external_ids.values_list("system", "value"))
        if old != sorted(new_ids):
            changes["external_ids"] = [
                [f"{s}:{v}" for s, v in old],
                [f"{s}:{v}" for s, v in new_ids],
            ]
            contact.external_ids.all().delete()
            _write_external_ids(contact, new_ids)
    if tags is not None:
        new_tags = _resolve_tags(tags)
        old = sorted(t.name for t in contact.tags.all())
        if old != sorted(t.name for t in new_tags):
            changes["tags"] = [old, sorted(t.name for t in new_tags)]
            contact.tags.set(new_tags)
    if issues is not None:
        old = sorted(i.name for i in contact.issues.all())
        if old != sorted(i.name for i in issues):
            changes["issues"] = [old, sorted(i.name for i in issues)]
            contact.issues.set(issues)

    _consent_follows_channels(contact, changes)
    if not changes:
        return contact
    contact.updated_by = by
    contact.full_clean(exclude=["name_search"])
    contact.save()
    ContactEvent.objects.create(
        contact=contact,
        kind=ContactEvent.Kind.EDITED,
        actor=by,
        summary=_("Edited %(fields)s") % {"fields": ", ".join(changes)},
        changes=changes,
    )
    if "recruited_by" in changes:  # the ladder: the recruiter's "recruited" activity follows
        recruitment_record(recruit=contact, recruiter_id=contact.recruited_by_id)
    if "membership_status" in changes:  # a milestone reads it
        Contact.objects.filter(pk=contact.pk).update(needs_rescore=True)
    signals.person_updated.send(sender=Contact, contact_id=contact.pk, changes=changes)
    return contact


# Fields a merge can take from the removed person (the kept person's values win otherwise).
MERGE_FIELDS = [
    "first_name",
    "last_name",
    "preferred_name",
    "pronouns",
    "languages",
    "street",
    "unit",
    "city",
    "state",
    "zip_code",
    "latitude",
    "longitude",
    "neighborhood",
    "employer",
    "union",
    "membership_status",
    "member_since",
    "dues",
    "email_ok",
    "sms_ok",
    "owner",
    "source",
]


def _is_ancestor(ancestor_pk: int, contact_pk: int | None, *, limit: int = 100) -> bool:
    """Whether ``ancestor_pk`` is ``contact_pk`` or up its recruited-by chain."""
    seen = 0
    while contact_pk is not None and seen < limit:
        if contact_pk == ancestor_pk:
            return True
        contact_pk = (
            Contact.objects.filter(pk=contact_pk).values_list("recruited_by_id", flat=True).first()
        )
        seen += 1
    return False


# Merge steps other apps supply (``hubs`` moves doors, residences and workplace-map places):
# contacts cannot import those models (the layering is accounts → hubs base → contacts → hubs),
# so ``hubs`` registers a function here from its ``AppConfig.ready``. Each step runs inside the
# merge transaction with ``keep=`` and ``remove=`` (both locked) and returns ``{what: moved}``.
MergeStep = Callable[..., "dict[str, int] | None"]
_MERGE_STEPS: list[MergeStep] = []


def register_merge_step(step: MergeStep) -> MergeStep:
    """Run ``step(keep=…, remove=…)`` in every merge, before ``remove`` is deleted."""
    if step not in _MERGE_STEPS:
        _MERGE_STEPS.append(step)
    return step


@transaction.atomic
def contact_merge(*, by, keep: Contact, remove: Contact, take: list[str] | tuple = ()) -> Contact:
    """Merge ``remove`` into ``keep`` and delete ``remove``, losing no history.

    Phones and emails (deduplicated), interactions, assessments, follow-ups, events,
    relationships (deduplicated, never to oneself), external ids, hub memberships, tags, issues
    and recruits move to ``keep``. Fields named in ``take`` get ``remove``'s value; an opt-out
    (do not contact) is never lost. Derived fields are recomputed and a ``merged`` event records
    what happened."""
    if keep.pk == remove.pk:
        raise ValidationError(_("A person cannot be merged with themselves."))
    unknown = set(take) - set(MERGE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    locked = {
        c.pk: c for c in Contact.objects.select_for_update().filter(pk__in=[keep.pk, remove.pk])
    }
    keep, remove = locked[keep.pk], locked[remove.pk]
    summary = {"merged_id": remove.pk, "merged_name": remove.display_name, "fields": {}}

    for name in take:
        model_field = Contact._meta.get_field(name)
        old, new = getattr(keep, model_field.attname), getattr(remove, model_field.attname)
        if old != new:
            summary["fields"][name] = [_plain(getattr(keep, name)), _plain(getattr(remove, name))]
            setattr(keep, model_field.attname, new)
    keep.do_not_contact = keep.do_not_contact or remove.do_not_contact
    keep.do_not_call = keep.do_not_call or remove.do_not_call
    keep.created_at = min(keep.created_at, remove.created_at)
    if keep.owner_id is None:
        keep.owner_id = remove.owner_id
    if keep.user_id is None and remove.user_id is not None:
        keep.user_id, remove.user_id = remove.user_id, None
        remove.save(update_fields=["user"])

    # Phones and emails: move the ones keep lacks, as secondary; keep one primary.
    Phone.objects.filter(contact=remove, e164__in=keep.phones.values("e164")).delete()
    Phone.objects.filter(contact=remove).update(contact=keep, is_primary=False)
    Email.objects.filter(contact=remove, address__in=keep.emails.values("address")).delete()
    Email.objects.filter(contact=remove).update(contact=keep, is_primary=False)
    for model in (Phone, Email):
        rows = model.objects.filter(contact=keep)
        if not rows.filter(is_primary=True).exists():
            first = rows.order_by("pk").first()
            if first is not None:
                rows.filter(pk=first.pk).update(is_primary=True)

    moved = {
        "interactions": Interaction.objects.filter(contact=remove).update(contact=keep),
        "assessments": Assessment.objects.filter(contact=remove).update(contact=keep),
        "follow_ups": FollowUp.objects.filter(contact=remove).update(contact=keep),
        "events": ContactEvent.objects.filter(contact=remove).update(contact=keep),
        "external_ids": ExternalId.objects.filter(contact=remove).update(contact=keep),
        # The ladder: activity and stage history follow the person; keep is rescored.
        "activities": Activity.objects.filter(contact=remove).update(contact=keep),
        "ladder_moves": LadderMove.objects.filter(contact=remove).update(contact=keep),
    }
    keep.needs_rescore = True

    # Relationships: drop links between the two and links keep already has, then move.
    Relationship.objects.filter(
        Q(from_contact=remove, to_contact=keep) | Q(from_contact=keep, to_contact=remove)
    ).delete()
    Relationship.objects.filter(from_contact=remove).filter(
        Exists(
            Relationship.objects.filter(
                from_contact=keep, to_contact=OuterRef("to_contact"), kind=OuterRef("kind")
            )
        )
    ).delete()
    Relationship.objects.filter(to_contact=remove).filter(
        Exists(
            Relationship.objects.filter(
                to_contact=keep, from_contact=OuterRef("from_contact"), kind=OuterRef("kind")
            )
        )
    ).delete()
    moved["relationships"] = Relationship.objects.filter(from_contact=remove).update(
        from_contact=keep
    ) + Relationship.objects.filter(to_contact=remove).update(to_contact=keep)

    HubMember.objects.filter(
        contact=remove, hub_id__in=keep.hub_memberships.values("hub_id")
    ).delete()
    moved["hubs"] = HubMember.objects.filter(contact=remove).update(contact=keep)
    for step in _MERGE_STEPS:
        moved.update(step(keep=keep, remove=remove) or {})
    keep.tags.add(*remove.tags.all())
    keep.issues.add(*remove.issues.all())

    # Recruitment: remove's recruits now hang off keep; never make keep its own recruiter.
    moved["recruits"] = (
        Contact.objects.filter(recruited_by=remove).exclude(pk=keep.pk).update(recruited_by=keep)
    )
    if keep.recruited_by_id == remove.pk:
        keep.recruited_by_id = remove.recruited_by_id
    if keep.recruited_by_id is None and remove.recruited_by_id not in (None, keep.pk):
        keep.recruited_by_id = remove.recruited_by_id
    if keep.recruited_by_id is not None and _is_ancestor(keep.pk, keep.recruited_by_id):
        keep.recruited_by_id = None

    latest = Assessment.objects.filter(contact=keep).order_by("-assessed_at", "-pk").first()
    keep.assessment = latest.level if latest else None
    keep.last_contacted_at = Interaction.objects.filter(contact=keep).aggregate(
        last=Max("happened_at")
    )["last"]
    keep.updated_by = by
    remove.delete()
    keep.save()
    activity_remove(kind=Activity.Kind.RECRUITED, source="recruitment", source_id=remove.pk)
    recruitment_record(recruit=keep, recruiter_id=keep.recruited_by_id)
    summary["moved"] = moved
    ContactEvent.objects.create(
        contact=keep,
        kind=ContactEvent.Kind.MERGED,
        actor=by,
        summary=_("Merged %(name)s (#%(pk)s) into this person")
        % {"name": summary["merged_name"], "pk": summary["merged_id"]},
        changes=summary,
    )
    return keep


RECRUITED_BY = "recruited_by"  # the other person recruited this one
RECRUITED = "recruited"  # this person recruited the other


@transaction.atomic
def relationship_add(*, by, contact: Contact, other: Contact, kind: str) -> None:
    """Link two people: a ``Relationship.Kind`` (knows), or recruitment in either direction."""
    if contact.pk == other.pk:
        raise ValidationError(_("A person cannot be linked to themselves."))
    if kind in (RECRUITED_BY, RECRUITED):
        recruit, recruiter = (contact, other) if kind == RECRUITED_BY else (other, contact)
        if _is_ancestor(recruit.pk, recruiter.pk):
            raise ValidationError(
                _("%(a)s is already in %(b)s's recruitment tree.")
                % {"a": recruiter.display_name, "b": recruit.display_name}
            )
        old = recruit.recruited_by
        Contact.objects.filter(pk=recruit.pk).update(recruited_by=recruiter, updated_by=by)
        recruitment_record(recruit=recruit, recruiter_id=recruiter.pk)
        ContactEvent.objects.create(
            contact=recruit,
            kind=ContactEvent.Kind.EDITED,
            actor=by,
            summary=_("Recruited by %(name)s") % {"name": recruiter.display_name},
            changes={"recruited_by": [_plain(old), _plain(recruiter)]},
        )
        return
    if kind not in Relationship.Kind.values:
        raise ValidationError(_("Choose a kind of relationship."))
    _row, created = Relationship.objects.get_or_create(
        from_contact=contact, to_contact=other, kind=kind, defaults={"created_by": by}
    )
    if created:
        ContactEvent.objects.create(
            contact=contact,
            kind=ContactEvent.Kind.EDITED,
            actor=by,
            summary=_("%(kind)s: %(name)s")
            % {"kind": Relationship.Kind(kind).label, "name": other.display_name},
            changes={"relationships": [None, f"{kind}:{other.pk}"]},
        )


# --- Export --------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    "id",
    "first_name",
    "last_name",
    "preferred_name",
    "pronouns",
    "languages",
    "phone",
    "other_phones",
    "email",
    "other_emails",
    "street",
    "unit",
    "city",
    "state",
    "zip_code",
    "neighborhood",
    "employer",
    "union",
    "membership_status",
    "member_since",
    "email_ok",
    "sms_ok",
    "do_not_contact",
    "tags",
    "issues",
    "hubs",
    "organizer",
    "source",
    "assessment",
    "last_contacted_at",
    "created_at",
]


_MINUTE = "%Y-%m-%d %H:%M"


def _local_minute(value) -> str:
    """A timestamp in the chapter's time zone (``TIME_ZONE``), to the minute."""
    return timezone.localtime(value).strftime(_MINUTE) if value else ""


def _export_row(c: Contact, yes_no: tuple[str, str]) -> list:
    phones = [display_phone(p.e164) for p in c.phones.all()]
    emails = [e.address for e in c.emails.all()]
    yes, no = yes_no
    return [
        c.pk,
        c.first_name,
        c.last_name,
        c.preferred_name,
        c.pronouns,
        ", ".join(c.languages),
        phones[0] if phones else "",
        "; ".join(phones[1:]),
        emails[0] if emails else "",
        "; ".join(emails[1:]),
        c.street,
        c.unit,
        c.city,
        c.state,
        c.zip_code,
        c.neighborhood,
        c.employer,
        c.union,
        c.membership_status,
        c.member_since or "",
        yes if c.email_ok else no,
        yes if c.sms_ok else no,
        yes if c.do_not_contact else no,
        ", ".join(t.name for t in c.tags.all()),
        ", ".join(i.name for i in c.issues.all()),
        ", ".join(m.hub.name for m in c.hub_memberships.all()),
        str(c.owner) if c.owner else "",
        c.source,
        c.assessment or "",
        _local_minute(c.last_contacted_at),
        _local_minute(c.created_at),
    ]


def people_export(*, by, qs: QuerySet[Contact], query: str = "") -> Iterator[str]:
    """Record the export, then stream ``qs`` (already scoped and filtered) as CSV lines.

    Phones are written in national format for the default region (``(212) 555-0100``), other
    countries' numbers internationally (``+44 20 7946 0958``), both without an apostrophe;
    times in the chapter's time zone to the minute; the organizer by name; yes/no as Yes and No
    (in the reader's language). Every cell goes through the one CSV escaper, which leaves phone
    shapes as they are and escapes formulas."""
    qs = (
        qs.order_by("last_name", "first_name", "pk")
        .select_related("owner")
        .prefetch_related(
            Prefetch("phones", queryset=Phone.objects.order_by("-is_primary", "pk")),
            Prefetch("emails", queryset=Email.objects.order_by("-is_primary", "pk")),
            "tags",
            "issues",
            Prefetch("hub_memberships", queryset=HubMember.objects.select_related("hub")),
        )
    )
    ExportLog.objects.create(user=by, what="people", query=query[:1000], row_count=qs.count())
    # Translated now, in the request's language: the rows are written later, while streaming.
    return _csv_lines(qs, (str(_("Yes")), str(_("No"))))


def _csv_lines(qs: QuerySet[Contact], yes_no: tuple[str, str]) -> Iterator[str]:
    rows = (_export_row(contact, yes_no) for contact in qs.iterator(chunk_size=1000))
    return csv_lines(itertools.chain([EXPORT_COLUMNS], rows), bom=True)
