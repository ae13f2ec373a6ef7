"""Writes of the reports app: neighborhoods (import from CSV), logged CSV exports, and the
refresh of the precomputed person facts (``reports_personfact``)."""

from __future__ import annotations

import io
import itertools
import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import ExportLog
from organizer.lib.csvfiles import CsvFileError, csv_lines, read_table
from organizer.lib.geo import geojson_ring
from reports.models import DistrictReach, Neighborhood, Reach, ReportRefresh

MAX_NEIGHBORHOODS = 5000
MAX_SHAPE_POINTS = 5000
MAX_RESIDENTS = 50_000_000


class NeighborhoodImportError(Exception):
    pass


@dataclass
class NeighborhoodImport:
    created: int = 0
    updated: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)


def _shape(text: str) -> list[tuple[float, float]] | None:
    """The outer ring of a GeoJSON shape (``organizer.lib.geo.geojson_ring``), or None."""
    if not text.strip():
        return None
    return geojson_ring(json.loads(text), max_points=MAX_SHAPE_POINTS)


def _zips(text: str) -> list[str]:
    zips = [z.strip()[:5] for z in text.replace(";", " ").replace(",", " ").split() if z.strip()]
    if any(not (z.isascii() and z.isdigit()) or len(z) != 5 for z in zips):
        raise ValueError(_("ZIP codes must be 5 digits"))
    if len(zips) > 200:
        raise ValueError(_("at most 200 ZIP codes per neighborhood"))
    return sorted(set(zips))


def neighborhoods_import(*, content: bytes) -> NeighborhoodImport:
    """Create or update neighborhoods by name from a CSV (name, residents, zip_codes, shape).
    A bad row is rejected with its line and reason; the good rows are saved together."""
    try:
        csv_file = read_table(content, kind="reports")
    except CsvFileError as exc:
        raise NeighborhoodImportError(str(exc)) from None
    header = [h.strip().lower().replace(" ", "_") for h in csv_file.header]
    if "name" not in header or "residents" not in header:
        raise NeighborhoodImportError(_("The file needs the columns “name” and “residents”."))
    if len(csv_file.records) > MAX_NEIGHBORHOODS:
        raise NeighborhoodImportError(
            _("At most %(n)s neighborhoods per file.") % {"n": MAX_NEIGHBORHOODS}
        )
    result = NeighborhoodImport()
    rows = []
    for line, cells in csv_file.records:
        cell = dict(zip(header, [c.strip() for c in cells], strict=False))
        try:
            name = cell.get("name", "")
            if not name or len(name) > 120:
                raise ValueError(_("the name is missing or longer than 120 characters"))
            residents = int(cell.get("residents", "").replace(",", ""))
            if not 0 < residents <= MAX_RESIDENTS:
                raise ValueError(_("residents must be a positive number"))
            rows.append((name, residents, _zips(cell.get("zip_codes", "")), cell.get("shape", "")))
            rows[-1] = (*rows[-1][:3], _shape(rows[-1][3]))
        except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
            reason = str(exc) if isinstance(exc, ValueError) and str(exc) else _("bad value")
            if "invalid literal" in reason or "Expecting" in reason:
                reason = _("bad value")
            result.rejected.append((line, reason))
    with transaction.atomic():
        for name, residents, zips, shape in rows:
            _obj, created = Neighborhood.objects.update_or_create(
                name=name, defaults={"residents": residents, "zip_codes": zips, "shape": shape}
            )
            result.created += created
            result.updated += not created
        if rows:
            person_facts_refresh_later()
    return result


def report_export(
    *, by, name: str, header: list[str], rows: Iterable[list], query: str = ""
) -> Iterator[str]:
    """Record the export like the people export, then stream the table as CSV lines with every
    cell escaped (``organizer.lib.csvfiles``, the project's one CSV writer and escaper)."""
    rows = list(rows)
    ExportLog.objects.create(
        user=by, what=f"report:{name}"[:60], query=query[:1000], row_count=len(rows)
    )
    return csv_lines(itertools.chain([header], rows), bom=True)


def csv_text(lines: Iterable[str]) -> str:
    buf = io.StringIO()
    for line in lines:
        buf.write(line)
    return buf.getvalue()


def reach_import(*, content: bytes, source: str) -> NeighborhoodImport:
    """Import a result: one row per neighborhood (column ``neighborhood``, matched by name) with
    ``votes`` or ``supporters``. Importing the same result again replaces its numbers."""
    source = source.strip()[:120]
    if not source:
        raise NeighborhoodImportError(_("Name the result (for example “2025 primary”)."))
    try:
        csv_file = read_table(content, kind="reports")
    except CsvFileError as exc:
        raise NeighborhoodImportError(str(exc)) from None
    header = [h.strip().lower() for h in csv_file.header]
    count_col = next((c for c in ("supporters", "votes") if c in header), None)
    if "neighborhood" not in header or count_col is None:
        raise NeighborhoodImportError(
            _("The file needs the columns “neighborhood” and “votes” or “supporters”.")
        )
    if len(csv_file.records) > MAX_NEIGHBORHOODS:
        raise NeighborhoodImportError(_("At most %(n)s rows per file.") % {"n": MAX_NEIGHBORHOODS})
    hoods = {n.name.casefold(): n for n in Neighborhood.objects.all()}
    result = NeighborhoodImport()
    good = []
    for line, cells in csv_file.records:
        cell = dict(zip(header, [c.strip() for c in cells], strict=False))
        hood = hoods.get(cell.get("neighborhood", "").casefold())
        if hood is None:
            result.rejected.append((line, _("no neighborhood with this name")))
            continue
        n = _count(cell.get(count_col, ""))
        if n is None:
            result.rejected.append((line, _("the count is not a number")))
            continue
        good.append((hood, n))
    with transaction.atomic():
        for hood, n in good:
            _obj, created = Reach.objects.update_or_create(
                source=source, neighborhood=hood, defaults={"supporters": n}
            )
            result.created += created
            result.updated += not created
    return result


def _count(text: str) -> int | None:
    """A result's count as typed ("12,345"), or None when it is not a count we take."""
    try:
        n = int(text.replace(",", ""))
    except ValueError:
        return None
    return n if 0 <= n <= MAX_RESIDENTS else None


def district_reach_import(*, content: bytes, source: str, kind: str = "") -> NeighborhoodImport:
    """Import a result per election district: column ``district`` (its name or number, as on
    the district table) with ``votes`` or ``supporters``, and the kind of district chosen on
    the form or in a ``kind`` column ("State assembly", "AD", ``assembly`` …). A row whose
    district is unknown, or whose count is not a number, is rejected with its line and reason;
    the good rows are saved together. Importing the same result again replaces its numbers."""
    from campaigns.models import District
    from campaigns.services.pressure import district_kind

    source = source.strip()[:120]
    if not source:
        raise NeighborhoodImportError(_("Name the result (for example “2025 primary”)."))
    try:
        csv_file = read_table(content, kind="reports")
    except CsvFileError as exc:
        raise NeighborhoodImportError(str(exc)) from None
    header = [h.strip().lower().replace(" ", "_") for h in csv_file.header]
    count_col = next((c for c in ("supporters", "votes") if c in header), None)
    kind_col = next((c for c in ("kind", "district_kind") if c in header), None)
    if "district" not in header or count_col is None:
        raise NeighborhoodImportError(
            _("The file needs the columns “district” and “votes” or “supporters”.")
        )
    if not kind and kind_col is None:
        raise NeighborhoodImportError(
            _("Choose the kind of district, or add a “kind” column to the file.")
        )
    if len(csv_file.records) > MAX_NEIGHBORHOODS:
        raise NeighborhoodImportError(_("At most %(n)s rows per file.") % {"n": MAX_NEIGHBORHOODS})
    districts = {(d.kind, d.name.casefold()): d for d in District.objects.all()}
    result = NeighborhoodImport()
    good: dict[int, tuple] = {}
    for line, cells in csv_file.records:
        cell = dict(zip(header, [c.strip() for c in cells], strict=False))
        row_kind = (
            district_kind(cell.get(kind_col, "")) if kind_col and cell.get(kind_col) else kind
        )
        if not row_kind:
            result.rejected.append((line, _("unknown kind of district")))
            continue
        name = " ".join(cell.get("district", "").split())[:60]
        district = districts.get((row_kind, name.casefold()))
        if district is None:
            result.rejected.append((line, _("no district of this kind with this name")))
            continue
        n = _count(cell.get(count_col, ""))
        if n is None:
            result.rejected.append((line, _("the count is not a number")))
            continue
        if district.pk in good:
            result.rejected.append(
                (line, _("this district is already on line %(n)s") % {"n": good[district.pk][0]})
            )
            continue
        good[district.pk] = (line, district, n)
    with transaction.atomic():
        for _line, district, n in good.values():
            _obj, created = DistrictReach.objects.update_or_create(
                source=source,
                district=district,
                defaults={"supporters": n, "imported_at": timezone.now()},
            )
            result.created += created
            result.updated += not created
    return result


# --- The precomputed person facts -------------------------------------------------------------

PERSON_FACTS = "person_facts"


def person_facts_refresh() -> ReportRefresh:
    """Rewrite ``reports_personfact`` (each person's neighborhood and first activity) in one
    set-based statement, then who lives in which election district (:func:`_districts_refresh`),
    and record when. ``CONCURRENTLY``: pages keep reading the previous contents meanwhile (it
    needs the view's unique index, and a first fill without it). Runs in Celery (beat, and on
    demand) where no statement timeout applies; two runs at once wait for each other on the
    view's lock."""
    started, clock = timezone.now(), time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relispopulated FROM pg_class WHERE oid = 'reports_personfact'::regclass"
        )
        concurrently = "CONCURRENTLY" if cursor.fetchone()[0] else ""
        cursor.execute(f"REFRESH MATERIALIZED VIEW {concurrently} reports_personfact")
        cursor.execute("SELECT count(*) FROM reports_personfact")
        rows = cursor.fetchone()[0]
    _districts_refresh()
    refresh, _created = ReportRefresh.objects.update_or_create(
        name=PERSON_FACTS,
        defaults={"refreshed_at": started, "seconds": time.monotonic() - clock, "rows": rows},
    )
    return refresh


def _districts_refresh() -> None:
    """Rewrite ``reports_persondistrict``: everyone with the district(s) of each kind they live
    in, by ``campaigns.selectors.pressure.district_residents_sql`` (the one rule), one statement
    per kind of district loaded. In one transaction: pages read the previous rows until it
    commits (a DELETE, not a TRUNCATE, which would make them wait)."""
    from campaigns.models import District
    from campaigns.selectors.pressure import district_residents_sql

    people = "SELECT c.id, c.longitude, c.latitude, c.zip_code FROM contacts_contact c"
    kinds = sorted(set(District.objects.values_list("kind", flat=True)))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM reports_persondistrict")
        for kind in kinds:  # in person order: the pages read the rows in that order
            residents, params = district_residents_sql(people, kind)
            cursor.execute(
                "INSERT INTO reports_persondistrict (contact_id, district_id)"
                f" SELECT DISTINCT r.id, r.district_id FROM ({residents}) r ORDER BY 1, 2",
                params,
            )
    with connection.cursor() as cursor:
        # Statistics, and (VACUUM) the visibility map, so that pages read the key alone; VACUUM
        # runs outside a transaction only, as in the task.
        vacuum = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        cursor.execute(f"{vacuum} reports_persondistrict")


def person_facts_refresh_later() -> None:
    """Queue a refresh on commit (after neighborhoods change, or when staff ask for one). With
    the broker down nothing waits: beat's next run (15 minutes at most) does it."""
    from organizer.lib.tasks import enqueue_on_commit
    from reports.tasks import person_facts_refresh_task

    enqueue_on_commit(person_facts_refresh_task)


def person_facts_as_of():
    """When the person facts were last refreshed (None: never since the tables were created)."""
    from reports.routers import reports_alias

    found = (
        ReportRefresh.objects.using(reports_alias())
        .filter(name=PERSON_FACTS)
        .values_list("refreshed_at", flat=True)
        .first()
    )
    return found
