"""Petition pages for staff and captains (create, edit, a petition with its signatures, paper
sheets, the delivery list) and the public petition page (no account)."""

from __future__ import annotations

import itertools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from campaigns.forms import PaperSheetFormSet, PetitionForm, SignForm
from campaigns.models import District
from campaigns.selectors.access import (
    can_manage_campaign,
    managed_campaign_for_user,
    managed_petition_for_user,
    petition_for_user,
    petitions_for_user,
)
from campaigns.selectors.petitions import (
    count_by_zip,
    public_petition,
    recent_signatures,
    signature_count,
    with_counts,
)
from campaigns.selectors.pressure import (
    count_by_district,
    delivery_kind,
    delivery_rows_with_district,
)
from campaigns.services.events import recruiter_code_for_user, recruiter_for_code
from campaigns.services.petitions import (
    SignerInput,
    paper_preview,
    paper_sheet_record,
    petition_create,
    petition_sign,
    petition_update,
)
from contacts.models import ExportLog
from organizer.lib import ratelimit
from organizer.lib.csvfiles import csv_lines
from organizer.lib.forms import add_validation_error

SIGN_LIMIT = (10, 60)  # per address: 10 a minute
SIGN_HOURLY = (60, 3600)  # and 60 an hour (a shared wifi at a rally still fits)


@login_required
def petition_list(request):
    petitions = with_counts(petitions_for_user(request.user).select_related("campaign"))[:200]
    return render(request, "campaigns/petition_list.html", {"petitions": petitions})


@login_required
def petition_new(request, slug: str):
    campaign = managed_campaign_for_user(request.user, slug)
    form = PetitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        petition = petition_create(by=request.user, campaign=campaign, **form.cleaned_data)
        return redirect("campaigns:petition", pk=petition.pk)
    return render(request, "campaigns/petition_form.html", {"form": form, "campaign": campaign})


@login_required
def petition_edit(request, pk: int):
    petition = managed_petition_for_user(request.user, pk)
    form = PetitionForm(request.POST or None, instance=petition)
    if request.method == "POST" and form.is_valid():
        petition_update(by=request.user, petition=petition, **form.cleaned_data)
        return redirect("campaigns:petition", pk=petition.pk)
    context = {"form": form, "campaign": petition.campaign, "petition": petition}
    return render(request, "campaigns/petition_form.html", context)


@login_required
def petition_detail(request, pk: int):
    petition = petition_for_user(request.user, pk)
    public_url = settings.SITE_URL + reverse("public_petition", args=[petition.pk])
    context = {
        "petition": petition,
        "count": signature_count(petition),
        "by_zip": count_by_zip(petition),
        "recent": recent_signatures(petition),
        "can_manage": can_manage_campaign(request.user, petition.campaign),
        "public_url": public_url,
        "my_link": f"{public_url}?r={recruiter_code_for_user(user=request.user).code}",
    }
    return render(request, "campaigns/petition_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def paper_sheet(request, pk: int):
    """Type in a paper sheet: a preview flags possible duplicates, then "Save" records it."""
    petition = petition_for_user(request.user, pk)
    formset = PaperSheetFormSet(request.POST or None, prefix="row")
    preview = None
    if request.method == "POST":
        if not formset.is_valid():
            return render(
                request,
                "campaigns/paper_sheet.html",
                {"petition": petition, "formset": formset},
                status=400,
            )
        rows = [f.cleaned_data for f in formset.forms if f.cleaned_data.get("name")]
        if request.POST.get("save") == "1" and rows:
            try:
                saved = paper_sheet_record(by=request.user, petition=petition, rows=rows)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    _("%(n)s signatures saved (%(new)s new).") % {"n": len(rows), "new": saved},
                )
                return redirect("campaigns:petition", pk=petition.pk)
        preview = paper_preview(rows)
    context = {"petition": petition, "formset": formset, "preview": preview}
    return render(request, "campaigns/paper_sheet.html", context)


@login_required
def delivery(request, pk: int):
    """The printable list for the target: names and neighborhood/ZIP only."""
    petition = petition_for_user(request.user, pk)
    kind = delivery_kind(petition, request.GET.get("kind", "")[:20])
    context = {
        "petition": petition,
        "rows": delivery_rows_with_district(petition, kind)[:20000],
        "by_zip": count_by_zip(petition),
        "kind": kind,
        "kinds": District.Kind.choices,
        "kind_label": District.Kind(kind).label if kind else "",
        "by_district": count_by_district(petition, kind),
        "count": signature_count(petition),
    }
    return render(request, "campaigns/petition_delivery.html", context)


@login_required
def delivery_csv(request, pk: int):
    """The signers for the target: names and where they live, never phones or emails; every
    cell through the one CSV writer, and the export logged like every export of people."""
    petition = petition_for_user(request.user, pk)
    kind = delivery_kind(petition, request.GET.get("kind", "")[:20])
    rows = delivery_rows_with_district(petition, kind)
    ExportLog.objects.create(
        user=request.user, what=f"petition:{petition.pk}"[:60], row_count=rows.count()
    )
    header = ["first_name", "last_name", "neighborhood", "zip_code", "signed_on"]
    if kind:
        header.insert(4, f"district ({kind})")
    body = (
        [
            row["contact__first_name"],
            row["contact__last_name"],
            row["contact__neighborhood"],
            row["contact__zip_code"],
            *([row["district"]] if kind else []),
            timezone.localtime(row["signed_at"]).date().isoformat(),
        ]
        for row in rows.iterator(chunk_size=1000)
    )
    response = StreamingHttpResponse(
        csv_lines(itertools.chain([header], body), bom=True), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="petition-{petition.pk}-signers.csv"'
    return response


# --- the public page ----------------------------------------------------------------------------


def _limited(request) -> int:
    """Per address, both windows in one Redis round trip."""
    return ratelimit.hit_all(
        ratelimit.client_ip(request),
        [("sign-min", *SIGN_LIMIT), ("sign-hour", *SIGN_HOURLY)],
    )


def _public(request, petition, form, *, status=200, done=False):
    language = get_language() or "en"
    context = {
        "petition": petition,
        "title": petition.title_for(language),
        "text": petition.text_for(language),
        "form": form,
        "done": done,
        "count": signature_count(petition),
    }
    return render(request, "campaigns/public_petition.html", context, status=status)


@require_http_methods(["GET", "POST"])
def public_page(request, pk: int):
    done_url = reverse("public_petition", args=[pk]) + "?done=1"
    if request.method == "GET":
        form = SignForm(initial={"r": request.GET.get("r", "")[:16]})
        return _public(request, public_petition(pk), form, done=request.GET.get("done") == "1")
    # A POST reads the petition in the same message as the person's locks and match (the
    # service); the page, only to show errors.
    wait = _limited(request)
    form = SignForm(request.POST)
    if wait:
        form.is_valid()
        form.add_error(None, _("Too many signatures from this address. Try again in a minute."))
        response = _public(request, public_petition(pk), form, status=429)
        response["Retry-After"] = str(wait)
        return response
    if not form.is_valid():
        return _public(request, public_petition(pk), form, status=400)
    data = form.cleaned_data
    if data["website"]:  # the honeypot: a bot sees the same thanks and nothing is saved
        return redirect(done_url)
    try:
        petition_sign(
            petition_id=pk,
            data=SignerInput(
                first_name=data["first_name"],
                last_name=data["last_name"],
                phone=data["phone"],
                email=data["email"],
                street=data["street"],
                zip_code=data["zip_code"],
                consent=data["consent"],
            ),
            recruiter_id=recruiter_for_code(data["r"]),
        )
    except ValidationError as exc:
        add_validation_error(form, exc)
        return _public(request, public_petition(pk), form, status=400)
    # Everyone sees the same thanks, signed before or not (no enumeration).
    return redirect(done_url)


def public_count(request, pk: int):
    """The live count (htmx polls it)."""
    petition = public_petition(pk)
    if not request.headers.get("HX-Request"):
        raise Http404
    return render(
        request,
        "campaigns/_petition_count.html",
        {"petition": petition, "count": signature_count(petition)},
    )
