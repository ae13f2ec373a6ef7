"""Writing a planned import in the current transaction: new people, their phones, emails, IDs,
tags and history with COPY; matched people updated in bulk."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection
from django.db.models import Model
from django.db.models.functions import Lower
from django.utils import timezone
from psycopg.types.json import Jsonb

from contacts.models import Contact, ContactEvent, Email, ExternalId, Phone, Tag
from contacts.services.imports import stage
from contacts.services.imports.plan import Plan, table
from contacts.services.people import consent_follows_channels
from organizer.lib.text import fold

# COPY sends text for the column type to parse, so an empty array can go as its literal: much
# cheaper than adapting an empty list for every row.
_EMPTY_ARRAY = "{}"


def _copy_default(f) -> object:
    default = f.get_default()
    if f.get_internal_type() == "JSONField":
        return Jsonb(default)
    if f.get_internal_type() == "ArrayField" and default == []:
        return _EMPTY_ARRAY
    return default


def _copy(
    model: type[Model], columns: Sequence[str], rows: Iterable[tuple], *, with_pk: bool = False
) -> None:
    """Write ``rows`` (tuples of values for ``columns``, attribute names) with COPY, in the
    current transaction: the fast path for big imports. The model's other columns get their
    field's default, the same for every row; JSON values come wrapped in ``Jsonb``."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    given = [model._meta.get_field(name) for name in columns]
    given_names = {f.attname for f in given}
    rest = [
        f
        for f in model._meta.concrete_fields
        if f.attname not in given_names
        and not getattr(f, "generated", False)
        and (with_pk or not f.primary_key)
    ]
    defaults = tuple(_copy_default(f) for f in rest)
    names = ", ".join(connection.ops.quote_name(f.column) for f in (*given, *rest))
    sql = f"COPY {table(model)} ({names}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        write = copy.write_row
        write(first + defaults)
        for row in rows:
            write(row + defaults)


def _new_ids(count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(  # one array rather than a row per id
            "SELECT array_agg(nextval(pg_get_serial_sequence(%s, 'id'))) "
            "FROM generate_series(1, %s)",
            [Contact._meta.db_table, count],
        )
        return cursor.fetchone()[0]


def _tag_ids(names: Iterable[str]) -> dict[str, int]:
    """Tag ids by folded name, creating the tags that do not exist yet (case-insensitively)."""
    wanted = {name.casefold(): name for name in names}
    if not wanted:
        return {}
    existing = {
        t.name.casefold(): t.pk
        for t in Tag.objects.annotate(lower=Lower("name")).filter(lower__in=list(wanted))
    }
    missing = [Tag(name=name) for key, name in wanted.items() if key not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {
            t.name.casefold(): t.pk
            for t in Tag.objects.annotate(lower=Lower("name")).filter(lower__in=list(wanted))
        }
    return existing


@dataclass
class _Related:
    """Rows to COPY into the tables around a contact."""

    phones: list[tuple] = field(default_factory=list)  # PHONE_COLUMNS
    emails: list[tuple] = field(default_factory=list)  # EMAIL_COLUMNS
    ids: list[tuple] = field(default_factory=list)  # ID_COLUMNS
    tags: list[tuple] = field(default_factory=list)  # TAG_COLUMNS
    events: list[tuple] = field(default_factory=list)  # EVENT_COLUMNS


PHONE_COLUMNS = ("contact_id", "raw", "e164", "kind", "is_primary")
EMAIL_COLUMNS = ("contact_id", "address", "is_primary")
ID_COLUMNS = ("contact_id", "system", "value")
TAG_COLUMNS = ("contact_id", "tag_id")
EVENT_COLUMNS = ("contact_id", "kind", "at", "actor_id", "summary", "changes")


def _related(
    contact_id: int,
    phones: dict[str, tuple[str, str]],
    emails: Iterable[str],
    ids: Iterable[tuple[str, str]],
    tags: Iterable[str],
    *,
    plan: Plan,
    tag_ids: dict,
    out: _Related,
) -> None:
    """The phones, emails, IDs and tags to add for one person (only what is new)."""
    if phones:
        is_primary = ("phone", contact_id) not in plan.primaries
        for e164, (raw, kind) in phones.items():
            out.phones.append((contact_id, raw, e164, kind, is_primary))
            is_primary = False
    if emails:
        is_primary = ("email", contact_id) not in plan.primaries
        for address in emails:
            out.emails.append((contact_id, address, is_primary))
            is_primary = False
    for system, value in ids:
        out.ids.append((contact_id, system, value))
    for name in tags:
        out.tags.append((contact_id, tag_ids[name.casefold()]))


@lru_cache(maxsize=100_000)
def _folded(part: str) -> str:
    return fold(part)


def _name_search(first: str, preferred: str, last: str) -> str:
    """``Contact.build_name_search`` for a new person, folding each part once per import:
    names repeat (many Marias, many Garcias), and folding works character by character, so
    the folded parts joined by a space are the folded whole."""
    return " ".join(f for f in (_folded(first), _folded(preferred), _folded(last)) if f)


def _new_contacts(new_ids, defaults, plan: Plan, tag_ids, source, now, by_id, out: _Related):
    """The COPY rows of the new people, in ``new_ids`` order (their related rows into ``out``)."""
    for contact_id, person in zip(new_ids, plan.to_create, strict=True):
        get = person.fields.get
        yield (
            contact_id,
            *[get(name, default) for name, default in defaults],
            person.languages or _EMPTY_ARRAY,
            str(get("source") or source)[:120],
            _name_search(
                str(get("first_name", "")),
                str(get("preferred_name", "")),
                str(get("last_name", "")),
            ),
            now,
            now,
            by_id,
            by_id,
        )
        if person.phones or person.emails or person.ids or person.tags:
            _related(
                contact_id,
                person.phones,
                person.emails,
                person.ids,
                person.tags,
                plan=plan,
                tag_ids=tag_ids,
                out=out,
            )


def _created_events(new_ids: list[int], *, now, by_id, summary: str) -> None:
    """One "imported" history entry per new person, in one set-based statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table(ContactEvent)} (contact_id, kind, at, actor_id, summary, changes) "
            "SELECT id, %s, %s, %s, %s, '{}'::jsonb FROM unnest(%s::bigint[]) AS id",
            [ContactEvent.Kind.IMPORTED, now, by_id, summary, new_ids],
        )


def apply_plan(plan: Plan, *, by, filename: str, source: str) -> None:
    """Write the plan. Call inside a transaction."""
    now = timezone.now()
    simple_tags = stage.simple_tags() if plan.simple else []
    tag_ids = _tag_ids(
        [
            *(t for p in (*plan.to_create, *(p for p, _ in plan.to_update)) for t in p.tags),
            *simple_tags,
        ]
    )
    by_id = by.pk if by else None
    out = _Related()
    imported = ContactEvent.Kind.IMPORTED
    created_summary = f"Imported from {filename}"[:300]
    source = source[:120]

    if plan.to_create:
        new_ids = _new_ids(len(plan.to_create))
        # Only the fields some new person has; the others get their defaults in _copy.
        present: dict[str, None] = {}
        for person in plan.to_create:
            present.update(dict.fromkeys(person.fields))
        present.pop("source", None)
        names = tuple(present)
        defaults = [(name, Contact._meta.get_field(name).get_default()) for name in names]
        columns = (
            "id",
            *names,
            "languages",
            "source",
            "name_search",
            "created_at",
            "updated_at",
            "created_by_id",
            "updated_by_id",
        )
        # Streamed into COPY (no list of a million tuples); phones, emails, IDs and tags are
        # gathered on the way.
        _copy(Contact, columns, _new_contacts(new_ids, defaults, plan, tag_ids, source, now,
                                              by_id, out), with_pk=True)  # fmt: skip
        _created_events(new_ids, now=now, by_id=by_id, summary=created_summary)

    updated: list[Contact] = []
    update_fields: set[str] = set()
    summary = f"Updated from import {filename}"[:300]
    for person, changes in plan.to_update:
        contact_id = person.contact_id
        current = plan.current[contact_id]
        if "fields" in changes or "languages" in changes:
            values = {k: v for k, v in current.items() if k not in ("id", "tags")}
            contact = Contact(pk=contact_id, **values)
            for name in changes.get("fields", {}):
                setattr(contact, name, person.fields[name])
                update_fields.add(name)
            if "languages" in changes:
                contact.languages = [*current["languages"], *changes["languages"]]
                update_fields.add("languages")
            contact.name_search = contact.build_name_search()
            contact.updated_at, contact.updated_by_id = now, by_id
            updated.append(contact)
        _related(
            contact_id,
            {e: person.phones[e] for e in changes.get("phones", [])},
            changes.get("emails", []),
            [tuple(i.split(":", 1)) for i in changes.get("ids", [])],
            changes.get("tags", []),
            plan=plan,
            tag_ids=tag_ids,
            out=out,
        )
        out.events.append((contact_id, imported, now, by_id, summary, Jsonb(changes)))
    if updated:
        fields = [*sorted(update_fields), "name_search", "updated_at", "updated_by"]
        Contact.objects.bulk_update(updated, fields, batch_size=2000)

    if plan.simple:
        stage.insert_simple(
            now=now,
            by_id=by_id,
            source=source,
            summary=created_summary,
            tag_ids={name: tag_ids[name.casefold()] for name in simple_tags},
        )
    _copy(Phone, PHONE_COLUMNS, out.phones)
    _copy(Email, EMAIL_COLUMNS, out.emails)
    _copy(ExternalId, ID_COLUMNS, out.ids)
    _copy(Contact.tags.through, TAG_COLUMNS, out.tags)
    _copy(ContactEvent, EVENT_COLUMNS, out.events)
    # No "Email OK" without an email, no "Texts OK" without a phone.
    created = (new_ids if plan.to_create else []) + (stage.simple_new_ids() if plan.simple else [])
    consent_follows_channels(contact_ids=created)
