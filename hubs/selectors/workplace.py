"""Reads for the workplace map, the organizing chart and structure tests.

Only workplace hubs have a map (404 for neighborhood hubs). The map shows people's assessments,
so it is for the hub's captains and organizers and staff (``workplace_hub_for_user``), who
also place coworkers on it (one by one or a whole roster); setting it up (worksites,
departments, headcounts, leaders, starting tests) is for captains and staff
(``managed_workplace_hub_for_user``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from contacts.models import Contact
from contacts.selectors.search import find_people
from hubs.models import Department, Hub, Placement, Shift, StructureTest, StructureTestReach
from hubs.selectors.access import can_manage_hub, hub_for_user
from hubs.selectors.hubs import can_see_people

LEVELS = (1, 2, 3, 4, 5)


def workplace_hub_for_user(user, slug: str) -> Hub:
    hub = hub_for_user(user, slug)
    if hub.kind != Hub.Kind.WORKPLACE or not can_see_people(user, hub):
        raise Http404
    return hub


def managed_workplace_hub_for_user(user, slug: str) -> Hub:
    hub = workplace_hub_for_user(user, slug)
    if not can_manage_hub(user, hub):
        raise Http404
    return hub


def placement_for_hub(hub: Hub, contact_id: int) -> Placement:
    return get_object_or_404(
        Placement.objects.select_related("contact"), hub=hub, contact_id=contact_id
    )


# --- the map --------------------------------------------------------------------------------


@dataclass
class Tally:
    """Counts at 1–5 and unassessed, and the share at 1–2 against the hub's threshold.

    The share is out of ``headcount`` (everyone in the unit or department, placed or not) when
    the hub has set it, else out of everyone placed: 7 placed at 1–2 in a 5,000-worker
    warehouse is 0%, not 100%. A headcount below the number placed is out of date; the
    number placed counts then."""

    threshold: int
    levels: dict[int, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    unassessed: int = 0
    headcount: int | None = None

    def add(self, row: dict) -> None:
        for level in LEVELS:
            self.levels[level] += row[f"at_{level}"]
        self.unassessed += row["unassessed"]

    @property
    def total(self) -> int:
        """Everyone placed."""
        return sum(self.levels.values()) + self.unassessed

    @property
    def base(self) -> int:
        """What the share is out of: the headcount when set, else everyone placed."""
        return max(self.headcount or 0, self.total)

    @property
    def strong(self) -> int:
        """People at 1 or 2."""
        return self.levels[1] + self.levels[2]

    @property
    def share(self) -> int:
        """Percent at 1–2, rounded (out of ``base``)."""
        return round(100 * self.strong / self.base) if self.base else 0

    @property
    def majority(self) -> bool:
        """At or above the threshold (exact integer arithmetic, no rounding)."""
        return self.base > 0 and 100 * self.strong >= self.threshold * self.base

    @property
    def needed(self) -> int:
        """How many more people at 1–2 it takes to reach the threshold."""
        required = -(-self.threshold * self.base // 100)  # ceiling
        return max(required - self.strong, 0) if self.base else 0

    @property
    def counts(self) -> list[int]:
        return [self.levels[level] for level in LEVELS]


@dataclass
class DepartmentRow:
    department: Department | None
    tally: Tally
    shifts: list[Tally]  # one per column of ``WorkplaceMap.shift_columns``
    leaders: list[Contact]

    @property
    def name(self) -> str:
        return str(self.department) if self.department else "No department"


@dataclass
class WorkplaceMap:
    hub: Hub
    total: Tally
    departments: list[DepartmentRow]
    shifts: list[tuple[Shift | None, Tally]]
    shift_columns: list[Shift | None]

    @property
    def leaderless(self) -> list[DepartmentRow]:
        return [row for row in self.departments if row.department and not row.leaders]


def _counts_by_department_and_shift(hub: Hub) -> list[dict]:
    """One aggregate query: per (department, shift), how many at each level and unassessed."""
    levels = {f"at_{level}": Count("pk", filter=Q(contact__assessment=level)) for level in LEVELS}
    return list(
        Placement.objects.filter(hub=hub)
        .values("department_id", "shift_id")
        .annotate(**levels, unassessed=Count("pk", filter=Q(contact__assessment__isnull=True)))
        .order_by()
    )


def workplace_map(hub: Hub) -> WorkplaceMap:
    """The map in four queries, whatever the number of departments and coworkers."""
    threshold = hub.majority_threshold
    departments = list(
        Department.objects.filter(worksite__hub=hub)
        .select_related("worksite")
        .order_by("worksite__name", "name")
    )
    shifts = list(
        Shift.objects.filter(worksite__hub=hub)
        .select_related("worksite")
        .order_by("worksite__name", "name")
    )
    rows = _counts_by_department_and_shift(hub)
    total = Tally(threshold, headcount=hub.headcount)
    by_dept: dict[int | None, Tally] = defaultdict(lambda: Tally(threshold))
    by_shift: dict[int | None, Tally] = defaultdict(lambda: Tally(threshold))
    cells: dict[int | None, dict[int | None, Tally]] = defaultdict(dict)
    for row in rows:
        dept, shift = row["department_id"], row["shift_id"]
        for tally in (total, by_dept[dept], by_shift[shift]):
            tally.add(row)
        cells[dept].setdefault(shift, Tally(threshold)).add(row)
    leaders: dict[int | None, list[Contact]] = defaultdict(list)
    for placement in (
        Placement.objects.filter(hub=hub, contact__assessment=1)
        .select_related("contact")
        .order_by("contact__last_name", "contact__first_name")
    ):
        leaders[placement.department_id].append(placement.contact)
    dept_list: list[Department | None] = list(departments)
    if None in by_dept:
        dept_list.append(None)
    shift_list: list[Shift | None] = list(shifts) + ([None] if None in by_shift else [])

    def row(d: Department | None) -> DepartmentRow:
        key = d.pk if d else None
        in_dept = cells.get(key, {})
        tally = by_dept.get(key, Tally(threshold))
        tally.headcount = d.headcount if d else None
        return DepartmentRow(
            d,
            tally,
            [in_dept.get(s.pk if s else None, Tally(threshold)) for s in shift_list],
            leaders.get(key, []),
        )

    return WorkplaceMap(
        hub=hub,
        total=total,
        departments=[row(d) for d in dept_list],
        shifts=[(s, by_shift.get(s.pk if s else None, Tally(threshold))) for s in shift_list],
        shift_columns=shift_list,
    )


def coworkers(hub: Hub) -> list[Placement]:
    """Everyone placed on the map, with department, shift and leader (one query)."""
    return list(
        Placement.objects.filter(hub=hub)
        .select_related("contact", "worksite", "department", "shift", "organized_by")
        .order_by("department__name", "contact__last_name", "contact__first_name", "pk")
    )


# --- the organizing chart -------------------------------------------------------------------


@dataclass
class LeaderBlock:
    leader: Contact
    coworkers: list[Placement]
    span: int

    @property
    def count(self) -> int:
        return len(self.coworkers)

    @property
    def over_span(self) -> bool:
        return self.count > self.span


@dataclass
class OrganizingChart:
    hub: Hub
    leaders: list[LeaderBlock]
    unassigned: list[Placement]

    @property
    def leader_choices(self) -> list[Contact]:
        return [block.leader for block in self.leaders]


def organizing_chart(hub: Hub) -> OrganizingChart:
    """Each leader with the coworkers they organize, against the hub's target span.

    Leaders are the people someone is organized by, plus every placed coworker assessed 1.
    Unassigned: placed coworkers nobody organizes yet (leaders are listed as leaders).
    """
    placements = coworkers(hub)
    blocks: dict[int, LeaderBlock] = {}
    for p in placements:
        if p.contact.assessment == 1:
            blocks.setdefault(p.contact_id, LeaderBlock(p.contact, [], hub.leader_span))
    for p in placements:
        if p.organized_by_id:
            block = blocks.setdefault(
                p.organized_by_id, LeaderBlock(p.organized_by, [], hub.leader_span)
            )
            block.coworkers.append(p)
    unassigned = [p for p in placements if not p.organized_by_id and p.contact_id not in blocks]
    leaders = sorted(
        blocks.values(), key=lambda b: (b.leader.last_name, b.leader.first_name, b.leader.pk)
    )
    return OrganizingChart(hub, leaders, unassigned)


# --- structure tests ------------------------------------------------------------------------


def structure_test_for_hub(hub: Hub, test_id: int) -> StructureTest:
    return get_object_or_404(StructureTest, hub=hub, pk=test_id)


@dataclass
class ReachGroup:
    label: str
    in_time: list[Placement] = field(default_factory=list)
    late: list[Placement] = field(default_factory=list)
    not_reached: list[Placement] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.in_time) + len(self.late) + len(self.not_reached)

    def percent(self, part: list) -> int:
        return round(100 * len(part) / self.total) if self.total else 0

    @property
    def in_time_percent(self) -> int:
        return self.percent(self.in_time)

    @property
    def late_percent(self) -> int:
        return self.percent(self.late)

    @property
    def not_reached_percent(self) -> int:
        return self.percent(self.not_reached)


@dataclass
class StructureResult:
    test: StructureTest
    overall: ReachGroup
    by_leader: list[ReachGroup]
    by_department: list[ReachGroup]
    reached_at: dict[int, dt.datetime]


def reaches(test: StructureTest) -> dict[int, dt.datetime]:
    return dict(
        StructureTestReach.objects.filter(test=test).values_list("contact_id", "reached_at")
    )


def structure_result(test: StructureTest) -> StructureResult:
    """Every coworker placed in the hub: reached by the deadline, late, or not reached (two
    queries), grouped per leader and per department."""
    reached = reaches(test)
    overall = ReachGroup("Everyone")
    leaders: dict[int | None, ReachGroup] = {}
    departments: dict[int | None, ReachGroup] = {}
    for p in coworkers(test.hub):
        leader = leaders.setdefault(
            p.organized_by_id,
            ReachGroup(p.organized_by.display_name if p.organized_by else "No leader yet"),
        )
        dept = departments.setdefault(
            p.department_id, ReachGroup(str(p.department) if p.department else "No department")
        )
        at = reached.get(p.contact_id)
        bucket = "not_reached" if at is None else "in_time" if at <= test.deadline else "late"
        for group in (overall, leader, dept):
            getattr(group, bucket).append(p)

    def ordered(groups: dict) -> list[ReachGroup]:
        named = sorted((g for k, g in groups.items() if k is not None), key=lambda g: g.label)
        return named + ([groups[None]] if None in groups else [])

    return StructureResult(test, overall, ordered(leaders), ordered(departments), reached)


@dataclass
class MarkGroup:
    label: str
    coworkers: list[Placement]

    @property
    def reached_count(self) -> int:
        return sum(1 for p in self.coworkers if p.reached_at)


def marking_groups(test: StructureTest) -> list[MarkGroup]:
    """Every coworker, grouped by the leader who organizes them, each with ``reached_at``
    (None when not reached yet): what a leader scrolls through to mark people reached."""
    reached = reaches(test)
    groups: dict[int | None, MarkGroup] = {}
    for p in coworkers(test.hub):
        p.reached_at = reached.get(p.contact_id)
        label = p.organized_by.display_name if p.organized_by else "No leader yet"
        groups.setdefault(p.organized_by_id, MarkGroup(label, [])).coworkers.append(p)
    named = sorted((g for k, g in groups.items() if k is not None), key=lambda g: g.label)
    return named + ([groups[None]] if None in groups else [])


def placement_candidates(user, hub: Hub, query: str) -> list[Contact]:
    """People the user may see, matching ``query``, not yet on this hub's map."""
    if not query.strip():
        return []
    placed = set(Placement.objects.filter(hub=hub).values_list("contact_id", flat=True))
    return [c for c in find_people(user, query) if c.pk not in placed][:8]
