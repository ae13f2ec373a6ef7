"""CSV import of people: reading, column mapping, preview, matching, the job and its report.

The flow, for the browser and ``manage.py import_contacts`` alike:

1. ``import_create`` reads the uploaded bytes (encoding, delimiter, header), detects the column
   mapping and stores everything as an ``ImportJob`` with ``dry_run=True``: a preview nobody
   has confirmed yet.
2. ``import_preview`` shows what would happen (a dry run: no writes).
3. ``import_start`` saves the (adjusted) mapping, flips ``dry_run`` off and enqueues the task
   after commit. The task calls ``import_run``.
4. ``import_run`` claims the job (``pending`` → ``running``, a conditional UPDATE, so running it
   twice imports once), plans every row with a handful of set-based queries, and writes the whole
   import in ONE transaction with COPY: it either finishes or leaves the database as it was.
   Progress goes through a separate connection so the page can show it while the transaction
   is open.

Matching: an external ID (VAN, Action Network, …) identifies a person on its own; without one,
the phone (E.164) and email (lower-case) must point at one person at most. A matched person is
only ever added to: blank fields are filled, new phones/emails/tags/ids are added, nothing is
overwritten or deleted. A row with any bad value (phone, email, date, …) is rejected whole, with
its line number and the reason, rather than imported without the bad value.
"""

from __future__ import annotations

import csv
import gc
import io
import logging
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

import psycopg
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from psycopg.types.json import Jsonb

from contacts.models import (
    Contact,
    ContactEvent,
    Email,
    ExternalId,
    ImportJob,
    ImportRejection,
    Phone,
    Tag,
)
from contacts.services.people import consent_follows_channels, normalize_email
from organizer.lib.phones import InvalidPhone, normalize_phone
from organizer.lib.text import fold

logger = logging.getLogger(__name__)


class ImportFileError(Exception):
    """The file cannot be imported; the message says why, for a person to read."""


# --- Targets: what a column can be mapped to ------------------------------------------------

IGNORE = "ignore"
TEXT_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "pronouns",
    "street",
    "unit",
    "city",
    "state",
    "zip_code",
    "neighborhood",
    "employer",
    "union",
)
SYSTEMS = dict(ExternalId.System.choices)
TARGETS: list[tuple[str, object]] = [  # labels are lazy: translated when shown
    (IGNORE, gettext_lazy("— ignore this column —")),
    ("first_name", gettext_lazy("First name")),
    ("last_name", gettext_lazy("Last name")),
    ("full_name", gettext_lazy("Full name (split into first and last)")),
    ("preferred_name", gettext_lazy("Preferred name")),
    ("pronouns", gettext_lazy("Pronouns")),
    ("phone", gettext_lazy("Phone")),
    ("phone2", gettext_lazy("Second phone")),
    ("email", gettext_lazy("Email")),
    ("email2", gettext_lazy("Second email")),
    ("street", gettext_lazy("Street address")),
    ("unit", gettext_lazy("Unit / apartment")),
    ("city", gettext_lazy("City")),
    ("state", gettext_lazy("State")),
    ("zip_code", gettext_lazy("ZIP code")),
    ("neighborhood", gettext_lazy("Neighborhood")),
    ("employer", gettext_lazy("Employer / workplace")),
    ("union", gettext_lazy("Union")),
    ("membership_status", gettext_lazy("Membership status")),
    ("member_since", gettext_lazy("Member since (date)")),
    ("tags", gettext_lazy("Tags (separated by commas)")),
    ("languages", gettext_lazy("Languages (separated by commas)")),
    *((f"id:{system}", format_lazy("ID — {}", label)) for system, label in SYSTEMS.items()),
    ("source", gettext_lazy("Source")),
]
TARGET_LABELS = dict(TARGETS)
NAME_PHONE_EMAIL = {"first_name", "last_name", "full_name", "phone", "phone2", "email", "email2"}

# Header names (folded, letters and digits only) that map to each target.
ALIASES: dict[str, str] = {
    "first_name": "firstname first givenname fname forename nombre",
    "last_name": "lastname last surname familyname lname apellido apellidos",
    "full_name": "name fullname contactname personname displayname",
    "preferred_name": "preferredname nickname goesby",
    "pronouns": "pronouns pronoun",
    "phone": (
        "phone phonenumber can2phone cell cellphone cellnumber cellphonenumber mobile "
        "mobilephone mobilenumber homephone workphone preferredphone primaryphone "
        "telephone tel telefono smsnumber phone2 secondphone otherphone alternatephone"
    ),
    "email": (
        "email emailaddress mail primaryemail personalemail workemail preferredemail "
        "correo correoelectronico email2 secondemail otheremail alternateemail"
    ),
    "street": (
        "address street streetaddress address1 addressline1 addr1 can2useraddress "
        "can2address mailingaddress homeaddress direccion"
    ),
    "unit": "unit apt apartment address2 addressline2 addr2 suite aptunit",
    "city": "city town can2usercity ciudad",
    "state": "state stateprovince province can2state can2stateabbreviated",
    "zip_code": "zip zipcode zip5 postalcode postcode postal zippostalcode",
    "neighborhood": "neighborhood neighbourhood barrio",
    "employer": "employer workplace company employername worksite",
    "union": "union unionlocal local",
    "membership_status": "membershipstatus memberstatus membership",
    "member_since": "membersince joindate joined datejoined memberjoindate",
    "tags": "tags tag labels",
    "languages": "languages language languagesspoken preferredlanguage idioma",
    "source": "source sourcecode",
    "id:van": "vanid van myvotersvanid mycampaignvanid",
    "id:action_network": "actionnetworkid uuid anid actionnetworkuuid",
    "id:mobilize": "mobilizeid personid mobilizepersonid",
    "id:solidarity_tech": "solidaritytechid stid",
    "id:member_number": "membernumber memberid membershipnumber memberno akid",
    "id:other": "externalid",
}
_ALIAS_TO_TARGET = {a: target for target, aliases in ALIASES.items() for a in aliases.split()}
_SECOND = {"phone": "phone2", "email": "email2"}
_NOT_ALNUM = re.compile(r"[^a-z0-9]")


def header_key(name: str) -> str:
    """``"First Name"``, ``"first_name"`` and ``" FIRST-NAME "`` all become ``"firstname"``."""
    return _NOT_ALNUM.sub("", fold(name))


def detect_format(header: list[str]) -> str:
    keys = {header_key(h) for h in header}
    raw = {h.strip() for h in header}
    if "vanid" in keys:
        return "VAN / EveryAction"
    if keys & {"can2phone", "actionnetworkid", "uuid", "can2useraddress"}:
        return "Action Network"
    if keys & {"personid", "mobilizeid", "mobilizepersonid"}:
        return "Mobilize"
    if "phone_number" in raw or keys & {"solidaritytechid"}:
        return "Solidarity Tech"
    return "Spreadsheet"


def detect_mapping(header: list[str]) -> tuple[str, list[str]]:
    """The export format the header looks like, and a target for each column."""
    source_format = detect_format(header)
    targets: list[str] = []
    taken: set[str] = set()
    for name in header:
        key = header_key(name)
        target = _ALIAS_TO_TARGET.get(key, IGNORE)
        if key == "id" and source_format == "Solidarity Tech":
            target = "id:solidarity_tech"
        if target in taken and target in _SECOND:
            target = _SECOND[target]
        if target in taken and target != IGNORE:
            target = IGNORE  # a second "City" column: the person maps it by hand if they want
        taken.add(target)
        targets.append(target)
    return source_format, targets


# --- Reading the file -------------------------------------------------------------------------

ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (with BOM)",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252",
    "latin-1": "Latin-1",
}
_BOMS_16 = (b"\xff\xfe", b"\xfe\xff")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_LOOKS_LIKE_DATA = re.compile(r"@|\d[\d\s().-]{6,}\d")


@dataclass
class CsvFile:
    encoding: str
    header: list[str]
    records: list[tuple[int, list[str]]]  # (line, cells); the header is line 1


def _megabytes(size: int) -> str:
    return _("%(size)s MB") % {"size": number_format(size / (1024 * 1024), decimal_pos=1)}


def decode(content: bytes) -> tuple[str, str]:
    """The text and the encoding: UTF-8 (with or without BOM), else Windows-1252, else Latin-1."""
    if content.startswith(_BOMS_16):
        return content.decode("utf-16"), "utf-16"
    try:
        encoding = "utf-8-sig" if content.startswith(b"\xef\xbb\xbf") else "utf-8"
        return content.decode("utf-8-sig"), encoding
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return content.decode("latin-1"), "latin-1"


def _delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


def read_csv(content: bytes) -> CsvFile:
    """Parse the bytes of an uploaded file, or raise :class:`ImportFileError` saying why not."""
    limit = settings.CONTACT_IMPORT_MAX_BYTES
    if len(content) > limit:
        raise ImportFileError(
            _(
                "The file is %(size)s; the largest file you can import is %(limit)s. Split it "
                "into smaller files and import each."
            )
            % {"size": _megabytes(len(content)), "limit": _megabytes(limit)}
        )
    if not content.strip():
        raise ImportFileError(_("The file is empty."))
    if content.startswith(b"PK\x03\x04"):
        raise ImportFileError(
            _(
                "This is an Excel workbook or another zipped file, not a CSV file. In your "
                "spreadsheet, use “Save as” or “Download” → CSV, and import that file."
            )
        )
    text, encoding = decode(content)
    sample = text[:65536]
    if "\x00" in sample or len(_CONTROL.findall(sample)) > len(sample) // 100:
        raise ImportFileError(
            _(
                "This file is not a CSV text file (it contains binary data). Export or save the "
                "list as CSV and try again."
            )
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        records = [(line, cells) for line, cells in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise ImportFileError(
            _("The file could not be read as CSV near line %(line)s: %(error)s.")
            % {"line": reader.line_num, "error": exc}
        ) from None
    records = [(line, cells) for line, cells in records if "".join(cells).strip()]
    if not records:
        raise ImportFileError(_("The file is empty."))
    (_line, header), *rows = records
    header = [h.strip() or f"Column {i}" for i, h in enumerate(header, start=1)]
    if any(_LOOKS_LIKE_DATA.search(h) for h in header):
        raise ImportFileError(
            _(
                "The first line should hold column names (like First name, Last name, Phone, "
                "Email), but it looks like data. Add a header line and try again."
            )
        )
    if len(header) == 1 and detect_mapping(header)[1] == [IGNORE]:
        raise ImportFileError(
            _(
                "This does not look like a CSV file of people: no column names were found. Export "
                "the list as CSV with a header line (First name, Last name, Phone, Email, …)."
            )
        )
    if not rows:
        raise ImportFileError(_("The file has a header line but no rows of people."))
    return CsvFile(encoding=encoding, header=header, records=rows)


# --- Parsing rows -------------------------------------------------------------------------------

_MAX_LENGTHS = {name: Contact._meta.get_field(name).max_length for name in (*TEXT_FIELDS, "source")}
_SPLIT_LIST = re.compile(r"[,;|]")
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%Y/%m/%d", "%m-%d-%Y", "%b %d, %Y")
_MEMBERSHIP = {
    "in good standing": Contact.Membership.GOOD_STANDING,
    "good standing": Contact.Membership.GOOD_STANDING,
    "good_standing": Contact.Membership.GOOD_STANDING,
    "member": Contact.Membership.GOOD_STANDING,
    "active": Contact.Membership.GOOD_STANDING,
    "current": Contact.Membership.GOOD_STANDING,
    "yes": Contact.Membership.GOOD_STANDING,
    "lapsed": Contact.Membership.LAPSED,
    "expired": Contact.Membership.LAPSED,
    "past due": Contact.Membership.LAPSED,
    "not a member": Contact.Membership.NOT_MEMBER,
    "not member": Contact.Membership.NOT_MEMBER,
    "not_member": Contact.Membership.NOT_MEMBER,
    "non member": Contact.Membership.NOT_MEMBER,
    "none": Contact.Membership.NOT_MEMBER,
    "never": Contact.Membership.NOT_MEMBER,
    "no": Contact.Membership.NOT_MEMBER,
}


def _phone_kind(header: str) -> str:
    key = header_key(header)
    if "home" in key:
        return Phone.Kind.HOME
    if "work" in key or "office" in key:
        return Phone.Kind.WORK
    return Phone.Kind.MOBILE


@dataclass
class Columns:
    """Which columns feed which target, computed once per file from the mapping."""

    text: dict[str, list[int]] = field(default_factory=dict)
    full_name: list[int] = field(default_factory=list)
    phones: list[tuple[int, str]] = field(default_factory=list)  # (column, kind)
    emails: list[int] = field(default_factory=list)
    ids: list[tuple[int, str]] = field(default_factory=list)  # (column, system)
    tags: list[int] = field(default_factory=list)
    languages: list[int] = field(default_factory=list)
    membership: list[int] = field(default_factory=list)
    member_since: list[int] = field(default_factory=list)

    @classmethod
    def build(cls, header: list[str], targets: list[str]) -> Columns:
        cols = cls()
        for index, (name, target) in enumerate(zip(header, targets, strict=False)):
            if target in TEXT_FIELDS or target == "source":
                cols.text.setdefault(target, []).append(index)
            elif target == "full_name":
                cols.full_name.append(index)
            elif target in ("phone", "phone2"):
                cols.phones.append((index, _phone_kind(name)))
            elif target in ("email", "email2"):
                cols.emails.append(index)
            elif target.startswith("id:") and target[3:] in SYSTEMS:
                cols.ids.append((index, target[3:]))
            elif target == "tags":
                cols.tags.append(index)
            elif target == "languages":
                cols.languages.append(index)
            elif target == "membership_status":
                cols.membership.append(index)
            elif target == "member_since":
                cols.member_since.append(index)
        return cols


@dataclass
class Row:
    """One valid line of the file, normalized."""

    line: int
    fields: dict[str, object]
    phones: dict[str, tuple[str, str]]  # e164 -> (as typed, kind), in file order
    emails: list[str]
    ids: list[tuple[str, str]]  # (system, value)
    tags: list[str]
    languages: list[str]


def parse_date(value: str) -> date:
    text = value.strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}[T ]", text):
        text = text[:10]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(
        _("“%(value)s” is not a date (use YYYY-MM-DD or MM/DD/YYYY).") % {"value": value}
    )


def _split_name(full: str) -> tuple[str, str]:
    if "," in full:  # "Alvarez, Ana"
        last, _comma, first = full.partition(",")
        return first.strip(), last.strip()
    first, _space, last = full.strip().rpartition(" ")
    return (first.strip(), last) if first else (last, "")


def _split_list(cells: Iterable[str]) -> list[str]:
    items: dict[str, None] = {}
    for cell in cells:
        for item in _SPLIT_LIST.split(cell):
            if item.strip():
                items[item.strip()] = None
    return list(items)


# Plain addresses (dot-atom local part, LDH domain labels, a letters-only TLD): a strict subset
# of what Django's EmailValidator accepts, checked in one regex match; anything else goes
# through ``normalize_email``.
_PLAIN_EMAIL = re.compile(
    r"[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}",
    re.ASCII,
)


def parse_row(line: int, cells: list[str], cols: Columns) -> Row | list[str]:
    """The normalized row, or the reasons it cannot be imported."""

    width = len(cells)

    def cell(index: int) -> str:
        return cells[index].strip() if index < width else ""

    reasons: list[str] = []
    fields: dict[str, object] = {}
    for name, indexes in cols.text.items():
        value = ""
        for index in indexes:  # the first non-blank column mapped to this field
            if index < width and (value := cells[index].strip()):
                break
        if not value:
            continue
        if len(value) > _MAX_LENGTHS[name]:
            label = TARGET_LABELS[name]
            reasons.append(
                _("%(field)s is longer than %(limit)s characters.")
                % {"field": label, "limit": _MAX_LENGTHS[name]}
            )
        else:
            fields[name] = value
    if cols.full_name and not fields.get("first_name") and not fields.get("last_name"):
        full = next((v for v in map(cell, cols.full_name) if v), "")
        first, last = _split_name(full) if full else ("", "")
        if first:
            fields["first_name"] = first[: _MAX_LENGTHS["first_name"]]
        if last:
            fields["last_name"] = last[: _MAX_LENGTHS["last_name"]]
    for index in cols.membership:
        if value := cell(index):
            status = _MEMBERSHIP.get(" ".join(fold(value).split()))
            if status is None:
                reasons.append(
                    _(
                        "“%(value)s” is not a membership status "
                        "(use: in good standing, lapsed, not a member)."
                    )
                    % {"value": value}
                )
            else:
                fields["membership_status"] = status
            break
    for index in cols.member_since:
        if value := cell(index):
            try:
                fields["member_since"] = parse_date(value)
            except ValueError as exc:
                reasons.append(str(exc))
            break
    phones: dict[str, tuple[str, str]] = {}
    for index, kind in cols.phones:
        if index < width and (raw := cells[index].strip()):
            try:
                phones.setdefault(normalize_phone(raw), (raw[:64], kind))
            except InvalidPhone as exc:
                reasons.append(str(exc))
    emails: list[str] = []
    for index in cols.emails:
        if index < width and (raw := cells[index].strip()):
            address = raw.lower()
            if len(address) > 254 or not _PLAIN_EMAIL.fullmatch(address):
                try:  # Django's validator decides, and says why not
                    address = normalize_email(raw)
                except ValidationError as exc:
                    reasons.extend(exc.messages)
                    continue
            if len(address) > 254:
                reasons.append(
                    _("“%(value)s…” is longer than 254 characters.") % {"value": raw[:40]}
                )
            elif address not in emails:
                emails.append(address)
    ids: list[tuple[str, str]] = []
    for index, system in cols.ids:
        if value := cell(index):
            if len(value) > 120:
                reasons.append(
                    _("The %(system)s is longer than 120 characters.") % {"system": SYSTEMS[system]}
                )
            elif (system, value) not in ids:
                ids.append((system, value))
    tags: list[str] = []
    if cols.tags:
        tags = _split_list(map(cell, cols.tags))
        reasons.extend(
            _("The tag “%(tag)s…” is longer than 60 characters.") % {"tag": t[:40]}
            for t in tags
            if len(t) > 60
        )
    languages: list[str] = []
    if cols.languages:
        languages = _split_list(map(cell, cols.languages))
        reasons.extend(
            _("The language “%(language)s…” is too long.") % {"language": x[:30]}
            for x in languages
            if len(x) > 40
        )
    if reasons:
        return reasons
    if not (fields.get("first_name") or fields.get("last_name") or phones or emails):
        return [_("No name, phone or email.")]
    return Row(line, fields, phones, emails, ids, tags, languages)


# --- Planning: group the file's rows into people and match them --------------------------------


@dataclass
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
class Rejection:
    line: int
    reason: str
    cells: list[str]


@dataclass
class Plan:
    total_rows: int = 0
    to_create: list[Person] = field(default_factory=list)
    to_update: list[tuple[Person, dict]] = field(default_factory=list)  # with its changes
    unchanged: list[Person] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    current: dict[int, dict] = field(default_factory=dict)  # matched people's current fields
    primaries: set[tuple[str, int]] = field(default_factory=set)  # ("phone"|"email", contact)


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


def group_rows(rows: list[Row], rejections: list[Rejection], cells: dict) -> list[Person]:
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
            rejections.append(Rejection(row.line, reason, cells[row.line]))
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


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _existing_indexes(people: list[Person]) -> tuple[dict, dict]:
    """Who already has each external ID / phone / email of the file (a few queries)."""
    owners: dict[tuple, set[int]] = {}
    by_system: dict[str, set[str]] = {}
    for person in people:
        for system, value in person.ids:
            by_system.setdefault(system, set()).add(value)
    for system, values in by_system.items():
        sql = (
            f"SELECT value, contact_id FROM {_table(ExternalId)} "
            "WHERE system = %s AND value = ANY(%s)"
        )
        for value, contact_id in _fetch(sql, sorted(values), system):
            owners.setdefault(("id", system, value), set()).add(contact_id)
    phones = sorted({e for p in people for e in p.phones})
    sql = f"SELECT e164, contact_id FROM {_table(Phone)} WHERE e164 = ANY(%s)"
    for e164, contact_id in _fetch(sql, phones):
        owners.setdefault(("phone", e164), set()).add(contact_id)
    emails = sorted({a for p in people for a in p.emails})
    sql = f"SELECT address, contact_id FROM {_table(Email)} WHERE address = ANY(%s)"
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


def plan_import(csv_file: CsvFile, targets: list[str], progress: Callable[[int], None]) -> Plan:
    """Everything the import would do, worked out with reads only."""
    cols = Columns.build(csv_file.header, targets)
    plan = Plan(total_rows=len(csv_file.records))
    cells = dict(csv_file.records)
    rows: list[Row] = []
    for number, (line, record) in enumerate(csv_file.records, start=1):
        parsed = parse_row(line, record, cols)
        if isinstance(parsed, Row):
            rows.append(parsed)
        else:
            plan.rejections.append(Rejection(line, " ".join(parsed)[:300], record))
        progress(number)
    people = group_rows(rows, plan.rejections, cells)
    owners, _indexes = _existing_indexes(people)

    matched: dict[int, Person] = {}  # by contact: rows that reach one person by different
    ambiguous: dict[int, set[int]] = {}  # keys (a phone here, an email there) are merged
    no_owner: set[int] = set()
    for number, person in enumerate(people):
        hits = set()
        if person.ids:
            id_keys, other_keys = _keys(person)
            hits = hits.union(*(owners.get(k, no_owner) for k in id_keys))
            if not hits:
                hits = hits.union(*(owners.get(k, no_owner) for k in other_keys))
        else:  # the usual case: no external ID, so the phones and emails decide
            for e164 in person.phones:
                hits |= owners.get(("phone", e164), no_owner)
            for address in person.emails:
                hits |= owners.get(("email", address), no_owner)
        if len(hits) > 1:
            ambiguous[number] = hits
        elif hits:
            contact_id = next(iter(hits))
            if contact_id in matched:
                for row in person.rows:
                    matched[contact_id].add(row)
            else:
                person.contact_id = contact_id
                matched[contact_id] = person
        else:
            plan.to_create.append(person)
    if ambiguous:
        names = {n: _names(hits) for n, hits in ambiguous.items()}
        for number, hits in ambiguous.items():
            reason = _(
                "Matches %(count)s different people already in Organizer (%(names)s); "
                "merge them first or fix the row."
            ) % {"count": len(hits), "names": names[number]}
            for row in people[number].rows:
                plan.rejections.append(Rejection(row.line, reason[:300], cells[row.line]))

    contact_ids = sorted(matched)
    plan.current = _current(contact_ids)
    ids_of: dict[int, list[tuple[str, str]]] = {}
    sql = f"SELECT contact_id, system, value FROM {_table(ExternalId)} WHERE contact_id = ANY(%s)"
    for contact_id, system, value in _fetch(sql, contact_ids):
        ids_of.setdefault(contact_id, []).append((system, value))
    for kind, model in (("phone", Phone), ("email", Email)):
        sql = f"SELECT contact_id FROM {_table(model)} WHERE is_primary AND contact_id = ANY(%s)"
        plan.primaries.update((kind, row[0]) for row in _fetch(sql, contact_ids))
    for person in matched.values():
        if system := _conflicting_id(person.ids, ids_of.get(person.contact_id, [])):
            reason = _(
                "Its phone or email belongs to %(names)s, who has a different %(system)s."
            ) % {"names": _names([person.contact_id]), "system": system}
            for row in person.rows:
                plan.rejections.append(Rejection(row.line, reason[:300], cells[row.line]))
            continue
        changes = _changes(person, plan.current[person.contact_id], owners)
        if changes:
            plan.to_update.append((person, changes))
        else:
            plan.unchanged.append(person)
    plan.rejections.sort(key=lambda r: r.line)
    return plan


def _current(contact_ids: list[int]) -> dict[int, dict]:
    """The current values of the matched people (and their tags, folded)."""
    columns = ", ".join(
        connection.ops.quote_name(Contact._meta.get_field(name).column) for name in SCALAR_FIELDS
    )
    sql = f"SELECT id, {columns} FROM {_table(Contact)} WHERE id = ANY(%s)"
    current = {
        row[0]: {"id": row[0], **dict(zip(SCALAR_FIELDS, row[1:], strict=True)), "tags": set()}
        for row in _fetch(sql, contact_ids)
    }
    through = Contact.tags.through
    sql = (
        f"SELECT ct.contact_id, t.name FROM {_table(through)} ct "
        f"JOIN {_table(Tag)} t ON t.id = ct.tag_id WHERE ct.contact_id = ANY(%s)"
    )
    for contact_id, name in _fetch(sql, contact_ids):
        current[contact_id]["tags"].add(name.casefold())
    return current


# --- Writing ------------------------------------------------------------------------------------


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
    sql = f"COPY {_table(model)} ({names}) FROM STDIN"
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


def apply_plan(plan: Plan, *, by, filename: str, source: str) -> None:
    """Write the plan. Call inside a transaction."""
    now = timezone.now()
    tag_ids = _tag_ids(
        t for p in (*plan.to_create, *(p for p, _ in plan.to_update)) for t in p.tags
    )
    by_id = by.pk if by else None
    out = _Related()
    imported = ContactEvent.Kind.IMPORTED
    created_summary = f"Imported from {filename}"[:300]
    no_changes = Jsonb({})
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
        contacts = []
        append, event = contacts.append, out.events.append
        for contact_id, person in zip(new_ids, plan.to_create, strict=True):
            values = person.fields
            get = values.get
            append(
                (
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
            event((contact_id, imported, now, by_id, created_summary, no_changes))
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
        _copy(Contact, columns, contacts, with_pk=True)

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
    if plan.to_create:  # no "Email OK" without an email, no "Texts OK" without a phone
        consent_follows_channels(contact_ids=new_ids)


# --- Progress, through its own connection -------------------------------------------------------


class Progress:
    """Writes ``processed_rows`` through a separate autocommit connection, every ``every`` rows,
    so the job page sees it while the import's own transaction is still open."""

    def __init__(self, job_id, total: int):
        self.job_id = str(job_id)
        self.every = max(500, total // 100)
        self.last = 0
        self.conn: psycopg.Connection | None = None
        self.failed = False

    def __call__(self, processed: int) -> None:
        if processed - self.last < self.every or self.failed:
            return
        self.last = processed
        try:
            if self.conn is None:
                params = connection.get_connection_params()
                params.pop("context", None)
                params.pop("cursor_factory", None)
                self.conn = psycopg.connect(**params, autocommit=True)
            self.conn.execute(
                f"UPDATE {_table(ImportJob)} SET processed_rows = %s WHERE id = %s",
                [processed, self.job_id],
            )
        except psycopg.Error:
            logger.warning("Could not write import progress", exc_info=True)
            self.failed = True  # progress is a nicety; the import goes on

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def _no_progress(processed: int) -> None:
    return None


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a file is read, planned and written: those steps only
    build objects they keep (hundreds of thousands of rows, people, COPY tuples), and each full
    collection would walk them all again for nothing. Reference counting still frees the rest."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --- The job --------------------------------------------------------------------------------------


def _targets(job: ImportJob, header: list[str]) -> list[str]:
    targets = list(job.mapping.get("columns") or detect_mapping(header)[1])
    return (targets + [IGNORE] * len(header))[: len(header)]


def check_mapping(targets: list[str]) -> None:
    if not NAME_PHONE_EMAIL & set(targets):
        raise ImportFileError(_("Map at least one column to a name, a phone or an email."))
    unknown = set(targets) - set(TARGET_LABELS)
    if unknown:
        raise ImportFileError(
            _("Unknown column target: %(targets)s.") % {"targets": ", ".join(sorted(unknown))}
        )


def import_create(
    *, by, filename: str, content: bytes, source: str = "", dry_run: bool = True
) -> ImportJob:
    """Store an uploaded file as a job (``dry_run=True``: waiting for the person to confirm).
    Raises :class:`ImportFileError` for an unreadable or oversized file."""
    with _gc_paused():
        csv_file = read_csv(content)
    source_format, targets = detect_mapping(csv_file.header)
    return ImportJob.objects.create(
        created_by=by,
        filename=filename[:255],
        content=content,
        encoding=csv_file.encoding,
        source_format=source_format,
        mapping={"headers": csv_file.header, "columns": targets, "source": source[:120]},
        dry_run=dry_run,
        total_rows=len(csv_file.records),
    )


@dataclass
class Preview:
    csv_file: CsvFile
    targets: list[str]
    plan: Plan | None
    error: str = ""

    @property
    def sample(self) -> list[tuple[int, list[str]]]:
        return self.csv_file.records[:5]


def import_preview(*, job: ImportJob, targets: list[str] | None = None) -> Preview:
    """What the import would do with this mapping: a dry run, no writes."""
    with _gc_paused():
        csv_file = read_csv(bytes(job.content))
        targets = targets or _targets(job, csv_file.header)
        try:
            check_mapping(targets)
        except ImportFileError as exc:
            return Preview(csv_file, targets, None, str(exc))
        return Preview(csv_file, targets, plan_import(csv_file, targets, _no_progress))


def import_set_mapping(*, job: ImportJob, targets: list[str]) -> None:
    check_mapping(targets)
    job.mapping = {**job.mapping, "columns": targets}
    ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PENDING).update(mapping=job.mapping)


@transaction.atomic
def import_start(*, job: ImportJob, targets: list[str] | None = None) -> None:
    """Confirm the import and queue it (after commit). Starting twice queues it once more at
    most, and the task's claim makes sure it runs once."""
    if targets is not None:
        import_set_mapping(job=job, targets=targets)
    ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PENDING).update(dry_run=False)
    job_id = str(job.pk)
    transaction.on_commit(lambda: enqueue(job_id))


def enqueue(job_id: str) -> bool:
    """Send the job to the queue. If the broker is down, the job stays pending with a note
    the job page shows, and ``import_start`` can be tried again."""
    from kombu.exceptions import OperationalError as KombuOperationalError
    from redis.exceptions import RedisError

    from contacts.tasks import import_contacts_task  # tasks import this module

    try:
        import_contacts_task.apply_async(args=[job_id], retry=False)
    except (KombuOperationalError, RedisError, OSError):
        logger.warning("Could not queue import %s", job_id, exc_info=True)
        ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
            error="The job queue could not be reached, so the import has not started yet."
        )
        return False
    ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(error="")
    return True


def _claim(job_id) -> ImportJob | None:
    try:
        job_id = uuid.UUID(str(job_id))
    except ValueError:
        return None
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now(), processed_rows=0, error=""
    )
    return ImportJob.objects.filter(pk=job_id).first() if claimed else None


_FIELDS_BUT_CONTENT = [f.attname for f in ImportJob._meta.concrete_fields if f.name != "content"]


def import_run(*, job_id) -> ImportJob | None:
    """Run a pending job: all or nothing. A missing or already claimed job is a quiet no-op."""
    job = _claim(job_id)
    if job is None:
        return None
    progress = Progress(job.pk, job.total_rows)
    try:
        with _gc_paused(), transaction.atomic():
            _run(job, progress)
    except Exception as exc:
        logger.exception("Import %s failed", job.pk)
        message = str(exc) if isinstance(exc, ImportFileError) else f"{type(exc).__name__}: {exc}"
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, error=message[:2000], finished_at=timezone.now()
        )
    finally:
        progress.close()
    # Everything but the file, which the job never changes (megabytes, already in hand).
    job.refresh_from_db(fields=_FIELDS_BUT_CONTENT)
    return job


def _run(job: ImportJob, progress: Callable[[int], None]) -> Plan:
    csv_file = read_csv(bytes(job.content))
    targets = _targets(job, csv_file.header)
    check_mapping(targets)
    plan = plan_import(csv_file, targets, progress)
    if not job.dry_run:
        source = job.mapping.get("source") or f"Import: {job.filename}"
        apply_plan(plan, by=job.created_by, filename=job.filename, source=source)
    rejections = ((job.pk, r.line, r.reason, Jsonb(r.cells)) for r in plan.rejections)
    _copy(ImportRejection, ("job_id", "line", "reason", "row"), rejections)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE,
        total_rows=plan.total_rows,
        processed_rows=plan.total_rows,
        created_count=len(plan.to_create),
        updated_count=len(plan.to_update),
        unchanged_count=len(plan.unchanged),
        rejected_count=len(plan.rejections),
        finished_at=timezone.now(),
    )
    return plan


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\x00")
_NUMBER_LIKE = re.compile(r"[+-][\d\s().-]*")


def escape_cell(value: str) -> str:
    """Keep a spreadsheet from running a cell as a formula; phone numbers stay readable."""
    if value.startswith(_FORMULA_START) and not _NUMBER_LIKE.fullmatch(value):
        return "'" + value
    return value


def rejections_csv(job: ImportJob) -> Iterator[list[str]]:
    """The rejected rows as CSV rows: the original columns, then line and reason."""
    header = list(job.mapping.get("headers") or [])
    yield [*map(escape_cell, header), "line", "reason"]
    for rejection in job.rejections.order_by("line").iterator(chunk_size=2000):
        cells = list(rejection.row) if isinstance(rejection.row, list) else []
        cells = (cells + [""] * len(header))[: max(len(header), len(cells))]
        yield [*map(escape_cell, cells), str(rejection.line), escape_cell(rejection.reason)]
