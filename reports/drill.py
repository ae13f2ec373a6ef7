"""Drill-downs: the people behind any number of any report, from the report's own definition.

A link carries ``report``, ``metric``, ``key`` (and ``to`` for a ladder move) plus the page's
filters; :func:`people` returns the same queryset whose ``count()`` the report shows.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from contacts.models import Contact
from reports import metrics
from reports.selectors import Scope

_KEY = re.compile(r"^(none|all|\d{1,12}|\d{4}-\d{2})$")

METRICS = {
    "headline": set(metrics.HEADLINE_METRICS),
    "depth": set(metrics.PERSON_METRICS),
    "ladder": {"now", "at_start", "moved_up", "move"},
    "organizers": set(metrics.ORGANIZER_METRICS),
    "hubs": set(metrics.HUB_METRICS),
    "workplaces": {"strong", "leaders", "shift_placed", "shift_strong", "shift_leaders"},
    "cohorts": {"size", *(f"m{k}" for k in metrics.COHORT_OFFSETS)},
    "districts": set(metrics.DISTRICT_REACH_METRICS),
}
_NEEDS_ID = {"organizers", "hubs", "workplaces", "districts"}


class BadDrill(Exception):
    pass


@dataclass(frozen=True)
class Spec:
    report: str
    metric: str
    key: str
    to: str = ""


def parse(params) -> Spec:
    report, metric = params.get("report", ""), params.get("metric", "")
    key, to = params.get("key", "all"), params.get("to", "")
    if report not in METRICS or metric not in METRICS[report]:
        raise BadDrill(_("This report or number does not exist."))
    if not _KEY.match(key) or (to and not _KEY.match(to)):
        raise BadDrill(_("This row does not exist."))
    if report in _NEEDS_ID and not (key.isascii() and key.isdigit() and len(key) < 19):
        raise BadDrill(_("This row does not exist."))
    if report == "cohorts" and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", key):
        raise BadDrill(_("This row does not exist."))
    return Spec(report, metric, key, to)


def people(scope: Scope, spec: Spec) -> QuerySet[Contact]:
    if spec.report == "headline":
        return metrics.headline_people(scope, spec.metric)
    if spec.report == "depth":
        return metrics.depth_people(scope, spec.key, spec.metric)
    if spec.report == "ladder":
        return metrics.ladder_people(scope, spec.metric, spec.key, spec.to)
    if spec.report == "organizers":
        return metrics.organizer_people(scope, spec.metric, int(spec.key))
    if spec.report == "hubs":
        return metrics.hub_people(scope, spec.metric, int(spec.key))
    if spec.report == "workplaces":
        metric, by = spec.metric, "department"
        if metric.startswith("shift_"):
            metric, by = metric.removeprefix("shift_"), "shift"
        return metrics.workplace_people(scope, metric, int(spec.key), spec.to or "none", by)
    if spec.report == "cohorts":
        month = dt.date(int(spec.key[:4]), int(spec.key[5:]), 1)
        offset = 0 if spec.metric == "size" else int(spec.metric[1:])
        return metrics.cohort_people(scope, month, offset)
    if spec.report == "districts":
        return metrics.district_reach_people(scope, int(spec.key), spec.metric)
    raise BadDrill(_("This report or number does not exist."))


def title(spec: Spec) -> str:
    return {
        "headline": _("Overview"),
        "depth": _("Depth by neighborhood"),
        "ladder": _("Ladder"),
        "organizers": _("Organizers"),
        "hubs": _("Hubs"),
        "cohorts": _("Retention cohorts"),
        "workplaces": _("Workplaces"),
        "districts": _("Reach by election district"),
    }.get(spec.report, "")
