"""Each report as a plain table (header + rows): the CSV export writes exactly these, and the
weekly email quotes from them. Numbers come from ``reports.metrics`` only."""

from __future__ import annotations

from django.utils.translation import gettext as _

from reports import metrics
from reports.selectors import Scope


def metric_labels() -> dict[str, str]:
    return {
        "members": _("Members in good standing"),
        "active_30": _("Active (30 days)"),
        "active_90": _("Active (90 days)"),
        "leaders": _("Leaders"),
        "organizers": _("Organizers"),
    }


def depth_table(scope: Scope, report: metrics.Depth | None = None) -> tuple[list, list]:
    report = report or metrics.depth(scope)
    labels = metric_labels()
    header = [_("Neighborhood"), _("Residents")]
    for m in report.metrics:
        header += [labels[m], _("%(metric)s per 1,000") % {"metric": labels[m]}]
    rows = []
    for r in [*report.rows, report.total]:
        row = [r.name or _("All neighborhoods"), r.residents]
        for m in report.metrics:
            row += [r.counts[m], r.per_1000(m)]
        rows.append(row)
    unplaced = [_("Not in any neighborhood"), ""]
    for m in report.metrics:
        unplaced += [report.unplaced.counts[m], ""]
    rows.append(unplaced)
    return header, rows


def ladder_table(scope: Scope, report: metrics.Ladder | None = None) -> tuple[list, list]:
    report = report or metrics.ladder(scope)
    header = [
        _("Stage"),
        _("People at the end"),
        _("People at the start"),
        _("Moved up"),
        _("Conversion to a higher stage (%)"),
        _("Median days before moving up"),
    ]
    rows = [
        [
            r.name or _("No stage yet"),
            r.now,
            r.at_start,
            r.moved_up,
            "" if r.conversion is None else r.conversion,
            "" if r.median_days_up is None else r.median_days_up,
        ]
        for r in report.rows
    ]
    return header, rows


def organizers_table(scope: Scope, rows=None) -> tuple[list, list]:
    rows = rows if rows is not None else metrics.organizers(scope)
    header = [
        _("Organizer"),
        _("One-on-ones"),
        _("One-on-ones a week"),
        _("People had a one-on-one"),
        _("Follow-ups due"),
        _("Done on time"),
        _("On time (%)"),
        _("People followed up on time"),
        _("People with an overdue follow-up"),
        _("People owned"),
        _("Of them, moved up"),
    ]
    body = [
        [
            r.user.name or r.user.email,
            r.conversations,
            r.per_week,
            r.counts["one_on_ones"],
            r.due,
            r.on_time,
            "" if r.on_time_pct is None else r.on_time_pct,
            r.counts["followed_up"],
            r.counts["overdue"],
            r.counts["owned"],
            r.counts["moved_up"],
        ]
        for r in rows
    ]
    return header, body


def hubs_table(scope: Scope, rows=None) -> tuple[list, list]:
    rows = rows if rows is not None else metrics.hubs(scope)
    header = [
        _("Hub"),
        _("Members"),
        _("New"),
        _("Gone quiet"),
        _("Captains active"),
        _("Captains"),
        _("Turf completion (%)"),
        _("Events held"),
        _("Attended"),
        _("No-shows"),
        _("No-show rate (%)"),
        _("People had a one-on-one"),
    ]
    body = [
        [
            r.hub.name,
            r.counts["members"],
            r.counts["new"],
            r.counts["quiet"],
            r.captains_active,
            r.captains,
            "" if r.turf_pct is None else r.turf_pct,
            r.events_held,
            r.counts["attended"],
            r.counts["no_shows"],
            "" if r.no_show_pct is None else r.no_show_pct,
            r.counts["one_on_ones"],
        ]
        for r in rows
    ]
    return header, body


def cohorts_table(scope: Scope, rows=None) -> tuple[list, list]:
    rows = rows if rows is not None else metrics.cohorts(scope)
    header = [_("First active in"), _("People")]
    for k in metrics.COHORT_OFFSETS:
        header += [
            _("Active %(k)s months later") % {"k": k},
            _("Active %(k)s months later (%%)") % {"k": k},
        ]
    body = []
    for r in rows:
        row = [r.month.strftime("%Y-%m"), r.size]
        for k in metrics.COHORT_OFFSETS:
            n = r.retained[k]
            row += ["" if n is None else n, "" if r.pct(k) is None else r.pct(k)]
        body.append(row)
    return header, body


def campaigns_table(scope: Scope, goals=None) -> tuple[list, list]:
    goals = goals if goals is not None else metrics.campaigns(scope)
    header = [_("Campaign"), _("Goal"), _("Hub"), _("Count"), _("Target"), _("Expected by today"),
              _("Needed a day")]  # fmt: skip
    body = []
    for g in goals:
        lines = [(_("Whole chapter"), g.count, g.pace)] + [
            (h.hub.name, h.count, h.pace) for h in g.hubs
        ]
        for name, count, pace in lines:
            body.append(
                [
                    g.campaign.name,
                    g.label,
                    name,
                    count,
                    pace.target if pace else "",
                    round(pace.expected) if pace else "",
                    "" if not pace or pace.per_day is None else round(pace.per_day, 1),
                ]
            )
    return header, body


def workplaces_table(scope: Scope, rows=None) -> tuple[list, list]:
    rows = rows if rows is not None else metrics.workplaces(scope)
    header = [_("Hub"), _("Department"), _("People placed"), _("At 1–2"), _("Share at 1–2 (%)"),
              _("Majority"), _("Leaders (at 1)")]  # fmt: skip
    body = []
    for w in rows:
        for d in w.map.departments:
            body.append(
                [
                    w.hub.name,
                    d.name,
                    d.tally.total,
                    d.tally.strong,
                    d.tally.share,
                    _("yes") if d.tally.majority else _("no"),
                    len(d.leaders),
                ]
            )
    body.append([])
    body.append([_("Hub"), _("Shift"), _("People placed"), _("At 1–2"), _("Share at 1–2 (%)"),
                 _("Majority"), _("Leaders (at 1)")])  # fmt: skip
    for w in rows:
        for shift, t in w.map.shifts:
            name = f"{shift} ({shift.worksite})" if shift else _("No shift")
            row = [
                w.hub.name,
                name,
                t.total,
                t.strong,
                t.share,
                _("yes") if t.majority else _("no"),
            ]
            body.append([*row, t.levels[1]])
    return header, body


def reach_table(scope: Scope, rows, points) -> tuple[list, list]:
    header = [_("Neighborhood"), _("Votes or supporters"), _("Members"), _("Active (90 days)"),
              _("Members per 1,000 supporters"), _("Supporters per member")]  # fmt: skip
    body = [
        [r.name, r.supporters, r.members, r.active_90,
         "" if r.members_per_1000 is None else r.members_per_1000,
         "" if r.supporters_per_member is None else r.supporters_per_member]
        for r in rows
    ]  # fmt: skip
    body.append([])
    body.append(
        [_("Date"), _("Members placed"), _("In the top 10 % of neighborhoods"), _("Share (%)")]
    )
    body += [[p.day, p.members, p.in_top, "" if p.share is None else p.share] for p in points]
    return header, body


def district_reach_table(scope: Scope, rows) -> tuple[list, list]:
    header = [_("Kind of district"), _("District"), _("Votes or supporters"), _("Members"),
              _("Active (90 days)"), _("Members per 1,000 supporters"),
              _("Supporters per member")]  # fmt: skip
    body = [
        [r.kind, r.name, r.supporters, r.members, r.active_90,
         "" if r.members_per_1000 is None else r.members_per_1000,
         "" if r.supporters_per_member is None else r.supporters_per_member]
        for r in rows
    ]  # fmt: skip
    return header, body
