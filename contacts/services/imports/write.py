"""Writing a planned import in the current transaction: new people, their phones, emails, IDs,
tags and history with COPY; matched people updated in bulk."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Model
from django.db.models.functions import Lower
from django.utils import timezone
from psycopg.types.json import Jsonb

from contacts.models import Contact, ContactEvent, Email, ExternalId, Phone, Tag
from contacts.services.imports.plan import Plan
from contacts.services.imports.spool import (
    EMAIL_COLUMNS,
    ID_COLUMNS,
    PHONE_COLUMNS,
    TAG_COLUMNS,
    NewPeople,
    copy_layout,
    new_ids,
)


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
    sql, defaults = copy_layout(model, columns, with_pk=with_pk)
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        write = copy.write_row
        write(first + defaults)
        for row in rows:
            write(row + defaults)


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


def apply_plan(
    plan: Plan, spool: NewPeople | None = None, *, by, filename: str, source: str
) -> None:
    """Write the plan. Call inside a transaction. ``spool`` holds the people the file's simple
    rows create (triage.py); without one, the plan's new people are spooled here."""
    if spool is None:
        by_id = by.pk if by else None
        with NewPeople(source=source, filename=filename, now=timezone.now(), by_id=by_id) as own:
            _apply(plan, own, filename=filename)
    else:
        _apply(plan, spool, filename=filename)


def _apply(plan: Plan, spool: NewPeople, *, filename: str) -> None:
    now, by_id = spool.now, spool.by_id
    tag_ids = _tag_ids(
        [
            *(t for p in (*plan.to_create, *(p for p, _ in plan.to_update)) for t in p.tags),
            *plan.simple_tags,
        ]
    )
    if plan.to_create:
        for pid, person in zip(new_ids(len(plan.to_create)), plan.to_create, strict=True):
            spool.add(pid, person.fields, person.phones, person.emails, person.ids,
                      person.tags, person.languages)  # fmt: skip
    spool.write(tag_ids=tag_ids)

    out = _Related()
    imported = ContactEvent.Kind.IMPORTED
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
    _copy(Phone, PHONE_COLUMNS, out.phones)
    _copy(Email, EMAIL_COLUMNS, out.emails)
    _copy(ExternalId, ID_COLUMNS, out.ids)
    _copy(Contact.tags.through, TAG_COLUMNS, out.tags)
    _copy(ContactEvent, EVENT_COLUMNS, out.events)
