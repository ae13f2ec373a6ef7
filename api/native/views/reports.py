"""The report numbers: one endpoint per report, with the report page's filters (the same rules
as its filter form, ``ReportQuery``; scoped by ``report_scope``) and read from ``reports.metrics``
on the reports database, exactly as the pages read them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from api.native.base import NativeAPIView
from api.native.serializers import reports as out
from api.native.serializers.common import ERRORS
from reports import metrics
from reports.routers import reading_reports
from reports.selectors import Scope, report_scope


def _scope(request) -> Scope:
    query = out.ReportQuery(data=request.query_params, context={"request": request})
    query.is_valid(raise_exception=True)
    data = query.validated_data
    return report_scope(
        request.user,
        start=data.get("start"),
        end=data.get("end"),
        hub=data.get("hub"),
        organizer=data.get("organizer"),
        campaign=data.get("campaign"),
    )


def _period(scope: Scope) -> dict:
    return {"start": scope.start, "end": scope.end, "hub": scope.hub.slug if scope.hub else None}


class ReportView(NativeAPIView):
    """A report: ``build(scope)`` returns the data its serializer renders."""

    output = None

    def build(self, scope: Scope) -> dict:
        raise NotImplementedError

    def get(self, request):
        with reading_reports():
            scope = _scope(request)
            data = {"period": _period(scope), **self.build(scope)}
            return Response(self.output(data).data)


def _report(name: str, description: str, **extra):
    """Document a report view: its filters, and its ``output`` as the 200."""

    def document(view: type[ReportView]) -> type[ReportView]:
        return extend_schema(
            summary=name,
            description=description,
            parameters=[out.ReportQuery],
            responses={200: view.output, **ERRORS},
            **extra,
        )(view)

    return document


@_report(
    "Headline numbers",
    "The numbers the Reports page opens with: members, active in 30 days, moved up the "
    "ladder and one-on-ones in the period.",
    examples=[out.HEADLINE_EXAMPLE],
)
class HeadlineReport(ReportView):
    output = out.HeadlineOut

    def build(self, scope):
        return metrics.headline(scope)


@_report(
    "Depth by neighborhood",
    "Members, active volunteers, leaders and organizers per neighborhood, with residents.",
)
class DepthReport(ReportView):
    output = out.DepthOut

    def build(self, scope):
        report = metrics.depth(scope)
        return {
            "rows": report.rows,
            "unplaced": report.unplaced,
            "total": report.total,
            "residents_per_member": report.residents_per_member,
        }


@_report(
    "Ladder movement",
    "People per stage now and at the start, how many moved up, conversion and median "
    "days to move up, and the flows between stages.",
)
class LadderReport(ReportView):
    output = out.LadderOut

    def build(self, scope):
        report = metrics.ladder(scope)
        flows = [
            {"source": a, "to": b, "people": n} for (a, b), n in sorted(report.matrix.items()) if n
        ]
        return {"rows": report.rows, "moved_up_total": report.moved_up_total, "flows": flows}


@_report(
    "Organizers",
    "Per organizer: one-on-ones, follow-ups done on time, overdue, people owned, moved up.",
)
class OrganizersReport(ReportView):
    output = out.OrganizersOut

    def build(self, scope):
        return {"rows": metrics.organizers(scope)}


@_report(
    "Hubs",
    "Per hub: members, new, quiet, attendance, no-shows, one-on-ones, captains, doors.",
)
class HubsReport(ReportView):
    output = out.HubsReportOut

    def build(self, scope):
        return {"rows": metrics.hubs(scope)}


@_report(
    "Retention cohorts",
    "People first active in each month, and how many were still active 1, 3 and 6 months later.",
)
class CohortsReport(ReportView):
    output = out.CohortsOut

    def build(self, scope):
        return {"rows": metrics.cohorts(scope)}


@_report(
    "Campaign goals",
    "Each goal's progress by hub over time, with pace (campaigns.metrics).",
)
class CampaignsReport(ReportView):
    output = out.CampaignsReportOut

    def build(self, scope):
        return {"goals": metrics.campaigns(scope)}


@_report(
    "Workplaces",
    "Each workplace hub's map: people at 1–5 per department and the majority check.",
)
class WorkplacesReport(ReportView):
    output = out.WorkplacesOut

    def build(self, scope):
        return {"rows": metrics.workplaces(scope)}


@_report(
    "Concentration",
    "How much of the membership lives in the top 10% of neighborhoods, over the period.",
)
class ConcentrationReport(ReportView):
    output = out.ConcentrationOut

    def build(self, scope):
        return {"points": metrics.concentration(scope)}
