"""One definition per report metric. Pages, CSV exports, the weekly email and the API read
every number here, and every number's drill-down list is built from the same expression as its
count (``*_people`` below filters by exactly what the count grouped by), so they always agree.

Campaign metrics are not defined here: they come from ``campaigns.metrics``.

- **member**: membership in good standing (now; the membership history is not recorded).
- **active in 30 / 90 days**: at least one row in the activity ledger (``contacts.Activity``:
  one-on-ones, events attended, shifts, doors, recruiting, leading) in the 30 or 90 days
  before the end of the period.
- **stage at a date**: the ``to_stage`` of the person's latest ``LadderMove`` before the end
  of that day; nobody with no move yet has a stage. The same rule gives "now" and any past date.
- **leader / organizer**: at the second-highest / highest ladder stage at the end of the period.
  Stages are configurable; these two are the top of whatever ladder staff set.
- **neighborhood**: the first neighborhood (by id) listing the person's 5-digit ZIP, else the
  first whose shape holds their map point (core PostgreSQL ``point <@ polygon``, no PostGIS).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL

from contacts.models import Activity, Contact, LadderMove, LadderStage
from reports.models import Neighborhood
from reports.routers import reports_alias
from reports.selectors import Scope

ACTIVE_WINDOWS = {"active_30": 30, "active_90": 90}

# --- Who a person is --------------------------------------------------------------------------


def active_q(scope: Scope, days: int) -> Q:
    since = scope.end_at - dt.timedelta(days=days)
    recent = Activity.objects.filter(
        contact_id=OuterRef("pk"), occurred_at__gte=since, occurred_at__lt=scope.end_at
    )
    return Q(Exists(recent))


def top_stages() -> tuple[int | None, int | None]:
    """(leader stage id, organizer stage id): the two highest stages of the ladder."""
    ids = list(LadderStage.objects.order_by("-position").values_list("pk", flat=True)[:2])
    organizer = ids[0] if ids else None
    leader = ids[1] if len(ids) > 1 else None
    return leader, organizer


def stage_at(when: dt.datetime) -> Subquery:
    """The stage id a person was at just before ``when`` (the latest move before it)."""
    moves = LadderMove.objects.filter(contact_id=OuterRef("pk"), at__lt=when).order_by("-at", "-pk")
    return Subquery(moves.values("to_stage_id")[:1], output_field=IntegerField())


def stage_position_at(when: dt.datetime) -> Subquery:
    moves = LadderMove.objects.filter(contact_id=OuterRef("pk"), at__lt=when).order_by("-at", "-pk")
    return Subquery(moves.values("to_stage__position")[:1], output_field=IntegerField())


PERSON_METRICS = ("members", "active_30", "active_90", "leaders", "organizers")


def person_filters(scope: Scope) -> dict[str, Q]:
    """The depth metrics as filters on people annotated with ``stage_end``."""
    leader, organizer = top_stages()
    return {
        "members": Q(membership_status=Contact.Membership.GOOD_STANDING),
        "active_30": active_q(scope, 30),
        "active_90": active_q(scope, 90),
        "leaders": Q(stage_end=leader) if leader else Q(pk__in=[]),
        "organizers": Q(stage_end=organizer) if organizer else Q(pk__in=[]),
    }


# --- 1. Depth by neighborhood -----------------------------------------------------------------

_HOOD_SQL = """COALESCE(
  (SELECT n.id FROM reports_neighborhood n
    WHERE left("contacts_contact"."zip_code", 5) <> ''
      AND left("contacts_contact"."zip_code", 5) = ANY(n.zip_codes)
    ORDER BY n.id LIMIT 1),
  (SELECT n.id FROM reports_neighborhood n
    WHERE "contacts_contact"."longitude" IS NOT NULL AND "contacts_contact"."latitude" IS NOT NULL
      AND n.shape IS NOT NULL
      AND point("contacts_contact"."longitude", "contacts_contact"."latitude") <@ n.shape
    ORDER BY n.id LIMIT 1))"""


def neighborhood_expr() -> RawSQL:
    return RawSQL(_HOOD_SQL, [], output_field=IntegerField())  # noqa: S611 (constant SQL)


def _placed(scope: Scope) -> QuerySet[Contact]:
    return scope.people.annotate(hood=neighborhood_expr(), stage_end=stage_at(scope.end_at))


@dataclass
class DepthRow:
    key: str  # neighborhood id, or "none" for people placed in no neighborhood
    name: str
    residents: int | None
    counts: dict[str, int]
    shape: list | None = None

    def per_1000(self, metric: str) -> float | None:
        if not self.residents:
            return None
        return round(self.counts[metric] * 1000 / self.residents, 2)

    @property
    def rates(self) -> dict[str, float | None]:
        return {m: self.per_1000(m) for m in PERSON_METRICS}


@dataclass
class Depth:
    rows: list[DepthRow]
    unplaced: DepthRow
    total: DepthRow
    metrics: tuple[str, ...] = PERSON_METRICS
    residents_per_member: int | None = field(default=None)


def depth(scope: Scope) -> Depth:
    filters = person_filters(scope)
    aggregates = {m: Count("pk", filter=q) for m, q in filters.items()}
    grouped = {
        row["hood"]: row for row in _placed(scope).order_by().values("hood").annotate(**aggregates)
    }
    empty = dict.fromkeys(PERSON_METRICS, 0)
    rows = []
    for hood in Neighborhood.objects.order_by("name"):
        found = grouped.get(hood.pk, {})
        counts = {m: found.get(m, 0) for m in PERSON_METRICS}
        rows.append(DepthRow(str(hood.pk), hood.name, hood.residents, counts, hood.shape))
    none = grouped.get(None, {})
    unplaced = DepthRow("none", "", None, {m: none.get(m, 0) for m in PERSON_METRICS})
    residents = sum(r.residents for r in rows)
    total = DepthRow(
        "all",
        "",
        residents,
        {m: sum(r.counts[m] for r in rows) for m in PERSON_METRICS} if rows else dict(empty),
    )
    members = total.counts["members"]
    per = round(residents / members) if members and residents else None
    return Depth(rows, unplaced, total, residents_per_member=per)


def depth_people(scope: Scope, key: str, metric: str) -> QuerySet[Contact]:
    """The people behind one depth cell: the same filter the count used."""
    qs = _placed(scope).filter(person_filters(scope)[metric])
    if key == "none":
        return qs.filter(hood__isnull=True)
    if key == "all":
        return qs.filter(hood__isnull=False)
    return qs.filter(hood=int(key))


# --- 2. Ladder --------------------------------------------------------------------------------


@dataclass
class LadderRow:
    stage_id: int | None
    name: str
    position: int | None
    now: int = 0
    at_start: int = 0
    moved_up: int = 0  # of those at this stage at the start, how many are higher at the end
    conversion: float | None = None  # moved_up / at_start, in %
    median_days_up: float | None = None  # days spent at this stage before moving up


@dataclass
class Ladder:
    rows: list[LadderRow]
    matrix: dict[tuple[str, str], int]  # (from key, to key) -> people; "none" for no stage
    keys: list[tuple[str, str]]  # (key, label) in ladder order
    moved_up_total: int = 0


def _ladder_people(scope: Scope) -> QuerySet[Contact]:
    return scope.people.annotate(
        stage_start=stage_at(scope.start_at),
        stage_end=stage_at(scope.end_at),
        pos_start=stage_position_at(scope.start_at),
        pos_end=stage_position_at(scope.end_at),
    )


def moved_up_q() -> Q:
    """Higher on the ladder at the end of the period than at its start (no stage counts as
    below every stage)."""
    return Q(pos_end__isnull=False) & (Q(pos_start__isnull=True) | Q(pos_end__gt=F("pos_start")))


def stage_counts_at(scope: Scope, when: dt.datetime) -> dict[int | None, int]:
    """People at each stage just before ``when`` (``None``: no stage yet)."""
    qs = scope.people.filter(created_at__lt=when).annotate(at=stage_at(when))
    return {r["at"]: r["n"] for r in qs.order_by().values("at").annotate(n=Count("pk"))}


def people_at_stage(scope: Scope, when: dt.datetime, key: str) -> QuerySet[Contact]:
    qs = scope.people.filter(created_at__lt=when).annotate(at=stage_at(when))
    return qs.filter(at__isnull=True) if key == "none" else qs.filter(at=int(key))


def _median_days_up(scope: Scope) -> dict[int, float]:
    """Per stage: the median days people spent at it before a move up that happened in the
    period (from the move into the stage to the move out of it)."""
    ids_sql, params = scope.people.order_by().values("pk").query.sql_with_params()
    sql = f"""
        WITH moves AS (
          SELECT m.contact_id, m.at, m.from_stage_id, m.to_stage_id,
                 lag(m.at) OVER (PARTITION BY m.contact_id ORDER BY m.at, m.id) AS entered_at
          FROM contacts_laddermove m
          WHERE m.contact_id IN ({ids_sql}) AND m.at < %s
        )
        SELECT mv.from_stage_id,
               percentile_cont(0.5) WITHIN GROUP (
                 ORDER BY extract(epoch FROM mv.at - mv.entered_at) / 86400.0)
        FROM moves mv
        JOIN contacts_ladderstage f ON f.id = mv.from_stage_id
        JOIN contacts_ladderstage t ON t.id = mv.to_stage_id
        WHERE t.position > f.position AND mv.at >= %s AND mv.entered_at IS NOT NULL
        GROUP BY mv.from_stage_id"""
    with connections[reports_alias()].cursor() as cursor:
        cursor.execute(sql, [*params, scope.end_at, scope.start_at])
        return {stage: round(days, 1) for stage, days in cursor.fetchall()}


def ladder(scope: Scope) -> Ladder:
    stages = list(LadderStage.objects.order_by("position"))
    now = stage_counts_at(scope, scope.end_at)
    matrix_rows = (
        _ladder_people(scope)
        .filter(created_at__lt=scope.end_at)
        .order_by()
        .values("stage_start", "stage_end")
        .annotate(n=Count("pk"), up=Count("pk", filter=moved_up_q()))
    )
    matrix: dict[tuple[str, str], int] = {}
    at_start: dict[int | None, int] = {}
    up: dict[int | None, int] = {}
    for r in matrix_rows:
        a, b = r["stage_start"], r["stage_end"]
        matrix[(_key(a), _key(b))] = r["n"]
        at_start[a] = at_start.get(a, 0) + r["n"]
        up[a] = up.get(a, 0) + r["up"]
    medians = _median_days_up(scope)
    rows = []
    for s in [None, *stages]:
        sid = s.pk if s else None
        row = LadderRow(sid, s.name if s else "", s.position if s else None)
        row.now, row.at_start, row.moved_up = now.get(sid, 0), at_start.get(sid, 0), up.get(sid, 0)
        if row.at_start and sid != (stages[-1].pk if stages else None):
            row.conversion = round(100 * row.moved_up / row.at_start, 1)
        row.median_days_up = medians.get(sid)
        rows.append(row)
    keys = [("none", "")] + [(str(s.pk), s.name) for s in stages]
    return Ladder(rows, matrix, keys, moved_up_total=sum(up.values()))


def _key(stage_id: int | None) -> str:
    return "none" if stage_id is None else str(stage_id)


def ladder_people(scope: Scope, metric: str, key: str = "", to: str = "") -> QuerySet[Contact]:
    """Drill-downs of the ladder report. ``metric``: ``now`` (at stage ``key`` at the end),
    ``moved_up`` (from stage ``key`` at the start, or everyone with ``key`` "all"), ``move``
    (from ``key`` at the start to ``to`` at the end)."""
    if metric == "now":
        return people_at_stage(scope, scope.end_at, key)
    qs = _ladder_people(scope).filter(created_at__lt=scope.end_at)
    if metric == "moved_up":
        qs = qs.filter(moved_up_q())
        if key == "all":
            return qs
        return qs.filter(stage_start__isnull=True) if key == "none" else qs.filter(stage_start=key)
    if metric == "at_start":
        return qs.filter(stage_start__isnull=True) if key == "none" else qs.filter(stage_start=key)
    # "move": one cell of the matrix
    qs = qs.filter(stage_start__isnull=True) if key == "none" else qs.filter(stage_start=key)
    return qs.filter(stage_end__isnull=True) if to == "none" else qs.filter(stage_end=to)
