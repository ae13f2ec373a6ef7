"""Drill-downs: the people behind any number of any report, from the report's own definition.

A link carries ``report``, ``metric``, ``key`` (and ``to`` for a ladder move) plus the page's
filters; :func:`people` returns the same queryset whose ``count()`` the report shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from contacts.models import Contact
from reports import metrics
from reports.selectors import Scope

_KEY = re.compile(r"^(none|all|\d{1,12}|\d{4}-\d{2})$")

METRICS = {
    "depth": set(metrics.PERSON_METRICS),
    "ladder": {"now", "at_start", "moved_up", "move"},
}


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
    return Spec(report, metric, key, to)


def people(scope: Scope, spec: Spec) -> QuerySet[Contact]:
    if spec.report == "depth":
        return metrics.depth_people(scope, spec.key, spec.metric)
    if spec.report == "ladder":
        return metrics.ladder_people(scope, spec.metric, spec.key, spec.to)
    raise BadDrill(_("This report or number does not exist."))


def title(spec: Spec) -> str:
    return {
        "depth": _("Depth by neighborhood"),
        "ladder": _("Ladder"),
    }.get(spec.report, "")
