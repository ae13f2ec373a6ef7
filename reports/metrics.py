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
  first whose shape holds their map point (core PostgreSQL ``point <@ polygon``, no PostGIS),
  as of the last refresh of the precomputed person facts (``reports.models.PersonFact``).
- **first active**: the person's first activity ever, as of that same refresh (cohorts).

Precomputed (a ``reports_personfact`` row per person, refreshed by Celery; ``reports.services``):
the two facts above, which do not depend on the report's dates, and — as of the refresh — each
person's latest activity and last two ladder moves. A period that ends after the refresh (the
usual one, ending tonight: ``Scope.facts_now``) reads "active in 30/90 days" and the stage at
its end from those, and the stage at its start from the last two moves (the moves of people
with two or more since the start are looked up). A period that ended before the refresh is
computed live, with an index behind each per-person probe. Pages that use the facts say "as
of"; counts and their drill-down lists read the same rows through the same expressions, so
they agree. The same refresh writes who lives in which election district
(``reports_persondistrict``, the campaigns app's rule), for reach by district.

For the whole chapter (``Scope.everyone``) the facts are read in person order and merged with
the people read in id order from their covering index (:func:`_facts`): no wide person rows
read and no million-row hash built.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from contacts.models import (
    Activity,
    Contact,
    FollowUp,
    HubMember,
    Interaction,
    LadderMove,
    LadderStage,
)
from reports.models import Neighborhood, PersonFact
from reports.routers import reports_alias
from reports.selectors import Scope

ACTIVE_WINDOWS = {"active_30": 30, "active_90": 90}

# --- Who a person is --------------------------------------------------------------------------


def active_people(scope: Scope, days: int) -> QuerySet:
    """The ids of the people with any activity in the ``days`` before the end of the period:
    one range scan of the ledger's (occurred_at, contact) index, hashed once, rather than a
    look-up per person. For a period ending after the last refresh (``scope.facts_now``): the
    people whose last activity as of the refresh falls in those days."""
    since = scope.end_at - dt.timedelta(days=days)
    if scope.facts_now:
        return PersonFact.objects.filter(last_active_at__gte=since).values("contact_id")
    recent = Activity.objects.filter(occurred_at__gte=since, occurred_at__lt=scope.end_at)
    return recent.values("contact_id")


def active_q(scope: Scope, days: int) -> Q:
    return Q(pk__in=active_people(scope, days))


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


def latest_stages_sql(when: dt.datetime) -> tuple[str, list]:
    """:func:`stage_at` for everyone at once, as a set to join (contact_id, to_stage_id): one
    pass over the moves in (contact, -at) order instead of a look-up per person. The grouped
    counts join it; the drill-down lists filter by :func:`stage_at`; the rule is the same (the
    latest move before ``when``, the later id first among moves at the same moment)."""
    return (
        "SELECT DISTINCT ON (m.contact_id) m.contact_id, m.to_stage_id"
        " FROM contacts_laddermove m WHERE m.at < %s"
        " ORDER BY m.contact_id, m.at DESC, m.id DESC",
        [when],
    )


def stage_end(scope: Scope) -> Subquery | F:
    """The stage id at the end of the period: :func:`stage_at`, or for a period ending after
    the last refresh the stage as of it (``PersonFact.stage``; none without a fact row)."""
    return F("report_fact__stage_id") if scope.facts_now else stage_at(scope.end_at)


def stage_position_end(scope: Scope) -> Subquery | F:
    if scope.facts_now:
        return F("report_fact__stage__position")
    return stage_position_at(scope.end_at)


def end_stages_sql(scope: Scope) -> tuple[str, list]:
    """:func:`stage_end` for everyone at once, as a set to join (contact_id, to_stage_id)."""
    if scope.facts_now:
        return (
            "SELECT pf.contact_id, pf.stage_id AS to_stage_id FROM reports_personfact pf"
            " WHERE pf.stage_id IS NOT NULL",
            [],
        )
    return latest_stages_sql(scope.end_at)


def _facts_at_start(scope: Scope) -> bool:
    """The stage at the start can come from the facts: the period ends after the refresh and
    starts before it, so the person's last two moves before the refresh tell their stage at
    the start unless both are after it."""
    return scope.facts_now and scope.start_at <= scope.facts_as_of


def _start_case(scope: Scope, latest, previous, looked_up) -> Case:
    """The stage (or its position) at the start from the fact row: no move at all, none; the
    latest move before the start, its stage; else the move before it, if before the start;
    else (two moves or more since the start) ``looked_up`` in the moves."""
    start = scope.start_at
    return Case(
        When(report_fact__moved_at__isnull=True, then=Value(None)),
        When(report_fact__moved_at__lt=start, then=latest),
        When(report_fact__prev_moved_at__isnull=True, then=Value(None)),
        When(report_fact__prev_moved_at__lt=start, then=previous),
        default=looked_up,
        output_field=IntegerField(),
    )


def stage_start(scope: Scope) -> Subquery | Case:
    """The stage id at the start of the period (:func:`stage_at`), from the facts when they
    tell it (:func:`_facts_at_start`, :func:`_start_case`)."""
    if not _facts_at_start(scope):
        return stage_at(scope.start_at)
    return _start_case(
        scope,
        F("report_fact__stage_id"),
        F("report_fact__prev_stage_id"),
        stage_at(scope.start_at),
    )


def stage_position_start(scope: Scope) -> Subquery | Case:
    if not _facts_at_start(scope):
        return stage_position_at(scope.start_at)
    return _start_case(
        scope,
        F("report_fact__stage__position"),
        F("report_fact__prev_stage__position"),
        stage_position_at(scope.start_at),
    )


# Grouping by the start stage, whose look-up reads the person's id, PostgreSQL expects a group
# per person and sorts everyone (1.4 s on a million people, spilling to disk) instead of
# hashing the few dozen groups there are. Computed in a subquery kept apart by OFFSET 0, the
# column counts as a few distinct values, and the groups are hashed.
_FEW_GROUPS = "OFFSET 0"


@dataclass(frozen=True)
class _FactStart:
    """:func:`stage_start` as SQL: ``expr`` on rows "c" (the person), "f" (their fact row) and
    "lk" (``join``, LEFT JOINed after "f"), with their parameters."""

    expr: str
    params: list
    join: str
    join_params: list


def _fact_start_sql(scope: Scope) -> _FactStart:
    """:func:`stage_start` from the fact row: the same cases, the moves looked up only for the
    people with two or more since the start ("lk": their stage at the start, worked out apart
    in a subquery kept apart by OFFSET 0). Written inside the CASE, that look-up was costed by
    PostgreSQL for every person, which hid the price of sorting everyone to group them (it
    sorted a million rows, spilling to disk, instead of hashing a few dozen groups)."""
    start = scope.start_at
    return _FactStart(
        "CASE WHEN f.moved_at IS NULL THEN NULL WHEN f.moved_at < %s THEN f.stage_id"
        " WHEN f.prev_moved_at IS NULL THEN NULL WHEN f.prev_moved_at < %s THEN f.prev_stage_id"
        " ELSE lk.stage_id END",
        [start, start],
        "LEFT JOIN (SELECT f2.contact_id, (SELECT m.to_stage_id FROM contacts_laddermove m"
        "  WHERE m.contact_id = f2.contact_id AND m.at < %s ORDER BY m.at DESC, m.id DESC"
        "  LIMIT 1) AS stage_id FROM reports_personfact f2 WHERE f2.prev_moved_at >= %s"
        " OFFSET 0) lk ON lk.contact_id = c.id",
        [start, start],
    )


def _created_before(qs: QuerySet, when: dt.datetime) -> QuerySet:
    """People added to the database before ``when``; everyone when it has not come yet (the
    usual period ends at midnight tonight), which spares reading every person's row."""
    return qs if when > timezone.now() else qs.filter(created_at__lt=when)


def _stage_expr(scope: Scope, when: dt.datetime) -> Subquery | F:
    return stage_end(scope) if when == scope.end_at else stage_at(when)


def _sql(qs: QuerySet) -> tuple[str, tuple] | None:
    """The SQL of a queryset, to nest in a grouped statement (None: it can match nobody)."""
    try:
        return qs.query.sql_with_params()
    except EmptyResultSet:
        return None


def _facts(scope: Scope) -> str:
    """The person facts, to join to the scope's people (a plain, unordered subquery, which
    PostgreSQL folds into the statement). For the whole chapter, in person order: PostgreSQL then
    merges them with the people read in id order from the (id, membership …) index alone,
    instead of reading every person's full row and hashing a million fact rows — half the time
    or less. Left plain, the people are a table with a unique key, so the merge needs no copy
    of them to step back in (an ordered subquery of people would). For a slice, the view
    itself, which PostgreSQL probes by person or hashes as it sees fit."""
    if scope.everyone:
        return "(SELECT * FROM reports_personfact ORDER BY contact_id)"
    return "reports_personfact"


def _fetch(sql: str, params: list) -> list[tuple]:
    with connections[reports_alias()].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def stage_position_at(when: dt.datetime) -> Subquery:
    moves = LadderMove.objects.filter(contact_id=OuterRef("pk"), at__lt=when).order_by("-at", "-pk")
    return Subquery(moves.values("to_stage__position")[:1], output_field=IntegerField())


def moved_up(stage_start: int | None, stage_end: int | None, positions: dict[int, int]) -> bool:
    """:func:`moved_up_q` for one (start, end) pair of stage ids, for counts grouped by both."""
    if stage_end is None or stage_end not in positions:
        return False
    return stage_start is None or positions[stage_end] > positions.get(stage_start, -1)


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


def neighborhood_expr() -> F:
    """The person's neighborhood id (None: none), from the precomputed person facts."""
    return F("report_fact__neighborhood_id")


def _placed(scope: Scope) -> QuerySet[Contact]:
    return scope.people.annotate(hood=neighborhood_expr(), stage_end=stage_end(scope))


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


def _depth_counts(scope: Scope) -> dict[int | None, dict[str, int]]:
    """The depth counts per neighborhood id, in one statement: the people of the scope joined
    to their precomputed neighborhood and to everyone's stage at the end (a set, see
    :func:`latest_stages_sql`), grouped by both; leaders and organizers are the groups at the
    top two stages. The same definitions as :func:`person_filters` (the drill-down lists)."""
    leader, organizer = top_stages()
    people = _sql(scope.people.order_by().values("pk", "membership_status"))
    if people is None:
        return {}
    since_30 = scope.end_at - dt.timedelta(days=30)
    if scope.facts_now:  # the stage and last activity as of the refresh, on the fact row
        rows = _fetch(
            f"""SELECT f.neighborhood_id, f.stage_id, count(*),
                       count(*) FILTER (WHERE c.membership_status = %s),
                       count(*) FILTER (WHERE f.last_active_at >= %s),
                       count(*) FILTER (WHERE f.last_active_at >= %s)
                FROM ({people[0]}) AS c (id, membership_status)
                LEFT JOIN {_facts(scope)} f ON f.contact_id = c.id
                GROUP BY 1, 2""",
            [
                Contact.Membership.GOOD_STANDING,
                since_30,
                scope.end_at - dt.timedelta(days=90),
                *people[1],
            ],
        )
        return _group_depth(rows, leader, organizer)
    # active_people(scope, 90) with each person's last activity in that window: one scan of
    # the window gives both "active" counts (the 30 days are the end of the 90).
    window = Activity.objects.filter(
        occurred_at__gte=scope.end_at - dt.timedelta(days=90), occurred_at__lt=scope.end_at
    )
    last = _sql(window.values("contact_id").annotate(last_at=Max("occurred_at")).order_by())
    latest = latest_stages_sql(scope.end_at)
    rows = _fetch(
        f"""SELECT f.neighborhood_id, s.to_stage_id, count(*),
                   count(*) FILTER (WHERE c.membership_status = %s),
                   count(*) FILTER (WHERE a.last_at >= %s),
                   count(*) FILTER (WHERE a.last_at IS NOT NULL)
            FROM ({people[0]}) AS c (id, membership_status)
            LEFT JOIN reports_personfact f ON f.contact_id = c.id
            LEFT JOIN ({latest[0]}) s ON s.contact_id = c.id
            LEFT JOIN ({last[0]}) AS a (contact_id, last_at) ON a.contact_id = c.id
            GROUP BY 1, 2""",
        [Contact.Membership.GOOD_STANDING, since_30, *people[1], *latest[1], *last[1]],
    )
    return _group_depth(rows, leader, organizer)


def _group_depth(rows, leader, organizer) -> dict[int | None, dict[str, int]]:
    grouped: dict[int | None, dict[str, int]] = {}
    for hood, stage, n, members, active_30, active_90 in rows:
        counts = grouped.setdefault(hood, dict.fromkeys(PERSON_METRICS, 0))
        counts["members"] += members
        counts["active_30"] += active_30
        counts["active_90"] += active_90
        if stage is not None and stage == leader:
            counts["leaders"] += n
        if stage is not None and stage == organizer:
            counts["organizers"] += n
    return grouped


def depth(scope: Scope) -> Depth:
    grouped = _depth_counts(scope)
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
    per = _per(residents, total.counts["members"])
    return Depth(rows, unplaced, total, residents_per_member=per)


def _per(residents: int, members: int) -> int | None:
    return round(residents / members) if members and residents else None


def residents_per_member(scope: Scope) -> int | None:
    """The depth report's headline alone: residents of all neighborhoods over the members
    placed in them (the "all neighborhoods" members cell, ``depth_people(scope, "all",
    "members")``), without the rest of the depth report (stages, activity)."""
    residents = sum(Neighborhood.objects.values_list("residents", flat=True))
    return _per(residents, depth_people(scope, "all", "members").count())


def depth_people(scope: Scope, key: str, metric: str) -> QuerySet[Contact]:
    """The people behind one depth cell: the same filter the count used."""
    qs = _placed(scope).filter(person_filters(scope)[metric])
    if key == "none":
        return qs.filter(hood__isnull=True)
    if key == "all":  # the total row: the sum of the neighborhoods listed
        return qs.filter(hood__in=Neighborhood.objects.values("pk"))
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


def _stage_pairs(scope: Scope, people: QuerySet, extra: str = "") -> list[tuple]:
    """People counted by (``extra`` column,) stage at the start, stage at the end, in one
    statement joining two sets of stages (:func:`latest_stages_sql`)."""
    columns = ["pk", extra] if extra else ["pk"]
    found = _sql(people.order_by().values(*columns))
    if found is None:
        return []
    lead = f"c.{extra}, " if extra else ""
    if _facts_at_start(scope):  # both stages from the fact row
        begin = _fact_start_sql(scope)
        inner = "c.extra AS extra, " if extra else ""
        return _fetch(
            f"""SELECT {"x.extra, " if extra else ""}x.start, x.stage, count(*) FROM (
                  SELECT {inner}{begin.expr} AS start, f.stage_id AS stage
                  FROM ({found[0]}) AS c ({"id, extra" if extra else "id"})
                  LEFT JOIN {_facts(scope)} f ON f.contact_id = c.id
                  {begin.join} {_FEW_GROUPS}) x
                GROUP BY {"1, 2, 3" if extra else "1, 2"}""",
            [*begin.params, *found[1], *begin.join_params],
        )
    start, end = latest_stages_sql(scope.start_at), end_stages_sql(scope)
    return _fetch(
        f"""SELECT {lead}s0.to_stage_id, s1.to_stage_id, count(*)
            FROM ({found[0]}) AS c ({"id, " + extra if extra else "id"})
            LEFT JOIN ({start[0]}) s0 ON s0.contact_id = c.id
            LEFT JOIN ({end[0]}) s1 ON s1.contact_id = c.id
            GROUP BY {"1, 2, 3" if extra else "1, 2"}""",
        [*found[1], *start[1], *end[1]],
    )


def _ladder_people(scope: Scope) -> QuerySet[Contact]:
    return scope.people.annotate(
        stage_start=stage_start(scope),
        stage_end=stage_end(scope),
        pos_start=stage_position_start(scope),
        pos_end=stage_position_end(scope),
    )


def moved_up_q() -> Q:
    """Higher on the ladder at the end of the period than at its start (no stage counts as
    below every stage)."""
    return Q(pos_end__isnull=False) & (Q(pos_start__isnull=True) | Q(pos_end__gt=F("pos_start")))


def stage_counts_at(scope: Scope, when: dt.datetime) -> dict[int | None, int]:
    """People at each stage just before ``when`` (``None``: no stage yet)."""
    qs = _created_before(scope.people, when).annotate(at=_stage_expr(scope, when))
    return {r["at"]: r["n"] for r in qs.order_by().values("at").annotate(n=Count("pk"))}


def people_at_stage(scope: Scope, when: dt.datetime, key: str) -> QuerySet[Contact]:
    qs = _created_before(scope.people, when).annotate(at=_stage_expr(scope, when))
    return qs.filter(at__isnull=True) if key == "none" else qs.filter(at=int(key))


def _median_days_up(scope: Scope) -> dict[int, float]:
    """Per stage: the median days people spent at it before a move up that happened in the
    period (from the move into the stage — the person's previous move — to the move out of
    it). Only the moves up in the period are read, each with its previous move found through
    the (contact, -at) index."""
    ids_sql, params = scope.people.order_by().values("pk").query.sql_with_params()
    sql = f"""
        SELECT m.from_stage_id,
               percentile_cont(0.5) WITHIN GROUP (
                 ORDER BY extract(epoch FROM m.at - p.at) / 86400.0)
        FROM contacts_laddermove m
        JOIN contacts_ladderstage f ON f.id = m.from_stage_id
        JOIN contacts_ladderstage t ON t.id = m.to_stage_id
        CROSS JOIN LATERAL (
          SELECT e.at FROM contacts_laddermove e
          WHERE e.contact_id = m.contact_id AND (e.at, e.id) < (m.at, m.id)
          ORDER BY e.at DESC, e.id DESC LIMIT 1
        ) p
        WHERE m.at >= %s AND m.at < %s AND t.position > f.position
          AND m.contact_id IN ({ids_sql})
        GROUP BY m.from_stage_id"""
    with connections[reports_alias()].cursor() as cursor:
        cursor.execute(sql, [scope.start_at, scope.end_at, *params])
        return {stage: round(days, 1) for stage, days in cursor.fetchall()}


def ladder(scope: Scope) -> Ladder:
    stages = list(LadderStage.objects.order_by("position"))
    positions = {s.pk: s.position for s in stages}
    # Grouped by (stage at the start, stage at the end): "moved up" is then a property of the
    # group (moved_up, the same rule as moved_up_q), so nobody's stage is looked up twice.
    matrix_rows = _stage_pairs(scope, _created_before(scope.people, scope.end_at))
    matrix: dict[tuple[str, str], int] = {}
    at_start: dict[int | None, int] = {}
    up: dict[int | None, int] = {}
    # "now" is stage_counts_at(scope, scope.end_at): the same people (created before the end),
    # grouped by the same stage at the end; summed from the matrix instead of a second pass.
    now: dict[int | None, int] = {}
    for a, b, n in matrix_rows:
        matrix[(_key(a), _key(b))] = n
        at_start[a] = at_start.get(a, 0) + n
        up[a] = up.get(a, 0) + (n if moved_up(a, b, positions) else 0)
        now[b] = now.get(b, 0) + n
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
    qs = _created_before(_ladder_people(scope), scope.end_at)
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


# --- 3. Organizers ----------------------------------------------------------------------------
#
# Every linked number counts people (distinct contacts), so its list has exactly that many
# rows. Rates (one-on-ones a week, follow-ups on time) are derived figures beside them.

ORGANIZER_METRICS = ("one_on_ones", "followed_up", "overdue", "owned", "moved_up")


def organizer_users(scope: Scope):
    """Whose work the report shows: staff see everyone who organizes; captains the organizers
    and captains of their hubs; organizers themselves. The organizer filter narrows to one."""
    from django.contrib.auth import get_user_model

    from accounts.models import Role
    from hubs.models import HubRole

    users = get_user_model().objects.filter(
        is_active=True, role__in=[Role.STAFF, Role.CAPTAIN, Role.ORGANIZER]
    )
    user = scope.user
    if user.role == Role.CAPTAIN:
        users = users.filter(
            Q(pk=user.pk) | Q(pk__in=HubRole.objects.filter(hub__in=scope.hubs).values("user_id"))
        )
    elif user.role != Role.STAFF:
        users = users.filter(pk=user.pk)
    if scope.hub is not None:
        users = users.filter(hub_roles__hub=scope.hub)
    if scope.organizer is not None:
        users = users.filter(pk=scope.organizer.pk)
    return users.distinct().only("pk", "name", "email").order_by("name", "email")


def _one_on_ones(scope: Scope):
    return Interaction.objects.filter(
        kind=Interaction.Kind.ONE_ON_ONE,
        happened_at__gte=scope.start_at,
        happened_at__lt=scope.end_at,
        contact__in=scope.people,
    )


def _due_q(scope: Scope) -> Q:
    """Follow-ups that fell due in the period (cancelled ones never count)."""
    return Q(due_on__gte=scope.start, due_on__lte=scope.end) & ~Q(status=FollowUp.Status.CANCELLED)


def on_time_q() -> Q:
    return Q(status=FollowUp.Status.DONE, completed_at__date__lte=F("due_on"))


def _overdue_q(scope: Scope) -> Q:
    today = min(timezone.localdate(), scope.end + dt.timedelta(days=1))
    return Q(status=FollowUp.Status.OPEN, due_on__lt=today)


def _follow_ups(scope: Scope, q: Q):
    return FollowUp.objects.filter(q, contact__in=scope.people)


@dataclass
class OrganizerRow:
    user: object
    counts: dict[str, int]
    conversations: int = 0  # one-on-one conversations (several may be with one person)
    per_week: float = 0.0
    due: int = 0
    on_time: int = 0

    @property
    def on_time_pct(self) -> float | None:
        return round(100 * self.on_time / self.due, 1) if self.due else None


def organizers(scope: Scope) -> list[OrganizerRow]:
    users = list(organizer_users(scope))
    ids = [u.pk for u in users]
    weeks = max(((scope.end - scope.start).days + 1) / 7, 1 / 7)
    talks = {
        r["author_id"]: r
        for r in _one_on_ones(scope)
        .filter(author_id__in=ids)
        .values("author_id")
        .annotate(n=Count("pk"), people=Count("contact_id", distinct=True))
    }
    due, overdue = _due_q(scope), _overdue_q(scope)
    follow = {  # one statement for both: the follow-ups due in the period, and those overdue
        r["assigned_to_id"]: r
        for r in _follow_ups(scope, due | overdue)
        .filter(assigned_to_id__in=ids)
        .values("assigned_to_id")
        .annotate(
            due=Count("pk", filter=due),
            on_time=Count("pk", filter=due & on_time_q()),
            people=Count("contact_id", distinct=True, filter=due & on_time_q()),
            overdue=Count("contact_id", distinct=True, filter=overdue),
        )
    }
    positions = dict(LadderStage.objects.values_list("pk", "position"))
    owned: dict[int, dict[str, int]] = {}
    for owner, a, b, n in _stage_pairs(scope, scope.people.filter(owner_id__in=ids), "owner_id"):
        mine = owned.setdefault(owner, {"n": 0, "up": 0})
        mine["n"] += n
        if moved_up(a, b, positions):
            mine["up"] += n
    rows = []
    for u in users:
        t, f, o = talks.get(u.pk, {}), follow.get(u.pk, {}), owned.get(u.pk, {})
        row = OrganizerRow(
            u,
            {
                "one_on_ones": t.get("people", 0),
                "followed_up": f.get("people", 0),
                "overdue": f.get("overdue", 0),
                "owned": o.get("n", 0),
                "moved_up": o.get("up", 0),
            },
        )
        row.conversations = t.get("n", 0)
        row.per_week = round(row.conversations / weeks, 1)
        row.due, row.on_time = f.get("due", 0), f.get("on_time", 0)
        rows.append(row)
    return rows


def organizer_people(scope: Scope, metric: str, user_id: int) -> QuerySet[Contact]:
    if metric == "one_on_ones":
        ids = _one_on_ones(scope).filter(author_id=user_id).values("contact_id")
    elif metric == "followed_up":
        ids = _follow_ups(scope, _due_q(scope) & on_time_q()).filter(assigned_to_id=user_id)
        ids = ids.values("contact_id")
    elif metric == "overdue":
        ids = _follow_ups(scope, _overdue_q(scope)).filter(assigned_to_id=user_id)
        ids = ids.values("contact_id")
    elif metric == "owned":
        return scope.people.filter(owner_id=user_id)
    else:  # moved_up
        return _ladder_people(scope).filter(moved_up_q(), owner_id=user_id)
    return scope.people.filter(pk__in=ids)


# --- 4. Hubs ----------------------------------------------------------------------------------

HUB_METRICS = ("members", "new", "quiet", "attended", "no_shows", "one_on_ones")


def _hub_members(scope: Scope, hub_id: int) -> QuerySet[Contact]:
    return scope.people.filter(hub_memberships__hub_id=hub_id)


def _held_events(scope: Scope):
    from campaigns.models import Event

    return Event.objects.filter(
        starts_at__gte=scope.start_at,
        starts_at__lt=min(scope.end_at, timezone.now()),
    ).exclude(status=Event.Status.CANCELED)


def _rsvps(scope: Scope):
    from campaigns.models import Rsvp

    return Rsvp.objects.filter(event__in=_held_events(scope), contact__in=scope.people)


def _no_show_q() -> Q:
    from campaigns.models import Rsvp

    # campaigns.selectors.events.event_turnout's definition of a no-show
    return Q(status=Rsvp.Status.GOING, walk_in=False, attended_at__isnull=True)


def _quiet_q(scope: Scope) -> Q:
    from hubs.selectors.hubs import QUIET_DAYS

    before = scope.end_at - dt.timedelta(days=QUIET_DAYS)
    return Q(last_contacted_at__isnull=True) | Q(last_contacted_at__lt=before)


@dataclass
class HubRow:
    hub: object
    counts: dict[str, int]
    captains: int = 0
    captains_active: int = 0
    doors: int = 0
    doors_attempted: int = 0
    events_held: int = 0
    rsvps: int = 0  # RSVPs (not walk-ins) to held events: the no-show rate's denominator

    @property
    def turf_pct(self) -> float | None:
        return round(100 * self.doors_attempted / self.doors, 1) if self.doors else None

    @property
    def no_show_pct(self) -> float | None:
        return round(100 * self.counts["no_shows"] / self.rsvps, 1) if self.rsvps else None


def hub_people(scope: Scope, metric: str, hub_id: int) -> QuerySet[Contact]:
    members = _hub_members(scope, hub_id)
    if metric == "members":
        return members
    if metric == "new":
        return scope.people.filter(
            hub_memberships__hub_id=hub_id, hub_memberships__since__gte=scope.start
        )
    if metric == "quiet":
        return members.filter(_quiet_q(scope))
    rsvps = _rsvps(scope).filter(event__hub_id=hub_id)
    if metric == "attended":
        return scope.people.filter(
            pk__in=rsvps.filter(attended_at__isnull=False).values("contact_id")
        )
    if metric == "no_shows":
        return scope.people.filter(pk__in=rsvps.filter(_no_show_q()).values("contact_id"))
    return members.filter(pk__in=_one_on_ones(scope).values("contact_id"))  # one_on_ones


def _hub_member_counts(scope: Scope, ids: list[int]) -> dict[int, dict[str, int]]:
    """Members, new, gone quiet and had a one-on-one, per hub of ``ids``: the scope's people,
    each with whether they are quiet and talked to (the conditions of :func:`hub_people`),
    joined to their memberships (a row per person and hub: HubMember's unique (contact, hub),
    so counts of rows are counts of people) and grouped. For the whole chapter the memberships
    are read in person order from their covering index and merged with the people read the
    same way (see :func:`_facts`)."""
    talked = _one_on_ones(scope).values("contact_id")
    people = _sql(
        scope.people.order_by()
        .annotate(
            quiet=ExpressionWrapper(_quiet_q(scope), output_field=BooleanField()),
            talked=ExpressionWrapper(Q(pk__in=talked), output_field=BooleanField()),
        )
        .values("pk", "quiet", "talked")
    )
    memberships = HubMember.objects.filter(hub_id__in=ids).annotate(
        new=ExpressionWrapper(Q(since__gte=scope.start), output_field=BooleanField())
    )
    memberships = memberships.order_by("contact_id") if scope.everyone else memberships.order_by()
    joined = _sql(memberships.values("contact_id", "hub_id", "new"))
    if people is None or joined is None:
        return {}
    rows = _fetch(
        f"""SELECT m.hub_id, count(*), count(*) FILTER (WHERE m.new),
                   count(*) FILTER (WHERE c.quiet), count(*) FILTER (WHERE c.talked)
            FROM ({people[0]}) AS c (id, quiet, talked)
            JOIN ({joined[0]}) AS m (contact_id, hub_id, new) ON m.contact_id = c.id
            GROUP BY 1""",
        [*people[1], *joined[1]],
    )
    return {
        hub: {"members": n, "new": new, "quiet": quiet, "one_on_ones": talked}
        for hub, n, new, quiet, talked in rows
    }


def hubs(scope: Scope) -> list[HubRow]:
    from campaigns.models import Rsvp
    from hubs.models import DoorResult, HubRole, TurfDoor

    hub_list = list(scope.hubs.order_by("name"))
    rows = [HubRow(hub, dict.fromkeys(HUB_METRICS, 0)) for hub in hub_list]
    by_id = {r.hub.pk: r for r in rows}
    ids = list(by_id)
    # The same definitions as hub_people, grouped by hub: one statement for the members' numbers
    # (:func:`_hub_member_counts`), one for the events'.
    for hub_id, counts in _hub_member_counts(scope, ids).items():
        by_id[hub_id].counts.update(counts)
    turnout = (
        _rsvps(scope)
        .filter(event__hub_id__in=ids)
        .values("event__hub_id")
        .annotate(
            attended=Count("contact_id", distinct=True, filter=Q(attended_at__isnull=False)),
            no_shows=Count("contact_id", distinct=True, filter=_no_show_q()),
        )
        .order_by()
    )
    for r in turnout:
        by_id[r.pop("event__hub_id")].counts.update(r)
    captains = HubRole.objects.filter(hub_id__in=ids, role=HubRole.Role.CAPTAIN)
    talked = Interaction.objects.filter(
        author_id=OuterRef("user_id"),
        happened_at__gte=scope.start_at,
        happened_at__lt=scope.end_at,
    )
    for r in (
        captains.values("hub_id")
        .annotate(n=Count("pk"), active=Count("pk", filter=Q(Exists(talked))))
        .order_by()
    ):
        by_id[r["hub_id"]].captains, by_id[r["hub_id"]].captains_active = r["n"], r["active"]
    attempted = DoorResult.objects.filter(door_id=OuterRef("pk"))
    for r in (
        TurfDoor.objects.filter(turf__hub_id__in=ids)
        .values("turf__hub_id")
        .annotate(n=Count("pk"), tried=Count("pk", filter=Q(Exists(attempted))))
        .order_by()
    ):
        by_id[r["turf__hub_id"]].doors, by_id[r["turf__hub_id"]].doors_attempted = (
            r["n"],
            r["tried"],
        )
    for r in _held_events(scope).filter(hub_id__in=ids).values("hub_id").annotate(n=Count("pk")):
        by_id[r["hub_id"]].events_held = r["n"]
    for r in (
        _rsvps(scope)
        .filter(event__hub_id__in=ids, status=Rsvp.Status.GOING, walk_in=False)
        .values("event__hub_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        by_id[r["event__hub_id"]].rsvps = r["n"]
    return rows


# --- 5. Retention cohorts ---------------------------------------------------------------------

COHORT_OFFSETS = (1, 3, 6)
MAX_COHORTS = 24


def _month(day: dt.date, plus: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 + plus
    return dt.date(index // 12, index % 12 + 1, 1)


def cohort_months(scope: Scope) -> list[dt.date]:
    first, last = _month(scope.start), _month(scope.end)
    months = []
    while first <= last:
        months.append(first)
        first = _month(first, 1)
    return months[-MAX_COHORTS:]


def _first_activity() -> F:
    """The person's first activity ever, from the precomputed person facts."""
    return F("report_fact__first_active_at")


def _active_in_month(month: dt.date) -> Q:
    from reports.selectors import _midnight

    start, end = _midnight(month), _midnight(_month(month, 1))
    ledger = Activity.objects.filter(
        contact_id=OuterRef("pk"), occurred_at__gte=start, occurred_at__lt=end
    )
    return Q(Exists(ledger))


def cohort_people(scope: Scope, month: dt.date, offset: int = 0) -> QuerySet[Contact]:
    """People first active (first activity ever) in ``month``; with ``offset``, those of them
    active again in the month ``offset`` months later."""
    from reports.selectors import _midnight

    qs = scope.people.annotate(first_at=_first_activity()).filter(
        first_at__gte=_midnight(month), first_at__lt=_midnight(_month(month, 1))
    )
    return qs.filter(_active_in_month(_month(month, offset))) if offset else qs


@dataclass
class CohortRow:
    month: dt.date
    size: int
    retained: dict[int, int | None]  # offset -> people; None: that month has not begun

    def pct(self, offset: int) -> float | None:
        n = self.retained.get(offset)
        return None if n is None or not self.size else round(100 * n / self.size, 1)

    @property
    def key(self) -> str:
        return self.month.strftime("%Y-%m")

    @property
    def cells(self) -> list[dict]:
        return [
            {"metric": f"m{k}", "n": self.retained[k], "pct": self.pct(k)} for k in COHORT_OFFSETS
        ]


def cohorts(scope: Scope) -> list[CohortRow]:
    this_month = _month(timezone.localdate())
    rows = []
    for month in cohort_months(scope):
        offsets = [k for k in COHORT_OFFSETS if _month(month, k) <= this_month]
        aggregates = {"size": Count("pk")}
        aggregates |= {
            f"m{k}": Count("pk", filter=_active_in_month(_month(month, k))) for k in offsets
        }
        found = cohort_people(scope, month).aggregate(**aggregates)
        rows.append(
            CohortRow(
                month,
                found["size"],
                {k: found.get(f"m{k}") if k in offsets else None for k in COHORT_OFFSETS},
            )
        )
    return rows


# --- Headline numbers (the overview and the weekly email) ---------------------------------------


def one_on_one_people(scope: Scope) -> QuerySet[Contact]:
    """People who had a one-on-one in the period."""
    return scope.people.filter(pk__in=_one_on_ones(scope).values("contact_id"))


HEADLINE_METRICS = ("members", "active_30", "moved_up", "one_on_ones")


def headline_people(scope: Scope, metric: str) -> QuerySet[Contact]:
    if metric == "moved_up":
        return _created_before(_ladder_people(scope), scope.end_at).filter(moved_up_q())
    if metric == "one_on_ones":
        return one_on_one_people(scope)
    if metric == "active_30":
        return scope.people.filter(active_q(scope, 30))
    return scope.people.filter(membership_status=Contact.Membership.GOOD_STANDING)  # members


def _moved_up_total(scope: Scope) -> int:
    """How many people moved up in the period: :func:`moved_up_q` counted from the grouped
    (stage at the start, stage at the end) pairs, as the ladder report counts it."""
    positions = dict(LadderStage.objects.values_list("pk", "position"))
    pairs = _stage_pairs(scope, _created_before(scope.people, scope.end_at))
    return sum(n for a, b, n in pairs if moved_up(a, b, positions))


def _headline_from_facts(scope: Scope) -> dict:
    """:func:`headline` in one statement for the usual period (ending tonight, the facts
    refreshed since its start): members, those placed in a listed neighborhood, active in 30
    days and (stage at the start, stage at the end) pairs, grouped — the definitions of
    :func:`headline_people` and :func:`residents_per_member`, read from the fact rows."""
    people = _sql(scope.people.order_by().values("pk", "membership_status"))
    one_on_ones = one_on_one_people(scope).count()
    if people is None:
        return {"residents_per_member": None, "members": 0, "active_30": 0, "moved_up": 0,
                "one_on_ones": one_on_ones}  # fmt: skip
    begin = _fact_start_sql(scope)
    rows = _fetch(
        f"""SELECT x.hood, x.start, x.stage, count(*) FILTER (WHERE x.member),
                   count(*) FILTER (WHERE x.active), count(*) FROM (
              SELECT f.neighborhood_id AS hood, {begin.expr} AS start, f.stage_id AS stage,
                     c.membership_status = %s AS member, f.last_active_at >= %s AS active
              FROM ({people[0]}) AS c (id, membership_status)
              LEFT JOIN {_facts(scope)} f ON f.contact_id = c.id
              {begin.join} {_FEW_GROUPS}) x
            GROUP BY 1, 2, 3""",
        [
            *begin.params,
            Contact.Membership.GOOD_STANDING,
            scope.end_at - dt.timedelta(days=30),
            *people[1],
            *begin.join_params,
        ],
    )
    positions = dict(LadderStage.objects.values_list("pk", "position"))
    hoods = dict(Neighborhood.objects.values_list("pk", "residents"))
    placed = sum(members for hood, _a, _b, members, _act, _n in rows if hood in hoods)
    return {
        "residents_per_member": _per(sum(hoods.values()), placed),
        "members": sum(r[3] for r in rows),
        "active_30": sum(r[4] for r in rows),
        "moved_up": sum(n for _h, a, b, _m, _act, n in rows if moved_up(a, b, positions)),
        "one_on_ones": one_on_ones,
    }


def headline(scope: Scope) -> dict:
    """The few numbers a chapter meeting starts with, for the scope's period."""
    if _facts_at_start(scope) and scope.end_at > timezone.now():
        return _headline_from_facts(scope)
    numbers = {m: headline_people(scope, m).count() for m in HEADLINE_METRICS if m != "moved_up"}
    numbers["moved_up"] = _moved_up_total(scope)
    return {"residents_per_member": residents_per_member(scope), **numbers}


# --- 6. Campaigns: goal progress by hub over time, with pace (campaigns.metrics) -----------------

TREND_POINTS = 6


@dataclass
class HubProgress:
    hub: object
    count: int
    pace: object | None  # campaigns.metrics.Pace when the hub has its own target
    trend: list[int]  # cumulative count on each of the goal's trend days
    spark: str = ""  # SVG polyline points, 0..100 × 0..24


@dataclass
class GoalProgress:
    campaign: object
    metric: str
    label: str
    count: int
    pace: object | None
    days: list[dt.date]
    hubs: list[HubProgress]


def _trend_days(start: dt.date, end: dt.date) -> list[dt.date]:
    span = max((end - start).days, 0)
    if span == 0:
        return [start]
    return sorted(
        {
            start + dt.timedelta(days=round(span * i / (TREND_POINTS - 1)))
            for i in range(TREND_POINTS)
        }
    )


def _spark(values: list[int], top: int) -> str:
    if not values:
        return ""
    step = 100 / max(len(values) - 1, 1)
    return " ".join(f"{i * step:.1f},{24 - 24 * v / max(top, 1):.1f}" for i, v in enumerate(values))


def campaigns(scope: Scope) -> list[GoalProgress]:
    """Every goal of the campaigns the user may see (or the chosen one), overall and for each
    hub of theirs in it, counted by ``campaigns.metrics`` (the one definition per metric)."""
    from campaigns.metrics import Pace, campaign_counts
    from campaigns.models import Goal, Metric
    from campaigns.selectors.access import campaigns_for_user

    chosen = campaigns_for_user(scope.user)
    if scope.campaign is not None:
        chosen = chosen.filter(pk=scope.campaign.pk)
    if scope.hub is not None:
        chosen = chosen.filter(hubs=scope.hub)
    today = timezone.localdate()
    labels = dict(Metric.choices)
    my_hubs = set(scope.hubs.values_list("pk", flat=True))
    out = []
    for campaign in chosen.distinct().order_by("-starts_on")[:20]:
        goals = list(Goal.objects.filter(campaign=campaign))
        if not goals:
            continue
        hubs = [h for h in campaign.hubs.order_by("name") if h.pk in my_hubs]
        counts = campaign_counts(campaign, list(dict.fromkeys(g.metric for g in goals)))
        days = _trend_days(campaign.starts_on, min(today, campaign.ends_on))
        for metric, c in counts.items():
            wide = next((g for g in goals if g.metric == metric and g.hub_id is None), None)
            pace = wide and Pace(wide.target, c.total, campaign.starts_on, campaign.ends_on, today)
            rows = []
            for hub in hubs:
                own = next((g for g in goals if g.metric == metric and g.hub_id == hub.pk), None)
                n = c.hub_total(hub.pk)
                hub_pace = own and Pace(own.target, n, campaign.starts_on, campaign.ends_on, today)
                trend = [c.cumulative(d, hub_id=hub.pk) for d in days]
                top = max([*(trend or [0]), own.target if own else 0])
                rows.append(HubProgress(hub, n, hub_pace, trend, _spark(trend, top)))
            out.append(GoalProgress(campaign, metric, labels[metric], c.total, pace, days, rows))
    return out


# --- 7. Workplaces (hubs.selectors.workplace: the workplace map's own tallies) -------------------


@dataclass
class WorkplaceReport:
    hub: object
    map: object  # hubs.selectors.workplace.WorkplaceMap
    test: object | None = None  # the latest structure test's result, if any

    @property
    def majority_departments(self) -> int:
        return sum(1 for d in self.map.departments if d.department and d.tally.majority)

    @property
    def majority_shifts(self) -> int:
        return sum(1 for s, t in self.map.shifts if s and t.majority)


def _workplace_hubs(scope: Scope):
    """The workplace hubs in scope whose map the user may see (as ``workplace_hub_for_user``:
    staff, and the hub's captains and organizers; not its volunteers)."""
    from accounts.models import Role
    from hubs.models import Hub, HubRole

    hubs = scope.hubs.filter(kind=Hub.Kind.WORKPLACE)
    if getattr(scope.user, "role", None) == Role.STAFF:
        return hubs
    roles = (HubRole.Role.CAPTAIN, HubRole.Role.ORGANIZER)
    mine = HubRole.objects.filter(user_id=scope.user.pk, role__in=roles).values("hub_id")
    return hubs.filter(pk__in=mine)


def workplaces(scope: Scope) -> list[WorkplaceReport]:
    from hubs.models import StructureTest
    from hubs.selectors.workplace import structure_result, workplace_map

    out = []
    for hub in _workplace_hubs(scope).order_by("name"):
        latest = StructureTest.objects.filter(hub=hub).first()
        out.append(WorkplaceReport(hub, workplace_map(hub), latest and structure_result(latest)))
    return out


def workplace_people(
    scope: Scope, metric: str, hub_id: int, key: str, by: str = "department"
) -> QuerySet[Contact]:
    """People placed in a workplace hub's department (or shift, ``by="shift"``; key ``none``:
    none set): everyone placed (``placed``), at 1–2 (``strong``) or at 1 (``leaders``), as the
    workplace map counts them."""
    from hubs.models import Placement

    placed = Placement.objects.filter(hub_id=hub_id, hub__in=_workplace_hubs(scope))
    field = "shift" if by == "shift" else "department"
    placed = (
        placed.filter(**{f"{field}__isnull": True})
        if key == "none"
        else placed.filter(**{f"{field}_id": int(key)})
    )
    people = scope.people.filter(pk__in=placed.values("contact_id"))
    if metric == "placed":
        return people
    return people.filter(assessment__in=(1,) if metric == "leaders" else (1, 2))


# --- 8. Reach against depth, and concentration -------------------------------------------------


@dataclass
class ReachRow:
    key: str
    name: str
    supporters: int
    members: int
    active_90: int
    kind: str = ""  # the kind of election district ("State assembly"); "" for a neighborhood

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}" if self.kind else self.name

    @property
    def members_per_1000(self) -> float | None:
        return round(1000 * self.members / self.supporters, 2) if self.supporters else None

    @property
    def supporters_per_member(self) -> float | None:
        """How far reach exceeds depth: supporters for each organized member (none: ∞)."""
        return round(self.supporters / self.members, 1) if self.members else None


def reach_sources() -> list[str]:
    from reports.models import Reach

    return list(
        Reach.objects.order_by("-imported_at").values_list("source", flat=True).distinct()[:50]
    )


def reach(scope: Scope, source: str) -> list[ReachRow]:
    """Per neighborhood with a result: supporters against members and active volunteers (the
    depth report's own counts), widest-but-shallowest first."""
    from reports.models import Reach

    d = {r.key: r for r in depth(scope).rows}
    rows = []
    for r in Reach.objects.filter(source=source).select_related("neighborhood"):
        row = d.get(str(r.neighborhood_id))
        counts = row.counts if row else dict.fromkeys(PERSON_METRICS, 0)
        rows.append(
            ReachRow(
                str(r.neighborhood_id),
                r.neighborhood.name,
                r.supporters,
                counts["members"],
                counts["active_90"],
            )
        )
    return sorted(rows, key=lambda r: (r.members_per_1000 or 0, -r.supporters))


def members_at(scope: Scope, day: dt.date) -> QuerySet[Contact]:
    """Members at a past date: in good standing now, with a start date on or before it (or,
    without one, added to the database by then). The membership history is not recorded, so a
    member who lapsed since counts at no date."""
    return scope.people.filter(joined_by_q(day), membership_status=Contact.Membership.GOOD_STANDING)


def joined_by_q(day: dt.date) -> Q:
    """A member's start date on or before ``day`` (without one: added to the database by then)."""
    from reports.selectors import _midnight

    return Q(member_since__lte=day) | Q(
        member_since__isnull=True, created_at__lt=_midnight(day + dt.timedelta(days=1))
    )


@dataclass
class ConcentrationPoint:
    day: dt.date
    members: int
    in_top: int
    top_count: int  # how many neighborhoods are the top 10 %

    @property
    def share(self) -> float | None:
        return round(100 * self.in_top / self.members, 1) if self.members else None


def concentration(scope: Scope) -> list[ConcentrationPoint]:
    """Share of members placed in a neighborhood who live in the top 10 % of neighborhoods (by
    members), at the end of each month of the period and at its end."""
    import math

    hoods = Neighborhood.objects.count()
    if not hoods:
        return []
    top = max(1, math.ceil(hoods / 10))
    days = [_month(m, 1) - dt.timedelta(days=1) for m in cohort_months(scope)]
    days = sorted({min(d, scope.end) for d in days})
    # members_at(scope, day) for every day at once: one pass over today's members, a count per
    # neighborhood and day.
    per_day = {f"d{i}": Count("pk", filter=joined_by_q(day)) for i, day in enumerate(days)}
    grouped = list(
        scope.people.filter(membership_status=Contact.Membership.GOOD_STANDING)
        .annotate(hood=neighborhood_expr())
        .filter(hood__isnull=False)
        .order_by()
        .values("hood")
        .annotate(**per_day)
    )
    points = []
    for i, day in enumerate(days):
        per_hood = sorted((r[f"d{i}"] for r in grouped if r[f"d{i}"]), reverse=True)
        points.append(ConcentrationPoint(day, sum(per_hood), sum(per_hood[:top]), top))
    return points


# --- 9. Reach against depth by election district ------------------------------------------------
#
# Who lives in a district is the campaigns app's one rule (``district_residents_sql``: the
# district's shape holding the person's map point, else its ZIP codes), worked out for everyone
# at each refresh of the person facts (``reports.models.PersonDistrict``), so a page reads a
# person's districts instead of matching shapes and ZIP codes. A person in two districts of a
# kind (a ZIP crossing a line, a point on a border) counts in both, as petition delivery lists
# them in both; the rows do not add up to the chapter.

DISTRICT_REACH_METRICS = ("members", "active_90")


def district_reach_sources() -> list[str]:
    from reports.models import DistrictReach

    return list(
        DistrictReach.objects.order_by("-imported_at")
        .values_list("source", flat=True)
        .distinct()[:50]
    )


def _district_counts(scope: Scope, district_ids: list[int]) -> dict[int, dict[str, int]]:
    """Members and people active in 90 days in each of ``district_ids``: the scope's people
    joined to the districts they live in (as of the refresh) and grouped, in one statement. The
    same definitions as :func:`district_reach_people`."""
    people = _sql(scope.people.order_by().values("pk", "membership_status"))
    if people is None or not district_ids:
        return {}
    since = scope.end_at - dt.timedelta(days=90)
    if scope.facts_now:  # active_people: the last activity as of the refresh
        active, active_params = "f.last_active_at >= %s", [since]
        joined, joined_params = f"LEFT JOIN {_facts(scope)} f ON f.contact_id = c.id", []
    else:
        window = _sql(active_people(scope, 90))
        active, active_params = "a.contact_id IS NOT NULL", []
        joined = f"LEFT JOIN (SELECT DISTINCT w.contact_id FROM ({window[0]}) w) a"
        joined, joined_params = joined + " ON a.contact_id = c.id", list(window[1])
    order = "ORDER BY pd.contact_id, pd.district_id" if scope.everyone else ""  # see _facts
    rows = _fetch(
        f"""SELECT d.district_id, count(*) FILTER (WHERE c.membership_status = %s),
                   count(*) FILTER (WHERE {active})
            FROM ({people[0]}) AS c (id, membership_status)
            JOIN (SELECT pd.contact_id, pd.district_id FROM reports_persondistrict pd
                  WHERE pd.district_id = ANY(%s) {order}) d ON d.contact_id = c.id
            {joined}
            GROUP BY 1""",
        [
            Contact.Membership.GOOD_STANDING,
            *active_params,
            *people[1],
            district_ids,
            *joined_params,
        ],
    )
    return {d: {"members": m, "active_90": a} for d, m, a in rows}


def district_reach(scope: Scope, source: str) -> list[ReachRow]:
    """Per election district with a result: supporters against the members and the people
    active in 90 days living there, widest-but-shallowest first (as :func:`reach`)."""
    from reports.models import DistrictReach

    results = list(DistrictReach.objects.filter(source=source).select_related("district"))
    counts = _district_counts(scope, [r.district_id for r in results])
    rows = []
    for r in results:
        found = counts.get(r.district_id, {})
        rows.append(
            ReachRow(
                str(r.district_id),
                r.district.name,
                r.supporters,
                found.get("members", 0),
                found.get("active_90", 0),
                kind=r.district.get_kind_display(),
            )
        )
    return sorted(rows, key=lambda r: (r.members_per_1000 or 0, -r.supporters, r.label))


def district_reach_people(scope: Scope, district_id: int, metric: str) -> QuerySet[Contact]:
    """The people behind one cell of the district reach table: living in the district as of
    the refresh (the same rows), and members or active in 90 days (the same filters as the
    depth report)."""
    from reports.models import PersonDistrict

    if metric not in DISTRICT_REACH_METRICS:
        return scope.people.none()
    residents = PersonDistrict.objects.filter(district_id=district_id).values("contact_id")
    return scope.people.filter(pk__in=residents).filter(person_filters(scope)[metric])
