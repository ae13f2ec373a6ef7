"""Writes for doors and turf: importing addresses, cutting turf, splitting it into walkable
pieces, assigning pieces and rebalancing the doors nobody has knocked yet.

Everything is set-based: a cut is one ``INSERT … SELECT`` (``location <@ polygon`` uses the GiST
index on ``hubs_building.location``), a split is one read of door ids in walking order, one pass
in Python and one bulk ``UPDATE``.

Walking order: street (folded), then side of the street (odd numbers, then even), then house
number, then building, then unit label (numeric part first, so 2 comes before 10).

The doors a user may cut (``cuttable_units_sql``): doors are chapter-wide, and a ZIP code or a
shape easily covers other hubs' addresses. A captain takes only doors where **every resident is
someone they may see** (``contacts_for_user``; empty doors too); a door housing anyone else —
another hub's member, someone owned by another organizer, a voter nobody in their hubs knows —
is left out of the cut, the preview count and the map's markers, so that no cut ever shows a
captain a person they would get 404 for. Staff cut anything. A system caller (``by=None``: the
benchmark, the shell) is not scoped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role
from contacts.models import Contact
from contacts.selectors.access import contacts_for_user
from hubs.models import (
    Building,
    DoorAssignment,
    DoorResult,
    Hub,
    HubRole,
    Residence,
    Turf,
    TurfDoor,
    TurfPiece,
    Unit,
    house_number_value,
    street_key,
)
from organizer.lib.csvfiles import CsvFileError, CsvReader, Rejection, remove_upload, save_upload
from organizer.lib.geo import Point, polygon_literal

# Imports above this many rows are refused with a message: they run inside the request.
DOORS_IMPORT_MAX_ROWS = 20_000

WALKING_ORDER = (
    "b.street_key, mod(b.number_value, 2) DESC, b.number_value, b.id, "
    "NULLIF(substring(u.label from '^[0-9]{1,9}'), '')::int NULLS FIRST, u.label, u.id"
)


class TurfError(Exception):
    """A turf operation that cannot be done, with a message for the captain."""


DoorsFileError = CsvFileError  # an address file that cannot be read at all


# --- Importing doors ------------------------------------------------------------------------

_HEADERS = {
    "street_number": ("street number", "number", "house number", "house", "st number", "no"),
    "street": ("street", "street name", "st name"),
    "address": ("address", "address line", "street address", "address 1", "full address"),
    "unit": ("unit", "apt", "apartment", "unit number", "apt number", "suite"),
    "city": ("city", "town", "borough"),
    "state": ("state", "st"),
    "zip_code": ("zip", "zip code", "zipcode", "postal code", "zip5"),
    "latitude": ("lat", "latitude", "y"),
    "longitude": ("lon", "lng", "long", "longitude", "x"),
    "election_district": ("election district", "ed", "district", "ad ed", "aded"),
    "building_ref": ("building id", "building", "bin", "building ref", "bbl"),
}
_HEADER_LOOKUP = {alias: target for target, aliases in _HEADERS.items() for alias in aliases}
_ADDRESS = re.compile(r"^\s*(\d[\w/-]*)\s+(.+?)\s*$")
_ZIP = re.compile(r"^\d{5}(-?\d{4})?$")
_LENGTHS = {
    "street_number": 20,
    "street": 120,
    "city": 100,
    "state": 40,
    "zip_code": 10,
    "election_district": 20,
    "building_ref": 40,
    "unit": 40,
}
_FIELD_NAMES = {
    "street_number": gettext_lazy("street number"),
    "street": gettext_lazy("street"),
    "city": gettext_lazy("city"),
    "state": gettext_lazy("state"),
    "zip_code": gettext_lazy("zip code"),
    "election_district": gettext_lazy("election district"),
    "building_ref": gettext_lazy("building ref"),
    "unit": gettext_lazy("unit"),
}


def _header_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.lower()).strip()


@dataclass
class DoorRow:
    line: int
    street_number: str
    street: str
    unit: str = ""
    city: str = ""
    state: str = ""
    zip_code: str = ""
    latitude: float | None = None
    longitude: float | None = None
    election_district: str = ""
    building_ref: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (street_key(self.street), self.street_number, self.zip_code)


@dataclass
class DoorsReport:
    """What an import did (or, for a preview, would do)."""

    encoding: str
    header: list[str]
    columns: dict[str, str]  # target → header it was read from
    rows: int = 0
    buildings_created: int = 0
    units_created: int = 0
    unchanged: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    dry_run: bool = True


def _parse_float(value: str, low: float, high: float) -> float:
    number = float(value)
    if not low <= number <= high:
        raise ValueError
    return number


def _parse_door(line: int, cells: list[str], index: dict[str, int]) -> DoorRow | str:
    def cell(name: str) -> str:
        i = index.get(name)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    number, street = cell("street_number"), cell("street")
    if not (number and street) and cell("address"):
        match = _ADDRESS.match(cell("address"))
        if not match:
            return _("The address “%(address)s” does not start with a house number.") % {
                "address": cell("address")
            }
        number, street = match.group(1), match.group(2)
    if not number:
        return _("The street number is missing.")
    if not street:
        return _("The street is missing.")
    row = DoorRow(line=line, street_number=number, street=street)
    for name in ("unit", "city", "state", "zip_code", "election_district", "building_ref"):
        setattr(row, name, cell(name))
    for name, limit in _LENGTHS.items():
        if len(getattr(row, name)) > limit:
            return _("The %(field)s is longer than %(limit)s characters.") % {
                "field": _FIELD_NAMES[name],
                "limit": limit,
            }
    if row.zip_code and not _ZIP.match(row.zip_code):
        return _("The ZIP code “%(zip)s” is not 5 digits (or ZIP+4).") % {"zip": row.zip_code}
    lat, lon = cell("latitude"), cell("longitude")
    if bool(lat) != bool(lon):
        return _("Latitude and longitude go together: one of them is missing.")
    if lat:
        try:
            row.latitude = _parse_float(lat, -90, 90)
            row.longitude = _parse_float(lon, -180, 180)
        except ValueError:
            return _("The coordinates “%(lat)s, %(lon)s” are not a latitude and a longitude.") % {
                "lat": lat,
                "lon": lon,
            }
    return row


def read_doors(path: str | Path) -> tuple[DoorsReport, list[DoorRow]]:
    """Parse an address file on disk (through the project's one CSV reader). Raises
    :class:`DoorsFileError` when it cannot be read at all."""
    reader = CsvReader(path)
    records = iter(reader)
    first = next(records, None)
    if first is None:
        raise DoorsFileError(_("The file is empty."))
    header = first[1]
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        target = _HEADER_LOOKUP.get(_header_key(name))
        if target and target not in index:
            index[target] = i
    if not ({"street_number", "street"} <= index.keys() or "address" in index):
        raise DoorsFileError(
            _(
                "No address columns found: the file needs “street number” and “street” columns, "
                "or one “address” column (like “123 Main St”)."
            )
        )
    columns = {target: header[i] for target, i in index.items()}
    report = DoorsReport(encoding=reader.encoding, header=header, columns=columns)
    rows: list[DoorRow] = []
    for line, cells in records:
        report.rows += 1
        if report.rows > DOORS_IMPORT_MAX_ROWS:
            raise DoorsFileError(
                _(
                    "The file has more than %(max)s rows; one import takes at most %(max)s. "
                    "Split it into smaller files."
                )
                % {"max": number_format(DOORS_IMPORT_MAX_ROWS, force_grouping=True)}
            )
        parsed = _parse_door(line, cells, index)
        if isinstance(parsed, str):
            report.rejections.append(Rejection(line, parsed, cells))
        else:
            rows.append(parsed)
    return report, rows


def _existing_buildings(keys: Iterable[tuple[str, str, str]]) -> dict[tuple, int]:
    keys = list(set(keys))
    if not keys:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT b.street_key, b.street_number, b.zip_code, b.id FROM hubs_building b "
            "JOIN unnest(%s::text[], %s::text[], %s::text[]) AS k(s, n, z) "
            "ON b.street_key = k.s AND b.street_number = k.n AND b.zip_code = k.z",
            [[k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys]],
        )
        return {(s, n, z): pk for s, n, z, pk in cursor.fetchall()}


def _existing_units(pairs: Iterable[tuple[int, str]]) -> set[tuple[int, str]]:
    pairs = list(set(pairs))
    if not pairs:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT u.building_id, u.label FROM hubs_unit u "
            "JOIN unnest(%s::bigint[], %s::text[]) AS k(b, l) "
            "ON u.building_id = k.b AND u.label = k.l",
            [[p[0] for p in pairs], [p[1] for p in pairs]],
        )
        return set(cursor.fetchall())


def _building(row: DoorRow) -> Building:
    location = (row.longitude, row.latitude) if row.latitude is not None else None
    return Building(
        street_number=row.street_number,
        street=row.street,
        city=row.city,
        state=row.state,
        zip_code=row.zip_code,
        latitude=row.latitude,
        longitude=row.longitude,
        location=location,
        election_district=row.election_district,
        building_ref=row.building_ref,
        street_key=street_key(row.street),
        number_value=house_number_value(row.street_number),
    )


def _write_doors(rows: Sequence[DoorRow]) -> tuple[int, int, int]:
    """Insert the buildings and units ``rows`` name that do not exist yet (deduplicated on
    (street_key, number, zip) and (building, unit)). Returns (buildings, units, unchanged)."""
    firsts: dict[tuple, DoorRow] = {}
    for row in rows:
        firsts.setdefault(row.key, row)
    existing = _existing_buildings(firsts)
    new = [_building(row) for key, row in firsts.items() if key not in existing]
    Building.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    ids = _existing_buildings(firsts)
    pairs = {(ids[row.key], row.unit) for row in rows}
    have = _existing_units(pairs)
    units = [Unit(building_id=b, label=label) for b, label in pairs - have]
    Unit.objects.bulk_create(units, batch_size=5000, ignore_conflicts=True)
    unchanged = sum(1 for row in rows if (ids[row.key], row.unit) in have)
    return len(ids) - len(existing), len(units), unchanged


def doors_import(*, path: str | Path, dry_run: bool = False) -> DoorsReport:
    """Import an address list from a file on disk: all of it in one transaction, or nothing
    (``dry_run`` previews by rolling the same writes back). Rejected rows are reported, never
    half imported."""
    report, rows = read_doors(path)
    report.dry_run = dry_run
    with transaction.atomic():
        counts = _write_doors(rows)
        report.buildings_created, report.units_created, report.unchanged = counts
        if dry_run:
            transaction.set_rollback(True)
    return report


def rejection_rows(report: DoorsReport) -> Iterable[list[str]]:
    """The rejected rows as CSV rows (escaped when written): the columns, line and reason."""
    yield [*report.header, "line", "reason"]
    for rejection in report.rejections:
        yield [*rejection.cells, str(rejection.line), rejection.reason]


# An uploaded address list waits on disk (never in the cache) for its confirmation: the file
# ``<token>.csv`` under IMPORT_UPLOAD_DIR/doors/ and ``<token>.json`` saying whose it is and,
# once imported, the report. The token is the file's random name.
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def _doors_paths(token: str) -> tuple[Path, Path]:
    folder = Path(settings.IMPORT_UPLOAD_DIR) / "doors"
    return folder / f"{token}.csv", folder / f"{token}.json"


def doors_upload(*, file, by, name: str) -> tuple[str, DoorsReport]:
    """Save an upload to disk (``UPLOAD_MAX_BYTES`` at most) and preview it. Returns its token
    and the dry-run report; raises :class:`DoorsFileError` (nothing kept) for a bad file."""
    path = save_upload(file, kind="doors")
    try:
        report = doors_import(path=path, dry_run=True)
    except BaseException:
        remove_upload(path)
        raise
    token = path.stem
    meta = {"by": by.pk, "name": name[:255], "report": None}
    _doors_paths(token)[1].write_text(json.dumps(meta), encoding="utf-8")
    return token, report


def doors_upload_for_user(token: str, user) -> tuple[Path, dict] | None:
    """The upload's file and its record, for the user who uploaded it (else None)."""
    if not _TOKEN.match(token):
        return None
    path, meta_path = _doors_paths(token)
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return (path, meta) if meta.get("by") == user.pk else None


def doors_upload_report(meta: dict) -> DoorsReport | None:
    """The report of an upload already imported (None while it waits for confirmation)."""
    data = meta.get("report")
    if not data:
        return None
    rejections = [Rejection(**r) for r in data.pop("rejections")]
    return DoorsReport(**data, rejections=rejections)


def doors_upload_import(*, token: str, path: Path, meta: dict) -> DoorsReport:
    """Import a confirmed upload once; the file is removed and its report kept."""
    done = doors_upload_report(dict(meta))
    if done is not None:
        return done
    report = doors_import(path=path)
    meta["report"] = asdict(report)
    _doors_paths(token)[1].write_text(json.dumps(meta), encoding="utf-8")
    remove_upload(path)
    return report


def doors_from_contacts(*, contact_ids: Iterable[int] | None = None) -> tuple[int, int, int]:
    """Turn people's postal addresses into buildings, units and residences (idempotent: run it
    after every people import). Returns (buildings created, units created, residences created)."""
    people = Contact.objects.exclude(street="")
    if contact_ids is not None:
        people = people.filter(pk__in=list(contact_ids))
    fields = ("pk", "street", "unit", "city", "state", "zip_code", "latitude", "longitude")
    rows: list[DoorRow] = []
    owners: list[tuple[int, DoorRow]] = []
    # A building takes its position from the first row naming it: people with one come first.
    people = people.order_by(F("latitude").asc(nulls_last=True), "pk")
    for pk, street, unit, city, state, zip_code, lat, lon in people.values_list(*fields).iterator(
        chunk_size=5000
    ):
        match = _ADDRESS.match(street)
        if not match or len(match.group(1)) > 20:
            continue
        row = DoorRow(
            line=0,
            street_number=match.group(1),
            street=match.group(2)[:120],
            unit=unit[:40],
            city=city,
            state=state,
            zip_code=zip_code,
            latitude=lat if lon is not None else None,
            longitude=lon if lat is not None else None,
        )
        rows.append(row)
        owners.append((pk, row))
    with transaction.atomic():
        buildings, units, _residences = _write_doors(rows)
        ids = _existing_buildings(row.key for row in rows)
        keys = {(ids[row.key], row.unit) for row in rows}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT u.building_id, u.label, u.id FROM hubs_unit u "
                "JOIN unnest(%s::bigint[], %s::text[]) AS k(b, l) "
                "ON u.building_id = k.b AND u.label = k.l",
                [[k[0] for k in keys], [k[1] for k in keys]],
            )
            unit_ids = {(b, label): pk for b, label, pk in cursor.fetchall()}
        residences = [
            Residence(contact_id=pk, unit_id=unit_ids[(ids[row.key], row.unit)])
            for pk, row in owners
        ]
        before = Residence.objects.count()
        Residence.objects.bulk_create(residences, batch_size=5000, ignore_conflicts=True)
        created = Residence.objects.count() - before
    return buildings, units, created


# --- Cutting turf ---------------------------------------------------------------------------


@dataclass
class TurfCut:
    """Which doors a turf takes: inside a polygon, or matching lists (each filled list narrows
    the cut; the values of one list are alternatives)."""

    polygon: list[Point] | None = None
    zip_codes: list[str] = field(default_factory=list)
    streets: list[str] = field(default_factory=list)
    election_districts: list[str] = field(default_factory=list)
    building_refs: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.polygon
            or self.zip_codes
            or self.streets
            or self.election_districts
            or self.building_refs
        )

    def criteria(self) -> dict:
        keys = ("zip_codes", "streets", "election_districts", "building_refs")
        return {key: getattr(self, key) for key in keys if getattr(self, key)}

    def where(self) -> tuple[str, list]:
        """The SQL condition on ``hubs_building b`` and its parameters."""
        if self.is_empty:
            raise TurfError(_("Draw a shape or fill at least one list to cut turf."))
        clauses, params = [], []
        if self.polygon:
            clauses.append("b.location <@ %s::polygon")
            params.append(polygon_literal(self.polygon))
        if self.zip_codes:
            clauses.append("b.zip_code = ANY(%s)")
            params.append(self.zip_codes)
        if self.streets:
            clauses.append("b.street_key = ANY(%s)")
            params.append([street_key(s) for s in self.streets])
        if self.election_districts:
            clauses.append("b.election_district = ANY(%s)")
            params.append(self.election_districts)
        if self.building_refs:
            clauses.append("b.building_ref = ANY(%s)")
            params.append(self.building_refs)
        return " AND ".join(clauses), params


def cuttable_units_sql(by) -> tuple[str, list]:
    """A SQL condition on ``hubs_unit u``: the door is one ``by`` may cut (see the module note),
    and its parameters. Empty for staff and system callers."""
    if by is None or (by.is_active and by.role == Role.STAFF):
        return "", []
    scope, params = contacts_for_user(by).values("pk").query.sql_with_params()
    return (
        "NOT EXISTS (SELECT 1 FROM hubs_residence sr WHERE sr.unit_id = u.id "
        f"AND sr.contact_id NOT IN ({scope}))",
        list(params),
    )


def _where_for(cut: TurfCut, by) -> tuple[str, list]:
    where, params = cut.where()
    scope, scope_params = cuttable_units_sql(by)
    if scope:
        return f"({where}) AND {scope}", [*params, *scope_params]
    return where, params


@dataclass(frozen=True)
class CutCount:
    doors: int
    buildings: int
    people: int


def turf_cut_count(*, cut: TurfCut, by) -> CutCount:
    """How many doors (units), buildings and people (residences) a cut by ``by`` takes (only
    the doors they may cut: see the module note). One query."""
    where, params = _where_for(cut, by)
    sql = (
        "WITH units AS (SELECT u.id, u.building_id FROM hubs_unit u "
        f"JOIN hubs_building b ON b.id = u.building_id WHERE {where}) "
        "SELECT (SELECT count(*) FROM units), (SELECT count(DISTINCT building_id) FROM units), "
        "(SELECT count(DISTINCT r.contact_id) FROM hubs_residence r "
        "JOIN units ON units.id = r.unit_id)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        doors, buildings, people = cursor.fetchone()
    return CutCount(doors=doors, buildings=buildings, people=people)


def turf_create(*, hub: Hub, name: str, cut: TurfCut, by) -> Turf:
    """A turf with every door the cut takes that ``by`` may cut (see the module note), numbered
    in walking order. One INSERT … SELECT."""
    where, params = _where_for(cut, by)
    with transaction.atomic():
        turf = Turf.objects.create(
            hub=hub, name=name, area=cut.polygon or None, criteria=cut.criteria(), created_by=by
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO hubs_turfdoor (turf_id, unit_id, position) "
                f"SELECT %s, u.id, row_number() OVER (ORDER BY {WALKING_ORDER}) "
                "FROM hubs_unit u JOIN hubs_building b ON b.id = u.building_id "
                f"WHERE {where}",
                [turf.pk, *params],
            )
            if cursor.rowcount == 0:
                raise TurfError(
                    _("No doors fall inside this cut. Draw a bigger shape or widen it.")
                )
    return turf


# --- Splitting into pieces ------------------------------------------------------------------


def _group_by_building(doors: Sequence[tuple[int, int]], size: int) -> list[list[int]]:
    """Door ids (in walking order, with their building) in runs of about ``size`` doors; a
    building's doors always stay in one run."""
    runs: list[list[int]] = []
    current: list[int] = []
    i = 0
    while i < len(doors):
        building = doors[i][1]
        j = i
        while j < len(doors) and doors[j][1] == building:
            j += 1
        group = [door for door, _ in doors[i:j]]
        if current and len(current) + len(group) > size:
            runs.append(current)
            current = []
        current.extend(group)
        i = j
    if current:
        runs.append(current)
    return runs


def _doors_in_order(turf: Turf, *, piece: TurfPiece | None = None, unvisited: bool = False):
    doors = TurfDoor.objects.filter(turf=turf)
    if piece is not None:
        doors = doors.filter(piece=piece)
    if unvisited:
        doors = doors.exclude(pk__in=DoorResult.objects.filter(door__isnull=False).values("door"))
    return list(doors.order_by("position", "pk").values_list("pk", "unit__building_id"))


def _set_pieces(runs: list[list[int]], pieces: list[TurfPiece]) -> None:
    door_ids = [door for run in runs for door in run]
    piece_ids = [piece.pk for run, piece in zip(runs, pieces, strict=True) for _ in run]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE hubs_turfdoor d SET piece_id = v.piece FROM "
            "unnest(%s::bigint[], %s::bigint[]) AS v(id, piece) WHERE d.id = v.id",
            [door_ids, piece_ids],
        )


def turf_has_results(turf: Turf) -> bool:
    return DoorResult.objects.filter(door__turf=turf).exists()


def turf_split(*, turf: Turf, size: int) -> list[TurfPiece]:
    """Cut the turf into pieces of about ``size`` doors in walking order, replacing its pieces.

    A turf with results is refused: its pieces are the history of who knocked where. Move the
    doors left with :func:`piece_rebalance` instead."""
    if size < 1:
        raise TurfError(_("A piece needs at least one door."))
    with transaction.atomic():
        Turf.objects.select_for_update().get(pk=turf.pk)
        if turf_has_results(turf):
            raise TurfError(
                _(
                    "This turf already has results at its doors, so its pieces stay as they "
                    "are. Use “Move remaining doors” on a piece instead."
                )
            )
        TurfDoor.objects.filter(turf=turf).update(piece=None)
        TurfPiece.objects.filter(turf=turf).delete()
        runs = _group_by_building(_doors_in_order(turf), size)
        pieces = TurfPiece.objects.bulk_create(
            [TurfPiece(turf=turf, number=n) for n in range(1, len(runs) + 1)]
        )
        _set_pieces(runs, pieces)
    return pieces


# --- Assignment and rebalancing -------------------------------------------------------------


def _check_member(hub: Hub, user) -> None:
    if not HubRole.objects.filter(hub=hub, user_id=user.pk).exists():
        raise TurfError(
            _("%(user)s is not a member of %(hub)s: add them to the hub first.")
            % {"user": user, "hub": hub}
        )


def _start_assignments(piece: TurfPiece, door_ids: list[int] | None, *, by, now) -> None:
    """End the open history rows of these doors and open new ones for the piece's assignee."""
    doors = TurfDoor.objects.filter(piece=piece)
    if door_ids is not None:
        doors = doors.filter(pk__in=door_ids)
    DoorAssignment.objects.filter(door__in=doors, ended_at__isnull=True).update(ended_at=now)
    if piece.assigned_to_id is None:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO hubs_doorassignment (door_id, piece_id, assignee_id, started_at, by_id) "
            "SELECT d.id, %s, %s, %s, %s FROM hubs_turfdoor d WHERE d.piece_id = %s"
            + (" AND d.id = ANY(%s)" if door_ids is not None else ""),
            [piece.pk, piece.assigned_to_id, now, getattr(by, "pk", None), piece.pk]
            + ([door_ids] if door_ids is not None else []),
        )


def piece_assign(*, piece: TurfPiece, assignee, due_on: date | None, by) -> TurfPiece:
    """Give a piece to a member of the hub, with a due date; the history records it."""
    _check_member(piece.turf.hub, assignee)
    with transaction.atomic():
        piece.assigned_to = assignee
        piece.due_on = due_on
        piece.save(update_fields=["assigned_to", "due_on"])
        _start_assignments(piece, None, by=by, now=timezone.now())
    return piece


def piece_rebalance(
    *, piece: TurfPiece, assignees: Sequence, due_on: date | None, by
) -> list[TurfPiece]:
    """Move the doors of ``piece`` nobody has a result for yet into new pieces, one per
    assignee (split in walking order, buildings kept whole), in one step. The piece is then
    marked emptied (``emptied_at``): no longer an open assignment, its results and history
    stay."""
    if not assignees:
        raise TurfError(_("Choose who takes the remaining doors."))
    turf = piece.turf
    for assignee in assignees:
        _check_member(turf.hub, assignee)
    with transaction.atomic():
        Turf.objects.select_for_update().get(pk=turf.pk)
        doors = _doors_in_order(turf, piece=piece, unvisited=True)
        if not doors:
            raise TurfError(_("Every door of this piece has a result: there is nothing to move."))
        size = -(-len(doors) // len(assignees))
        runs = _group_by_building(doors, size)
        keep = len(assignees) - 1
        runs = [*runs[:keep], [door for run in runs[keep:] for door in run]]
        last = TurfPiece.objects.filter(turf=turf).order_by("-number").first()
        pieces = TurfPiece.objects.bulk_create(
            [
                TurfPiece(turf=turf, number=last.number + n, assigned_to=who, due_on=due_on)
                for n, who in enumerate(assignees[: len(runs)], start=1)
            ]
        )
        now = timezone.now()
        moved = [door for run in runs for door in run]
        DoorAssignment.objects.filter(door_id__in=moved, ended_at__isnull=True).update(ended_at=now)
        _set_pieces(runs, pieces)
        for new_piece, run in zip(pieces, runs, strict=True):
            _start_assignments(new_piece, run, by=by, now=now)
        # Every door left on the piece has a result: nothing remains to walk there.
        piece.emptied_at = now
        piece.save(update_fields=["emptied_at"])
    return pieces
