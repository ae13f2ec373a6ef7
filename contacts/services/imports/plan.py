"""Planning an import: group the file's rows into people, match them with the people already in
Organizer, and work out what each would gain. Reads only; ``write.apply_plan`` does the writes.

Matching: an external ID (VAN, Action Network, …) identifies a person on its own; without one,
the phone (E.164) and email (lower-case) must point at one person at most. A matched person is
only ever added to: blank fields are filled, new phones/emails/tags/ids are added, nothing is
overwritten or deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

import psycopg
from django.db import connection
from django.utils.translation import gettext as _

from contacts.models import Contact, Email, ExternalId, Phone, Tag
from contacts.services.imports.columns import SYSTEMS, TEXT_FIELDS
from contacts.services.imports.parse import Row
from contacts.services.imports.spool import table
from organizer.lib.csvfiles import Rejection


@dataclass(slots=True)
class Person:
    """The rows of the file that are one person, merged (earlier rows win on conflicts)."""

    rows: list[Row]
    fields: dict[str, object] = field(default_factory=dict)
    phones: dict[str, tuple[str, str]] = field(default_factory=dict)
    emails: list[str] = field(default_factory=list)
    ids: list[tuple[str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    contact_id: int | None = None  # the existing person it matched

    def add(self, row: Row) -> None:
        if not self.rows:  # the usual case: one row, one person (a row holds no duplicates)
            self.rows.append(row)  # its values are shared until a second row is merged in
            self.fields, self.phones = row.fields, row.phones
            self.emails, self.ids = row.emails, row.ids
            self.tags, self.languages = row.tags, row.languages
            return
        if len(self.rows) == 1:  # copy before merging, so the first row keeps its own values
            self.fields, self.phones = dict(self.fields), dict(self.phones)
            self.emails, self.ids = list(self.emails), list(self.ids)
            self.tags, self.languages = list(self.tags), list(self.languages)
        self.rows.append(row)
        for name, value in row.fields.items():
            self.fields.setdefault(name, value)
        for e164, typed in row.phones.items():
            self.phones.setdefault(e164, typed)
        self.emails.extend(e for e in row.emails if e not in self.emails)
        self.ids.extend(i for i in row.ids if i not in self.ids)
        self.tags.extend(t for t in row.tags if t not in self.tags)
        self.languages.extend(x for x in row.languages if x not in self.languages)

    @property
    def lines(self) -> list[int]:
        return [row.line for row in self.rows]


@dataclass
class Plan:
    total_rows: int = 0
    to_create: list[Person] = field(default_factory=list)
    to_update: list[tuple[Person, dict]] = field(default_factory=list)  # with its changes
    unchanged: list[Person] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    current: dict[int, dict] = field(default_factory=dict)  # matched people's current fields
    primaries: set[tuple[str, int]] = field(default_factory=set)  # ("phone"|"email", contact)
    simple: int = 0  # new people spooled as the file was read (triage.py, spool.py)
    simple_tags: list[str] = field(default_factory=list)  # the spooled people's tags

    @property
    def created_count(self) -> int:
        return len(self.to_create) + self.simple


def _keys(row_or_person) -> tuple[list[tuple], list[tuple]]:
    ids = [("id", *key) for key in row_or_person.ids]
    others = [("phone", e) for e in row_or_person.phones] + [
        ("email", a) for a in row_or_person.emails
    ]
    return ids, others


def _conflicting_id(ids: list[tuple[str, str]], existing: Iterable[tuple[str, str]]) -> str:
    """The first system where ``ids`` hold a value and ``existing`` a different one."""
    mine = dict(ids)
    for system, value in existing:
        if system in mine and mine[system] != value:
            return SYSTEMS[system]
    return ""


def group_rows(rows: list[Row], rejections: list[Rejection]) -> list[Person]:
    """Rows for the same person (shared external ID, phone or email) become one person."""
    people: list[Person] = []
    index: dict[tuple, int] = {}
    for row in rows:
        if row.ids:
            id_keys, other_keys = _keys(row)
            hits = {index[k] for k in id_keys if k in index}
        else:  # the usual case, without building the key lists when nothing can match
            id_keys, hits = [], set()
            other_keys = [("phone", e) for e in row.phones]
            other_keys.extend(("email", a) for a in row.emails)
        reason = ""
        if len(hits) > 1:
            lines = ", ".join(str(people[h].lines[0]) for h in sorted(hits))
            reason = _("Has the IDs of two different people in this file (lines %(lines)s).") % {
                "lines": lines
            }
        elif not hits:
            hits = {index[k] for k in other_keys if k in index}
            if len(hits) > 1:
                lines = ", ".join(str(people[h].lines[0]) for h in sorted(hits))
                reason = _(
                    "Its phone and email belong to two different people in this file "
                    "(lines %(lines)s)."
                ) % {"lines": lines}
            elif hits:
                person = people[next(iter(hits))]
                if system := _conflicting_id(row.ids, person.ids):
                    reason = _(
                        "Same phone or email as line %(line)s but a different %(system)s."
                    ) % {"line": person.lines[0], "system": system}
        if reason:
            rejections.append(Rejection(row.line, reason, []))  # cells: read back later
            continue
        if hits:
            number = next(iter(hits))
        else:
            number = len(people)
            people.append(Person(rows=[]))
        people[number].add(row)
        for key in id_keys + other_keys:
            index.setdefault(key, number)
    return people


def _chunks(values: list, size: int = 20000) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _fetch(sql: str, values: list, *extra) -> list[tuple]:
    """Run ``sql`` (ending in ``= ANY(%s)``) over ``values``, in chunks, in the current
    transaction. Server-side binding sends each chunk as one array parameter."""
    if not values:
        return []
    connection.ensure_connection()
    found: list[tuple] = []
    with psycopg.Cursor(connection.connection) as cursor:
        for chunk in _chunks(values, 50000):
            cursor.execute(sql, [*extra, chunk])
            found.extend(cursor.fetchall())
    return found


def _existing_indexes(people: list[Person]) -> tuple[dict, dict]:
    """Who already has each external ID / phone / email of the file (a few queries)."""
    owners: dict[tuple, set[int]] = {}
    by_system: dict[str, set[str]] = {}
    for person in people:
        for system, value in person.ids:
            by_system.setdefault(system, set()).add(value)
    for system, values in by_system.items():
        sql = (
            f"SELECT value, contact_id FROM {table(ExternalId)} "
            "WHERE system = %s AND value = ANY(%s)"
        )
        for value, contact_id in _fetch(sql, sorted(values), system):
            owners.setdefault(("id", system, value), set()).add(contact_id)
    phones = sorted({e for p in people for e in p.phones})
    sql = f"SELECT e164, contact_id FROM {table(Phone)} WHERE e164 = ANY(%s)"
    for e164, contact_id in _fetch(sql, phones):
        owners.setdefault(("phone", e164), set()).add(contact_id)
    emails = sorted({a for p in people for a in p.emails})
    sql = f"SELECT address, contact_id FROM {table(Email)} WHERE address = ANY(%s)"
    for address, contact_id in _fetch(sql, emails):
        owners.setdefault(("email", address), set()).add(contact_id)
    return owners, by_system


def _names(contact_ids: Iterable[int]) -> str:
    people = Contact.objects.filter(pk__in=list(contact_ids)).order_by("pk")[:5]
    return ", ".join(f"#{c.pk} {c.display_name}" for c in people)


SCALAR_FIELDS = (*TEXT_FIELDS, "membership_status", "member_since", "languages", "source")


def _changes(person: Person, current: dict, owners: dict) -> dict:
    """What this import adds to an existing person (never overwrites, never deletes)."""
    contact_id = current["id"]
    changes: dict = {}
    fields = {}
    for name, value in person.fields.items():
        if name == "source":
            continue
        blank = current[name] in ("", None) or (
            name == "membership_status" and current[name] == Contact.Membership.NOT_MEMBER
        )
        if blank and value != current[name]:
            fields[name] = value.isoformat() if isinstance(value, date) else value
    if fields:
        changes["fields"] = fields
    languages = [x for x in person.languages if x not in current["languages"]]
    if languages:
        changes["languages"] = languages
    for kind, values in (("phones", person.phones), ("emails", person.emails)):
        key_kind = kind[:-1]
        new = [v for v in values if contact_id not in owners.get((key_kind, v), ())]
        if new:
            changes[kind] = new
    new_ids = [
        f"{system}:{value}"
        for system, value in person.ids
        if contact_id not in owners.get(("id", system, value), ())
    ]
    if new_ids:
        changes["ids"] = new_ids
    new_tags = [t for t in person.tags if t.casefold() not in current["tags"]]
    if new_tags:
        changes["tags"] = new_tags
    return changes


def plan_people(rows: list[Row], plan: Plan) -> None:
    """Group ``rows`` into people, match them with the people already in Organizer and work
    out what each would gain, into ``plan``."""
    people = group_rows(rows, plan.rejections)
    owners, _indexes = _existing_indexes(people)
    matched, ambiguous = _match(people, owners, plan)
    if ambiguous:
        names = {n: _names(hits) for n, hits in ambiguous.items()}
        for number, hits in ambiguous.items():
            reason = _(
                "Matches %(count)s different people already in Organizer (%(names)s); "
                "merge them first or fix the row."
            ) % {"count": len(hits), "names": names[number]}
            for row in people[number].rows:
                plan.rejections.append(Rejection(row.line, reason[:300], []))
    _plan_updates(matched, owners, plan)


def _hits(person: Person, owners: dict) -> set[int]:
    """The people already in Organizer this one matches: by external ID first, else by phone
    and email."""
    no_owner: set[int] = set()
    hits: set[int] = set()
    if person.ids:
        id_keys, other_keys = _keys(person)
        hits = hits.union(*(owners.get(k, no_owner) for k in id_keys))
        if not hits:
            hits = hits.union(*(owners.get(k, no_owner) for k in other_keys))
        return hits
    for e164 in person.phones:  # the usual case: no external ID, phones and emails decide
        hits |= owners.get(("phone", e164), no_owner)
    for address in person.emails:
        hits |= owners.get(("email", address), no_owner)
    return hits


def _match(
    people: list[Person], owners: dict, plan: Plan
) -> tuple[dict[int, Person], dict[int, set[int]]]:
    """New people go to ``plan.to_create``; returns the matched (by contact: rows that reach
    one person by different keys, a phone here and an email there, are merged) and the
    ambiguous (by person number: the people each matches)."""
    matched: dict[int, Person] = {}
    ambiguous: dict[int, set[int]] = {}
    for number, person in enumerate(people):
        hits = _hits(person, owners)
        if len(hits) > 1:
            ambiguous[number] = hits
        elif not hits:
            plan.to_create.append(person)
        elif (contact_id := next(iter(hits))) in matched:
            for row in person.rows:
                matched[contact_id].add(row)
        else:
            person.contact_id = contact_id
            matched[contact_id] = person
    return matched, ambiguous


def _plan_updates(matched: dict[int, Person], owners: dict, plan: Plan) -> None:
    """What each matched person gains (or why the rows are rejected)."""
    contact_ids = sorted(matched)
    plan.current = _current(contact_ids)
    ids_of: dict[int, list[tuple[str, str]]] = {}
    sql = f"SELECT contact_id, system, value FROM {table(ExternalId)} WHERE contact_id = ANY(%s)"
    for contact_id, system, value in _fetch(sql, contact_ids):
        ids_of.setdefault(contact_id, []).append((system, value))
    for kind, model in (("phone", Phone), ("email", Email)):
        sql = f"SELECT contact_id FROM {table(model)} WHERE is_primary AND contact_id = ANY(%s)"
        plan.primaries.update((kind, row[0]) for row in _fetch(sql, contact_ids))
    for person in matched.values():
        if system := _conflicting_id(person.ids, ids_of.get(person.contact_id, [])):
            reason = _(
                "Its phone or email belongs to %(names)s, who has a different %(system)s."
            ) % {"names": _names([person.contact_id]), "system": system}
            for row in person.rows:
                plan.rejections.append(Rejection(row.line, reason[:300], []))
            continue
        changes = _changes(person, plan.current[person.contact_id], owners)
        if changes:
            plan.to_update.append((person, changes))
        else:
            plan.unchanged.append(person)


def _current(contact_ids: list[int]) -> dict[int, dict]:
    """The current values of the matched people (and their tags, folded)."""
    columns = ", ".join(
        connection.ops.quote_name(Contact._meta.get_field(name).column) for name in SCALAR_FIELDS
    )
    sql = f"SELECT id, {columns} FROM {table(Contact)} WHERE id = ANY(%s)"
    current = {
        row[0]: {"id": row[0], **dict(zip(SCALAR_FIELDS, row[1:], strict=True)), "tags": set()}
        for row in _fetch(sql, contact_ids)
    }
    through = Contact.tags.through
    sql = (
        f"SELECT ct.contact_id, t.name FROM {table(through)} ct "
        f"JOIN {table(Tag)} t ON t.id = ct.tag_id WHERE ct.contact_id = ANY(%s)"
    )
    for contact_id, name in _fetch(sql, contact_ids):
        current[contact_id]["tags"].add(name.casefold())
    return current
