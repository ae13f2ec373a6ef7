"""Doors and turf pages: address imports (staff), cutting turf on a map or by lists, splitting
it into pieces, assigning them and moving the doors left (a hub's captains and staff; 404 to
everyone else)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contacts.selectors.access import require_staff
from hubs.forms import AssignForm, DoorsUploadForm, RebalanceForm, SplitForm, TurfCutForm
from hubs.selectors.access import managed_hub_for_user
from hubs.selectors.turf import (
    doors_in_box,
    map_bounds,
    piece_for_turf,
    turf_for_hub,
    turf_progress,
    turfs_for_hub,
)
from hubs.services.turf import (
    DoorsFileError,
    TurfError,
    doors_from_contacts,
    doors_import,
    doors_upload,
    doors_upload_for_user,
    doors_upload_import,
    doors_upload_report,
    piece_assign,
    piece_rebalance,
    rejection_rows,
    turf_create,
    turf_cut_count,
    turf_has_results,
    turf_split,
)
from organizer.lib.csvfiles import write_csv

# --- Doors (staff) --------------------------------------------------------------------------


def _upload(request, token: str):
    require_staff(request.user)
    found = doors_upload_for_user(token, request.user)
    if found is None:
        raise Http404
    return found


@login_required
def doors_import_upload(request):
    require_staff(request.user)
    form = DoorsUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            token, _report = doors_upload(file=file, by=request.user, name=file.name)
        except DoorsFileError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("hubs:doors_import_preview", token=token)
    return render(request, "hubs/doors_import.html", {"form": form})


@login_required
def doors_import_preview(request, token: str):
    path, meta = _upload(request, token)
    if request.method == "POST":
        try:
            doors_upload_import(token=token, path=path, meta=meta)
        except DoorsFileError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Addresses imported."))
        return redirect("hubs:doors_import_preview", token=token)
    report = doors_upload_report(meta)
    if report is None:
        try:
            report = doors_import(path=path, dry_run=True)
        except DoorsFileError:  # the file is gone (imported from another tab, or removed)
            raise Http404 from None
    context = {"token": token, "name": meta["name"], "report": report}
    return render(request, "hubs/doors_import_report.html", context)


@login_required
def doors_import_rejections(request, token: str):
    path, meta = _upload(request, token)
    report = doors_upload_report(meta) or doors_import(path=path, dry_run=True)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="rejected-addresses.csv"'
    write_csv(response, rejection_rows(report))
    return response


@login_required
@require_POST
def doors_from_people(request):
    require_staff(request.user)
    buildings, units, residences = doors_from_contacts()
    messages.success(
        request,
        _(
            "Doors from people's addresses: %(b)s new buildings, %(u)s new doors, "
            "%(r)s people placed."
        )
        % {"b": buildings, "u": units, "r": residences},
    )
    return redirect("hubs:doors_import")


# --- Turf -----------------------------------------------------------------------------------


@login_required
def turf_index(request, slug: str):
    hub = managed_hub_for_user(request.user, slug)
    return render(request, "hubs/turf_index.html", {"hub": hub, "turfs": turfs_for_hub(hub)})


def _map_context(hub) -> dict:
    return {
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "bounds": map_bounds(hub),
        "hub_area": [[lat, lng] for lng, lat in hub.area] if hub.area else None,
    }


@login_required
def turf_new(request, slug: str):
    hub = managed_hub_for_user(request.user, slug)
    form = TurfCutForm(request.POST or None, require_name="save" in request.POST)
    count = None
    if request.method == "POST" and form.is_valid():
        if "save" in request.POST:
            try:
                turf = turf_create(
                    hub=hub, name=form.cleaned_data["name"], cut=form.cut(), by=request.user
                )
            except TurfError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Turf saved. Now split it into pieces."))
                return redirect("hubs:turf_split", slug=hub.slug, pk=turf.pk)
        else:
            count = turf_cut_count(cut=form.cut(), by=request.user)
    context = {"hub": hub, "form": form, "count": count, **_map_context(hub)}
    return render(request, "hubs/turf_new.html", context)


@login_required
@require_POST
def turf_preview(request, slug: str):
    """The htmx preview: how many doors and people the cut takes (a fragment)."""
    managed_hub_for_user(request.user, slug)
    form = TurfCutForm(request.POST, require_name=False)
    count = turf_cut_count(cut=form.cut(), by=request.user) if form.is_valid() else None
    return render(request, "hubs/turf_count.html", {"form": form, "count": count})


@login_required
def turf_doors(request, slug: str):
    """Buildings inside ``?bbox=west,south,east,north`` as JSON, for the map's markers."""
    managed_hub_for_user(request.user, slug)
    try:
        west, south, east, north = (float(v) for v in request.GET.get("bbox", "").split(","))
    except ValueError:
        return JsonResponse({"error": "bbox=west,south,east,north"}, status=400)
    doors, capped = doors_in_box(west, south, east, north, by=request.user)
    return JsonResponse({"doors": doors, "capped": capped})


@login_required
def turf_detail(request, slug: str, pk: int):
    hub = managed_hub_for_user(request.user, slug)
    turf = turf_for_hub(hub, pk)
    context = {"hub": hub, "turf": turf, "progress": turf_progress(turf)}
    return render(request, "hubs/turf_detail.html", context)


@login_required
def turf_split_view(request, slug: str, pk: int):
    hub = managed_hub_for_user(request.user, slug)
    turf = turf_for_hub(hub, pk)
    form = SplitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pieces = turf_split(turf=turf, size=form.cleaned_data["size"])
        except TurfError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Split into %(n)s pieces.") % {"n": len(pieces)})
            return redirect("hubs:turf_detail", slug=hub.slug, pk=turf.pk)
    context = {"hub": hub, "turf": turf, "form": form, "locked": turf_has_results(turf)}
    return render(request, "hubs/turf_split.html", context)


@login_required
def piece_assign_view(request, slug: str, pk: int, piece_id: int):
    hub = managed_hub_for_user(request.user, slug)
    piece = piece_for_turf(turf_for_hub(hub, pk), piece_id)
    initial = {"assignee": piece.assigned_to_id, "due_on": piece.due_on}
    form = AssignForm(request.POST or None, hub=hub, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            piece_assign(
                piece=piece, assignee=data["assignee"], due_on=data["due_on"], by=request.user
            )
        except TurfError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Piece %(n)s assigned.") % {"n": piece.number})
            return redirect("hubs:turf_detail", slug=hub.slug, pk=pk)
    context = {"hub": hub, "turf": piece.turf, "piece": piece, "form": form}
    return render(request, "hubs/turf_assign.html", context)


@login_required
def piece_rebalance_view(request, slug: str, pk: int, piece_id: int):
    hub = managed_hub_for_user(request.user, slug)
    piece = piece_for_turf(turf_for_hub(hub, pk), piece_id)
    form = RebalanceForm(request.POST or None, hub=hub)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pieces = piece_rebalance(
                piece=piece,
                assignees=list(data["assignees"]),
                due_on=data["due_on"],
                by=request.user,
            )
        except TurfError as exc:
            form.add_error(None, str(exc))
        else:
            numbers = ", ".join(str(p.number) for p in pieces)
            messages.success(
                request, _("Remaining doors moved to piece(s) %(n)s.") % {"n": numbers}
            )
            return redirect("hubs:turf_detail", slug=hub.slug, pk=pk)
    context = {"hub": hub, "turf": piece.turf, "piece": piece, "form": form}
    return render(request, "hubs/turf_rebalance.html", context)
