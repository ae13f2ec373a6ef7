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
