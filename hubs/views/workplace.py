"""The workplace map, the organizing chart and structure tests (workplace hubs only).

Every page works as plain forms; with htmx, assessing a coworker re-renders the map and marking
someone reached re-renders their row.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hubs.forms import (
    AssessmentForm,
    DepartmentForm,
    HeadcountForm,
    LeaderAssignForm,
    PlacementForm,
    RosterForm,
    ShiftForm,
    StructureTestForm,
    WorksiteForm,
)
from hubs.selectors import workplace as selectors
from hubs.selectors.access import can_manage_hub
from hubs.selectors.hubs import addable_contact_for_user
from hubs.services import workplace as services
from hubs.services.roster import ROSTER_MAX_BYTES, roster_apply, roster_plan


def _map_context(request, hub) -> dict:
    return {
        "hub": hub,
        "map": selectors.workplace_map(hub),
        "coworkers": selectors.coworkers(hub),
        "can_manage": can_manage_hub(request.user, hub),
        "levels": selectors.LEVELS,
    }


@login_required
def workplace_map(request, slug: str):
    hub = selectors.workplace_hub_for_user(request.user, slug)
    return render(request, "hubs/workplace_map.html", _map_context(request, hub))


@login_required
@require_POST
def assess(request, slug: str, contact_id: int):
    hub = selectors.workplace_hub_for_user(request.user, slug)
    placement = selectors.placement_for_hub(hub, contact_id)
    form = AssessmentForm(request.POST)
    if form.is_valid():
        level = form.cleaned_data["level"]
        services.assessment_record(by=request.user, contact=placement.contact, level=level)
        messages.success(
            request,
            _("%(name)s assessed %(level)s.")
            % {"name": placement.contact.display_name, "level": level},
        )
    else:
        messages.error(request, _("Pick an assessment from 1 to 5."))
    if request.htmx:
        return render(request, "hubs/workplace_body.html", _map_context(request, hub))
    return redirect("hubs:workplace", hub.slug)


def _setup_forms(hub, data=None, which: str = "") -> dict:
    def bound(name):
        return data if which == name else None

    return {
        "worksite_form": WorksiteForm(bound("worksite"), prefix="worksite"),
        "department_form": DepartmentForm(bound("department"), hub=hub, prefix="department"),
        "shift_form": ShiftForm(bound("shift"), hub=hub, prefix="shift"),
        "headcount_form": HeadcountForm(bound("headcount"), hub=hub, prefix="headcount"),
    }


def _headcounts_set(*, by, hub, **data) -> None:
    services.headcounts_set(by=by, hub=hub, **data)


@login_required
@require_http_methods(["GET", "POST"])
def setup(request, slug: str):
    """Worksites, departments and shifts: three small add forms on one page."""
    hub = selectors.managed_workplace_hub_for_user(request.user, slug)
    which = request.POST.get("form", "")
    forms = _setup_forms(hub, request.POST or None, which)
    form = forms.get(f"{which}_form")
    if request.method == "POST" and form is not None and form.is_valid():
        add = {"worksite": services.worksite_add, "department": services.department_add}
        add["shift"] = services.shift_add
        add["headcount"] = _headcounts_set
        data = form.values() if which == "headcount" else form.cleaned_data
        try:
            add[which](by=request.user, hub=hub, **data)
            messages.success(request, _("Saved."))
            return redirect("hubs:workplace_setup", hub.slug)
        except services.WorkplaceError as error:
            form.add_error(None, str(error))
    worksites = hub.worksites.prefetch_related("departments", "shifts")
    status = 400 if request.method == "POST" else 200
    context = {"hub": hub, "worksites": worksites, **forms}
    return render(request, "hubs/workplace_setup.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def place(request, slug: str):
    """Find a person (among those the user may see) and place them on the map: the hub's
    organizers place their coworkers too, not only captains and staff."""
    hub = selectors.workplace_hub_for_user(request.user, slug)
    form = PlacementForm(request.POST or None, hub=hub)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        contact = addable_contact_for_user(request.user, data.pop("contact"))
        try:
            services.placement_save(by=request.user, hub=hub, contact=contact, **data)
            messages.success(request, _("%(name)s placed.") % {"name": contact.display_name})
            return redirect("hubs:workplace_place", hub.slug)
        except services.WorkplaceError as error:
            form.add_error(None, str(error))
    query = request.GET.get("q", "").strip()
    context = {"hub": hub, "form": form, "query": query}
    context["can_manage"] = can_manage_hub(request.user, hub)
    context["candidates"] = selectors.placement_candidates(request.user, hub, query)
    context["placed"] = selectors.coworkers(hub)
    status = 400 if request.method == "POST" else 200
    return render(request, "hubs/workplace_place.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def roster(request, slug: str):
    """Place a whole roster: paste or upload it, see what happens to every row, place them."""
    hub = selectors.workplace_hub_for_user(request.user, slug)
    form = RosterForm(request.POST or None, request.FILES or None, hub=hub,
                      max_bytes=ROSTER_MAX_BYTES)  # fmt: skip
    context = {"hub": hub, "form": form, "plan": None, "placed": False}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = roster_plan(
                by=request.user, hub=hub, worksite=data["worksite"], content=data["content"]
            )
            if "place" in request.POST:
                roster_apply(by=request.user, hub=hub, plan=plan)
            context.update(plan=plan, placed="place" in request.POST, text=plan.text)
        except services.WorkplaceError as error:
            form.add_error(None, str(error))
    context["can_manage"] = can_manage_hub(request.user, hub)
    status = 400 if form.errors else 200
    return render(request, "hubs/workplace_roster.html", context, status=status)


@login_required
def chart(request, slug: str):
    hub = selectors.workplace_hub_for_user(request.user, slug)
    context = {
        "hub": hub,
        "chart": selectors.organizing_chart(hub),
        "can_manage": can_manage_hub(request.user, hub),
    }
    return render(request, "hubs/workplace_chart.html", context)


@login_required
@require_POST
def assign(request, slug: str, contact_id: int):
    hub = selectors.managed_workplace_hub_for_user(request.user, slug)
    placement = selectors.placement_for_hub(hub, contact_id)
    form = LeaderAssignForm(request.POST)
    if form.is_valid():
        try:
            services.leader_assign(
                by=request.user,
                hub=hub,
                contact_id=placement.contact_id,
                leader_id=form.cleaned_data["leader"],
            )
            messages.success(request, _("Saved."))
        except services.WorkplaceError as error:
            messages.error(request, str(error))
    return redirect("hubs:workplace_chart", hub.slug)


@login_required
@require_http_methods(["GET", "POST"])
def test_new(request, slug: str):
    hub = selectors.managed_workplace_hub_for_user(request.user, slug)
    form = StructureTestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            test = services.structure_test_start(by=request.user, hub=hub, **form.cleaned_data)
            return redirect("hubs:structure_test", hub.slug, test.pk)
        except services.WorkplaceError as error:
            form.add_error("deadline", str(error))
    tests = hub.structure_tests.all()[:20]
    status = 400 if request.method == "POST" else 200
    context = {"hub": hub, "form": form, "tests": tests}
    return render(request, "hubs/structure_new.html", context, status=status)


@login_required
def test_detail(request, slug: str, test_id: int):
    """The marking list: every coworker grouped by their leader, one tap to mark reached."""
    hub = selectors.workplace_hub_for_user(request.user, slug)
    test = selectors.structure_test_for_hub(hub, test_id)
    context = {"hub": hub, "test": test, "groups": selectors.marking_groups(test)}
    return render(request, "hubs/structure_test.html", context)


@login_required
@require_POST
def reach(request, slug: str, test_id: int, contact_id: int):
    hub = selectors.workplace_hub_for_user(request.user, slug)
    test = selectors.structure_test_for_hub(hub, test_id)
    placement = selectors.placement_for_hub(hub, contact_id)
    mark = services.structure_reach_mark(
        by=request.user, test=test, contact_id=placement.contact_id
    )
    if request.htmx:
        placement.reached_at = mark.reached_at
        context = {"hub": hub, "test": test, "p": placement}
        return render(request, "hubs/structure_row.html", context)
    return redirect("hubs:structure_test", hub.slug, test.pk)


@login_required
def test_result(request, slug: str, test_id: int):
    hub = selectors.workplace_hub_for_user(request.user, slug)
    test = selectors.structure_test_for_hub(hub, test_id)
    context = {"hub": hub, "test": test, "result": selectors.structure_result(test)}
    return render(request, "hubs/structure_result.html", context)
