"""Walk lists: the doors of a piece on a phone, one tap per result; printable lists and paper
results entry. Every page starts from ``piece_for_user`` (404 to everyone else).

A tap is a plain form POST (redirecting back to the door); static/js/walk-list.js sends it with
fetch instead, queues it in the phone when there is no signal, and swaps in the door fragment
this view returns for htmx-style requests (``HX-Request``).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from contacts.models import Contact
from hubs.models import DoorResult
from hubs.selectors.walk import door_of_piece, door_row, piece_for_user, piece_progress, walk_list
from hubs.services.walk import NewPerson, door_result_record, paper_results_record
from organizer.lib.numbers import parse_id

RESULT_CODES = {
    DoorResult.Result.NOT_HOME: "NH",
    DoorResult.Result.TALKED: "T",
    DoorResult.Result.SIGNED: "S",
    DoorResult.Result.REFUSED: "R",
    DoorResult.Result.MOVED: "M",
    DoorResult.Result.INACCESSIBLE: "X",
    DoorResult.Result.COME_BACK: "CB",
}


class TapForm(forms.Form):
    result = forms.ChoiceField(choices=DoorResult.Result.choices)
    note = forms.CharField(required=False, max_length=2000)
    contact = forms.IntegerField(required=False)
    first_name = forms.CharField(required=False, max_length=100)
    last_name = forms.CharField(required=False, max_length=100)
    phone = forms.CharField(required=False, max_length=40)
    client_token = forms.UUIDField(required=False)
    at = forms.DateTimeField(required=False)  # when the phone saw the tap (ISO 8601)


def _record_tap(request, piece, door, form: TapForm) -> DoorResult:
    data = form.cleaned_data
    contact = None
    if data["contact"]:
        contact = Contact.objects.filter(pk=data["contact"]).first()
    return door_result_record(
        by=request.user,
        piece=piece,
        door=door,
        result=data["result"],
        note=data["note"],
        contact=contact,
        new_person=NewPerson(data["first_name"], data["last_name"], data["phone"]),
        client_token=data["client_token"],
        at=data["at"],
    )


def _door_context(request, piece, rows) -> dict:
    """What the door markup needs, prepared here at the cost of a string operation per door
    rather than a template tag: each row's id as text, heading and tap URL (``reverse()`` per door
    is slow), and the result buttons, the same on every door (the door is in the form's action),
    rendered once."""
    before, _sep, after = reverse("hubs:walk_result", args=[piece.pk, 987654321]).rpartition(
        "987654321"
    )
    unit, house = _("Unit %(unit)s"), _("House")
    for row in rows:
        row.key = str(row.door.pk)
        row.tap_url = f"{before}{row.key}{after}"
        label = row.door.unit.label
        row.heading = unit % {"unit": label} if label else house
    results = DoorResult.Result.choices
    buttons = render_to_string("hubs/_walk_buttons.html", {"results": results}, request)
    return {"piece": piece, "results": results, "buttons": buttons}


@login_required
def walk_list_page(request, piece_id: int):
    piece = piece_for_user(request.user, piece_id)
    walk = walk_list(piece, user=request.user)
    note = parse_id(request.GET.get("note"))  # no JavaScript: this door's note form, filled in
    context = _door_context(request, piece, walk.doors)
    context.update(walk=walk, note_door=str(note) if note else None)
    return render(request, "hubs/walk_list.html", context)


@login_required
@require_POST
def walk_result(request, piece_id: int, door_id: int):
    piece = piece_for_user(request.user, piece_id)
    door = door_of_piece(piece, door_id)
    form = TapForm(request.POST)
    error = None
    if form.is_valid():
        try:
            saved = _record_tap(request, piece, door, form)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(reverse("hubs:walk_list", args=[piece.pk]) + f"#door-{door.pk}")
    done, total = piece_progress(piece)
    row = door_row(door, user=request.user, piece=piece)
    context = _door_context(request, piece, [row])
    context.update(door_rows=[row], done=done, total=total, error=error, oob=True)
    response = render(request, "hubs/_walk_door.html", context, status=400 if error else 200)
    if not error:
        response["X-Door-Result"] = str(saved.pk)
    return response


@require_GET
@never_cache
def piece_worker(request):
    """The walk-list service worker (static/js/pieces-sw.js), served under /hubs/pieces/ so
    that its scope covers the pieces: they open with no signal once My day has stored them."""
    with open(finders.find("js/pieces-sw.js"), encoding="utf-8") as script:
        response = HttpResponse(script.read(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("hubs:piece_worker").rpartition("/")[0] + "/"
    return response


@login_required
def walk_print(request, piece_id: int):
    piece = piece_for_user(request.user, piece_id)
    walk = walk_list(piece, user=request.user)
    for row in walk.doors:  # the code of the result already recorded, as on the paper
        row.code = RESULT_CODES.get(row.latest.result, "") if row.latest else ""
    context = {"walk": walk, "piece": piece, "codes": _codes()}
    return render(request, "hubs/walk_print.html", context)


def _codes() -> list[tuple[str, str]]:
    return [(RESULT_CODES[value], label) for value, label in DoorResult.Result.choices]


@login_required
def walk_paper(request, piece_id: int):
    piece = piece_for_user(request.user, piece_id)
    walk = walk_list(piece, user=request.user)
    if request.method == "POST":
        rows, errors = _paper_rows(request.POST, walk)
        batch = _uuid(request.POST.get("batch_token"))
        if not errors and batch:
            at = _paper_time(request.POST.get("knocked_on", ""))
            saved = paper_results_record(
                by=request.user, piece=piece, rows=rows, batch_token=batch, at=at
            )
            messages.success(
                request, ngettext("%d result saved.", "%d results saved.", saved) % saved
            )
            return redirect("hubs:walk_paper", piece.pk)
        messages.error(request, _("Nothing was saved: pick results from the lists."))
    context = {"walk": walk, "piece": piece, "results": DoorResult.Result.choices,
               "batch_token": uuid.uuid4(), "today": timezone.localdate()}  # fmt: skip
    return render(request, "hubs/walk_paper.html", context)


def _paper_rows(post, walk) -> tuple[list, list]:
    rows, errors = [], []
    for row in walk.doors:
        result = post.get(f"result-{row.door.pk}", "")
        if not result:
            continue
        if result not in DoorResult.Result.values:
            errors.append(row.door.pk)
        rows.append((row.door, result, post.get(f"note-{row.door.pk}", "")[:2000]))
    return rows, errors


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


def _paper_time(value: str):
    """Noon of the day the paper list was walked (a form's date), or now when it is today."""
    try:
        day = forms.DateField().clean(value) if value else None
    except ValidationError:
        day = None
    if day is None or day >= timezone.localdate():
        return timezone.now()
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
