"""Report pages: each parses the filters, builds the scope, reads one report from
``reports.metrics`` and renders it, or its table as CSV (``?format=csv``)."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from contacts.selectors.access import is_staff, require_staff
from hubs.selectors.access import hubs_for_user
from organizer.lib.ratelimit import hit
from reports import charts, drill, metrics, tables
from reports.forms import (
    DistrictReachImportForm,
    NeighborhoodImportForm,
    ReachImportForm,
    ReportFilterForm,
)
from reports.models import Neighborhood
from reports.routers import reading_reports, replica_in_use
from reports.selectors import Scope, report_scope
from reports.services import (
    NeighborhoodImportError,
    district_reach_import,
    neighborhoods_import,
    person_facts_refresh_later,
    report_export,
)
from reports.services import reach_import as reach_import_service

PAGE_SIZE = 50
# Pages whose numbers use the precomputed person facts (and say as of when), by the name a
# drill-down or the refresh form gives them, and where "Refresh now" comes back to. Cohorts and
# the neighborhoods read the facts for any period; stages and activity for the usual period.
FACT_PAGES = {
    "overview": "reports",
    "headline": "reports",
    "depth": "reports:depth",
    "ladder": "reports:ladder",
    "organizers": "reports:organizers",
    "cohorts": "reports:cohorts",
    "reach": "reports:reach",
    "districts": "reports:reach_districts",
}


def report_view(view):
    """Signed in, and every read inside on the reports database (the replica when set)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        with reading_reports():
            return view(request, *args, **kwargs)

    return wrapped


def _scope(request) -> tuple[ReportFilterForm, Scope]:
    form = ReportFilterForm(
        request.GET or None, user=request.user, hubs=hubs_for_user(request.user)
    )
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return form, report_scope(
        request.user,
        start=data.get("start"),
        end=data.get("end"),
        hub=data.get("hub"),
        organizer=data.get("organizer"),
        campaign=data.get("campaign"),
    )


def _query(request) -> str:
    query = request.GET.copy()
    for name in ("format", "page", "metric", "key", "to", "report"):
        query.pop(name, None)
    return query.urlencode()


def _csv(request, name: str, header: list, rows: list) -> StreamingHttpResponse:
    lines = report_export(
        by=request.user, name=name, header=header, rows=rows, query=_query(request)
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="report-{name}.csv"'
    return response


def _render(request, template: str, form, scope, *, facts: str = "", **context) -> HttpResponse:
    """``facts``: the page reads the precomputed person facts; it says as of when (and staff
    may refresh them), ``facts`` naming the page to come back to."""
    if facts:
        context.update(
            facts=facts,
            facts_as_of=scope.facts_as_of,  # read once per request, with the numbers
            can_refresh=is_staff(request.user),
        )
    context.update(
        form=form,
        scope=scope,
        query=_query(request),
        replica=replica_in_use(),
        labels=tables.metric_labels(),
    )
    return render(request, template, context)


@report_view
def index(request):
    form, scope = _scope(request)
    headline = metrics.headline(scope)
    return _render(request, "reports/index.html", form, scope, facts="overview", headline=headline)


@report_view
def depth(request):
    form, scope = _scope(request)
    report = metrics.depth(scope)
    if request.GET.get("format") == "csv":
        return _csv(request, "depth", *tables.depth_table(scope, report))
    shapes = [
        {"key": r.key, "name": r.name, "shape": r.shape, "rate": r.per_1000("members")}
        for r in report.rows
        if r.shape
    ]
    return _render(
        request,
        "reports/depth.html",
        form,
        scope,
        facts="depth",
        depth=report,
        shapes=shapes,
        tile_url=settings.MAP_TILE_URL,
        can_edit=is_staff(request.user),
        **charts.bars([(r.name, r.per_1000("members")) for r in report.rows]),
    )


@report_view
def ladder(request):
    form, scope = _scope(request)
    report = metrics.ladder(scope)
    if request.GET.get("format") == "csv":
        return _csv(request, "ladder", *tables.ladder_table(scope, report))
    matrix = [
        {
            "key": a,
            "name": name,
            "cells": [{"key": b, "n": report.matrix.get((a, b), 0)} for b, _n in report.keys],
        }
        for a, name in report.keys
    ]
    funnel = [(r.name or _("No stage yet"), r.now) for r in report.rows]
    return _render(
        request,
        "reports/ladder.html",
        form,
        scope,
        facts="ladder",
        ladder=report,
        matrix=matrix,
        **charts.bars(funnel),
    )


@report_view
def organizers(request):
    form, scope = _scope(request)
    rows = metrics.organizers(scope)
    if request.GET.get("format") == "csv":
        return _csv(request, "organizers", *tables.organizers_table(scope, rows))
    return _render(request, "reports/organizers.html", form, scope, facts="organizers", rows=rows)


@report_view
def hubs(request):
    form, scope = _scope(request)
    rows = metrics.hubs(scope)
    if request.GET.get("format") == "csv":
        return _csv(request, "hubs", *tables.hubs_table(scope, rows))
    return _render(request, "reports/hubs.html", form, scope, rows=rows)


@report_view
def cohorts(request):
    form, scope = _scope(request)
    rows = metrics.cohorts(scope)
    if request.GET.get("format") == "csv":
        return _csv(request, "cohorts", *tables.cohorts_table(scope, rows))
    return _render(
        request,
        "reports/cohorts.html",
        form,
        scope,
        facts="cohorts",
        rows=rows,
        offsets=metrics.COHORT_OFFSETS,
        **charts.cohort_grid(rows, metrics.COHORT_OFFSETS),
    )


@report_view
def campaigns(request):
    form, scope = _scope(request)
    goals = metrics.campaigns(scope)
    if request.GET.get("format") == "csv":
        return _csv(request, "campaigns", *tables.campaigns_table(scope, goals))
    return _render(request, "reports/campaigns.html", form, scope, goals=goals)


@report_view
def workplaces(request):
    form, scope = _scope(request)
    rows = metrics.workplaces(scope)
    if request.GET.get("format") == "csv":
        return _csv(request, "workplaces", *tables.workplaces_table(scope, rows))
    return _render(request, "reports/workplaces.html", form, scope, rows=rows)


@report_view
def reach(request):
    form, scope = _scope(request)
    sources = metrics.reach_sources()
    source = request.GET.get("source", "")[:120]
    source = source if source in sources else (sources[0] if sources else "")
    rows = metrics.reach(scope, source) if source else []
    points = metrics.concentration(scope)
    if request.GET.get("format") == "csv":
        return _csv(request, "reach", *tables.reach_table(scope, rows, points))
    return _render(
        request,
        "reports/reach.html",
        form,
        scope,
        facts="reach",
        rows=rows,
        source=source,
        sources=sources,
        points=points,
        import_form=ReachImportForm() if is_staff(request.user) else None,
        **charts.bars([(p.day.strftime("%Y-%m-%d"), p.share) for p in points]),
    )


@login_required
@require_POST
def reach_import(request):
    """Staff: import a result per neighborhood (see :func:`_reach_import`)."""
    require_staff(request.user)
    form = ReachImportForm(request.POST, request.FILES)
    return _reach_import(
        request,
        form,
        lambda data: reach_import_service(content=data["file"].read(), source=data["source"]),
        list_url="reports:reach",
        title=_("Import an election or canvass result"),
        done=ngettext_lazy("%(n)s neighborhood imported.", "%(n)s neighborhoods imported.", "n"),
        fix_hint=_(
            "Fix these rows (or add the neighborhoods on the Neighborhoods page of Reports) and "
            "import the file again: the rows already imported are updated, not doubled."
        ),
        form_template="reports/_reach_form.html",
    )


def _reach_import(
    request, form, run, *, list_url, title, done, fix_hint, form_template
) -> HttpResponse:
    """A result's import, by neighborhood or by district: every row imported goes back to the
    report with a message; otherwise a page says which rows were not imported and why (the
    others are saved), or, for a file refused whole, shows the form with the reason (400).
    ``done`` (counted by ``n``) says how many were imported."""
    result = None
    if form.is_valid():
        try:
            result = run(form.cleaned_data)
        except NeighborhoodImportError as exc:
            form.add_error("file", str(exc))
    result_url = reverse(list_url)
    summary = ""
    if result is not None:
        result_url += "?" + urlencode({"source": form.cleaned_data["source"].strip()})
        imported, rejected = result.created + result.updated, len(result.rejected)
        if not rejected:
            messages.success(request, done % {"n": imported})
            return redirect(result_url)
        left = ngettext("%(r)s row not imported.", "%(r)s rows not imported.", rejected)
        summary = f"{done % {'n': imported}} {left % {'r': rejected}}"
    context = {
        "import_form": form,
        "result": result,
        "result_url": result_url,
        "title": title,
        "summary": summary,
        "fix_hint": fix_hint,
        "form_template": form_template,
    }
    return render(
        request, "reports/reach_import.html", context, status=400 if result is None else 200
    )


def _district_source(request) -> tuple[list[str], str]:
    sources = metrics.district_reach_sources()
    source = request.GET.get("source", "")[:120]
    return sources, source if source in sources else (sources[0] if sources else "")


@report_view
def reach_districts(request):
    form, scope = _scope(request)
    sources, source = _district_source(request)
    rows = metrics.district_reach(scope, source) if source else []
    if request.GET.get("format") == "csv":
        return _csv(request, "reach-districts", *tables.district_reach_table(scope, rows))
    return _render(
        request,
        "reports/reach_districts.html",
        form,
        scope,
        facts="districts",
        rows=rows,
        source=source,
        sources=sources,
        import_form=DistrictReachImportForm() if is_staff(request.user) else None,
    )


@login_required
@require_POST
def reach_districts_import(request):
    """Staff: import a result per election district (see :func:`_reach_import`)."""
    require_staff(request.user)
    form = DistrictReachImportForm(request.POST, request.FILES)
    return _reach_import(
        request,
        form,
        lambda data: district_reach_import(
            content=data["file"].read(), source=data["source"], kind=data["kind"]
        ),
        list_url="reports:reach_districts",
        title=_("Import a result by election district"),
        done=ngettext_lazy("%(n)s district imported.", "%(n)s districts imported.", "n"),
        fix_hint=_(
            "Fix these rows (or add the districts on the Districts page of Campaigns) and "
            "import the file again: the rows already imported are updated, not doubled."
        ),
        form_template="reports/_district_reach_form.html",
    )


@report_view
def people(request):
    """The people behind one number: the same definition as the count, scoped like every list."""
    form, scope = _scope(request)
    try:
        spec = drill.parse(request.GET)
    except drill.BadDrill as exc:
        return HttpResponseBadRequest(str(exc))
    qs = drill.people(scope, spec).order_by("last_name", "first_name", "pk")
    if request.GET.get("format") == "csv":
        rows = ([c.pk, c.first_name, c.last_name, c.zip_code] for c in qs)
        header = [_("ID"), _("First name"), _("Last name"), _("ZIP code")]
        return _csv(request, f"people-{spec.report}", header, list(rows))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return _render(
        request,
        "reports/people.html",
        form,
        scope,
        facts=spec.report if spec.report in FACT_PAGES else "",
        page=page,
        spec=spec,
        title=drill.title(spec),
        full_query=query.urlencode(),
    )


@login_required
@require_POST
def refresh(request):
    """Staff: recompute the person facts now (in Celery), instead of at the next quarter hour."""
    require_staff(request.user)
    wait = hit("reports-refresh", str(request.user.pk), limit=10, window=3600)
    if wait:
        response = HttpResponse(
            _("Refreshed often enough: try again in %(n)s seconds.") % {"n": wait}, status=429
        )
        response["Retry-After"] = str(wait)
        return response
    person_facts_refresh_later()
    messages.success(
        request, _("Recomputing neighborhoods and first activity: reload the page in a minute.")
    )
    page = request.POST.get("page", "")
    return redirect(FACT_PAGES.get(page, "reports"))


@login_required
@require_http_methods(["GET", "POST"])
def neighborhoods(request):
    require_staff(request.user)
    form = NeighborhoodImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = neighborhoods_import(content=form.cleaned_data["file"].read())
        except NeighborhoodImportError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(
                request,
                _("%(c)s neighborhoods added, %(u)s updated.")
                % {"c": result.created, "u": result.updated},
            )
            if not result.rejected:
                return redirect("reports:neighborhoods")
    status = 400 if request.method == "POST" and form.errors else 200
    return render(
        request,
        "reports/neighborhoods.html",
        {"form": form, "result": result, "neighborhoods": Neighborhood.objects.all()},
        status=status,
    )
