"""Placing a whole roster on a workplace map at once.

A roster is a CSV file or rows pasted from a spreadsheet (tab-separated), with a header line:
name (or first and last name), phone, email, department, shift. ``roster_plan`` reads it
(through the contacts app's one CSV reader) and says what will happen to every row, touching
nothing; ``roster_apply`` does it in one transaction.

People are matched by phone and email with the contacts app's person matcher
(``find_duplicates``), among the people the user may see; a row with neither is matched by
name among the coworkers already on this map (so a roster placed twice places everyone once).
Anyone else is created, as a member of the hub. A match the user may not see is not revealed:
the row creates a new person, as at the door, and the data team merges duplicates later.
Departments and shifts are matched by name at the chosen worksite; new names are added.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from contacts.models import Contact
from contacts.selectors.access import contacts_for_user
from contacts.services.imports.columns import header_key
from contacts.services.imports.read import checked_header
from contacts.services.people import (
    NewContact,
    PhoneInput,
    contact_create,
    find_duplicates,
    normalize_email,
)
from hubs.models import Department, Hub, Placement, Shift, Worksite
from hubs.services.workplace import WorkplaceError, _require_workplace, placement_save
from organizer.lib.csvfiles import CsvFileError, read_table
from organizer.lib.phones import InvalidPhone, display_phone, normalize_phone
from organizer.lib.text import fold

ROSTER_MAX_BYTES = 512 * 1024
ROSTER_MAX_ROWS = 1000

COLUMNS = {
    "name": {"name", "fullname", "coworker", "worker", "employee", "employeename"},
    "first_name": {"firstname", "first", "givenname"},
    "last_name": {"lastname", "last", "surname", "familyname"},
    "phone": {"phone", "phonenumber", "mobile", "cell", "cellphone", "mobilephone"},
    "email": {"email", "emailaddress", "mail"},
    "department": {"department", "dept", "area"},
    "shift": {"shift"},
}
LIMITS = {"name": 200, "first_name": 100, "last_name": 100, "phone": 40, "email": 254,
          "department": 120, "shift": 60}  # fmt: skip


class RosterError(WorkplaceError):
    """The roster as a whole cannot be read (too big, not a table, no usable columns)."""


@dataclass
class RosterRow:
    line: int
    first_name: str = ""
    last_name: str = ""
    phone: str = ""  # E.164
    email: str = ""
    department: str = ""
    shift: str = ""
    contact: Contact | None = None  # the person matched, None for a new one
    action: str = ""  # "new", "place", "move", "unchanged" or "reject"
    reasons: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        if self.contact is not None:
            return self.contact.display_name
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def phone_display(self) -> str:
        return display_phone(self.phone) if self.phone else ""

    @property
    def rejected(self) -> bool:
        return self.action == "reject"


@dataclass
class RosterPlan:
    worksite: Worksite
    rows: list[RosterRow]
    new_departments: list[str]
    new_shifts: list[str]
    text: str = ""  # the roster as read, to show again in the form

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def count_new(self) -> int:
        return self.count("new")

    @property
    def count_place(self) -> int:
        return self.count("place")

    @property
    def count_move(self) -> int:
        return self.count("move")

    @property
    def count_unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def placed(self) -> int:
        """Rows that put someone on the map or move them (new people included)."""
        return sum(1 for row in self.rows if row.action in ("new", "place", "move"))

    @property
    def rejections(self) -> list[RosterRow]:
        return [row for row in self.rows if row.rejected]


def _split_name(full: str) -> tuple[str, str]:
    if "," in full:  # "Alvarez, Ana"
        last, _comma, first = full.partition(",")
        return first.strip(), last.strip()
    first, _space, last = full.strip().rpartition(" ")
    return (first.strip(), last) if first else (last, "")


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        key = header_key(name)
        for column, aliases in COLUMNS.items():
            if key in aliases:
                found.setdefault(column, index)
    if not ({"name", "first_name", "last_name", "phone", "email"} & set(found)):
        raise RosterError(
            _(
                "No name, phone or email column was found. The first line should name the "
                "columns, e.g. Name, Phone, Email, Department, Shift."
            )
        )
    return found


def _parse_row(line: int, cells: list[str], columns: dict[str, int]) -> RosterRow:
    def cell(column: str) -> str:
        index = columns.get(column)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    row = RosterRow(line)
    values = {column: cell(column) for column in COLUMNS}
    for column, value in values.items():
        if len(value) > LIMITS[column]:
            row.reasons.append(
                _("%(column)s is longer than %(limit)s characters.")
                % {"column": column.replace("_", " ").capitalize(), "limit": LIMITS[column]}
            )
    if row.reasons:
        return row
    first, last = values["first_name"], values["last_name"]
    if values["name"] and not (first or last):
        first, last = _split_name(values["name"])
    row.first_name, row.last_name = first[:100], last[:100]
    row.department, row.shift = values["department"], values["shift"]
    if values["phone"]:
        try:
            row.phone = normalize_phone(values["phone"])
        except InvalidPhone as exc:
            row.reasons.append(str(exc))
    if values["email"]:
        try:
            row.email = normalize_email(values["email"])
        except ValidationError as exc:
            row.reasons.extend(exc.messages)
    if not (row.first_name or row.last_name or row.phone or row.email or row.reasons):
        row.reasons.append(_("No name, phone or email."))
    return row


def read_roster(content: bytes) -> tuple[list[RosterRow], str]:
    """The roster's rows, each parsed and checked on its own, and its text; :class:`RosterError`
    when the whole roster cannot be read."""
    if len(content) > ROSTER_MAX_BYTES:
        raise RosterError(
            _("The roster is larger than %(kb)s KB. Place it in parts.")
            % {"kb": ROSTER_MAX_BYTES // 1024}
        )
    try:  # through the project's one CSV reader
        table = read_table(content, kind="rosters")
        header = checked_header(table.header)
    except CsvFileError as exc:
        raise RosterError(str(exc)) from None
    records = table.records
    if len(records) > ROSTER_MAX_ROWS:
        raise RosterError(
            _("The roster has %(rows)s rows; place at most %(limit)s at a time.")
            % {"rows": len(records), "limit": ROSTER_MAX_ROWS}
        )
    columns = _columns(header)
    text = content.decode(table.encoding, "replace")
    return [_parse_row(line, cells, columns) for line, cells in records], text


def _visible_matches(user, rows: list[RosterRow]) -> tuple[dict, dict]:
    """People the user may see with the roster's phones and emails: {e164: {id}}, {email: {id}}
    (one query, through ``find_duplicates``)."""
    phones = sorted({row.phone for row in rows if row.phone})
    emails = sorted({row.email for row in rows if row.email})
    by_phone: dict[str, set[int]] = {}
    by_email: dict[str, set[int]] = {}
    if not (phones or emails):
        return by_phone, by_email
    people = (
        find_duplicates(phones_e164=phones, emails=emails)
        .filter(pk__in=contacts_for_user(user).values("pk"))
        .prefetch_related("phones", "emails")
    )
    for person in people:
        for phone in person.phones.all():
            if phone.e164 in phones:
                by_phone.setdefault(phone.e164, set()).add(person)
        for email in person.emails.all():
            if email.address in emails:
                by_email.setdefault(email.address, set()).add(person)
    return by_phone, by_email


def _match(row: RosterRow, by_phone: dict, by_email: dict, on_map: dict) -> None:
    found = by_phone.get(row.phone, set()) | by_email.get(row.email, set())
    if len(found) > 1:
        names = ", ".join(sorted(person.display_name for person in found))
        row.reasons.append(
            _(
                "The phone and email belong to different people (%(names)s): place them "
                "one at a time."
            )
            % {"names": names}
        )
    elif found:
        row.contact = found.pop()
    elif not (row.phone or row.email):
        row.contact = on_map.get(fold(f"{row.first_name} {row.last_name}"))


def roster_plan(*, by, hub: Hub, worksite: Worksite, content: bytes) -> RosterPlan:
    """What placing this roster at ``worksite`` would do, row by row. Writes nothing."""
    _require_workplace(hub)
    if worksite.hub_id != hub.pk:
        raise WorkplaceError(_("That worksite belongs to another hub."))
    rows, text = read_roster(content)
    by_phone, by_email = _visible_matches(by, [row for row in rows if not row.reasons])
    placements = {
        p.contact_id: p
        for p in Placement.objects.filter(hub=hub).select_related("contact", "department", "shift")
    }
    on_map = {fold(p.contact.display_name): p.contact for p in placements.values()}
    departments = {fold(d.name): d.name for d in worksite.departments.all()}
    shifts = {fold(s.name): s.name for s in worksite.shifts.all()}
    new_departments: dict[str, str] = {}
    new_shifts: dict[str, str] = {}
    seen: dict[object, int] = {}
    for row in rows:
        if not row.reasons:
            _match(row, by_phone, by_email, on_map)
        keys = [("contact", row.contact.pk)] if row.contact else []
        keys += [("phone", row.phone)] if row.phone else []
        keys += [("email", row.email)] if row.email else []
        earlier = next((seen[key] for key in keys if key in seen), None)
        if earlier is not None and not row.reasons:
            row.reasons.append(_("Same person as line %(line)s.") % {"line": earlier})
        if row.contact is None and not (row.first_name or row.last_name) and not row.reasons:
            row.reasons.append(_("Nobody you can see has this phone or email: add a name."))
        if row.reasons:
            row.action = "reject"
            continue
        for key in keys:
            seen.setdefault(key, row.line)
        # Department and shift names as the worksite spells them (new ones as typed).
        if row.department:
            key = fold(row.department)
            if key not in departments:
                new_departments.setdefault(key, row.department)
            row.department = departments.get(key) or new_departments[key]
        if row.shift:
            key = fold(row.shift)
            if key not in shifts:
                new_shifts.setdefault(key, row.shift)
            row.shift = shifts.get(key) or new_shifts[key]
        row.action = _action(row, placements.get(row.contact.pk) if row.contact else None, worksite)
    return RosterPlan(
        worksite, rows, list(new_departments.values()), list(new_shifts.values()), text
    )


def _action(row: RosterRow, placement: Placement | None, worksite: Worksite) -> str:
    if row.contact is None:
        return "new"
    if placement is None:
        return "place"
    where = (placement.worksite_id, str(placement.department or ""), str(placement.shift or ""))
    return "unchanged" if where == (worksite.pk, row.department, row.shift) else "move"


@transaction.atomic
def roster_apply(*, by, hub: Hub, plan: RosterPlan) -> RosterPlan:
    """Place every row of ``plan`` that is not rejected, all in one transaction: new
    departments and shifts, new people (members of the hub), placements (each one in the
    person's history through :func:`placement_save`)."""
    worksite = plan.worksite
    departments = {fold(d.name): d for d in worksite.departments.all()}
    shifts = {fold(s.name): s for s in worksite.shifts.all()}
    for name in plan.new_departments:
        departments[fold(name)] = Department.objects.create(worksite=worksite, name=name)
    for name in plan.new_shifts:
        shifts[fold(name)] = Shift.objects.create(worksite=worksite, name=name)
    for row in plan.rows:
        if row.action in ("reject", "unchanged"):
            continue
        if row.contact is None:
            row.contact = contact_create(
                by=by,
                data=NewContact(
                    first_name=row.first_name,
                    last_name=row.last_name,
                    phones=[PhoneInput(row.phone)] if row.phone else [],
                    emails=[row.email] if row.email else [],
                    hubs=[hub],
                ),
                allow_duplicate=True,
                source="workplace roster",
            )
        placement_save(
            by=by,
            hub=hub,
            contact=row.contact,
            worksite=worksite,
            department=departments.get(fold(row.department)) if row.department else None,
            shift=shifts.get(fold(row.shift)) if row.shift else None,
        )
    return plan
