"""Targets and pressure: staff pages for districts and targets, a campaign's pressure page (its
actions, its call page's script and targets), logging an action for a person, and the public
"call your legislator" page (no account).

Access: districts and targets are staff pages (404 to anyone else); a campaign's pressure page
is for whoever sees the campaign (``campaign_for_user``), its settings for those who manage it;
logging an action needs both the campaign and the person (``contact_for_user``) in scope.
The public page limits lookups and reports per address, carries a honeypot, and answers the
same thanks whether the person was known or not.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from campaigns.forms.pressure import (
    ActionLogForm,
    DistrictShapesForm,
    DistrictZipsForm,
    PlaceForm,
    PressurePageForm,
    ReportForm,
    TargetForm,
)
from campaigns.models import District, DistrictZip, PressureAction, Target
from campaigns.selectors.access import (
    campaign_for_user,
    campaigns_for_user,
    can_manage_campaign,
    managed_campaign_for_user,
)
from campaigns.selectors.pressure import (
    action_totals,
    actions_of_contact,
    campaign_targets,
    districts_of_contact,
    lookup,
    parse_place,
    public_pressure_page,
    recent_actions,
    targets_for,
)
from campaigns.services.events import recruiter_code_for_user, recruiter_for_code
from campaigns.services.petitions import SignerInput
from campaigns.services.pressure import (
    MAX_REJECTIONS_SHOWN,
    DistrictImportError,
    district_shapes_import,
    district_zips_import,
    pressure_action_public,
    pressure_action_record,
    pressure_page_save,
    target_save,
)
from contacts.selectors.access import contact_for_user, require_staff
from contacts.selectors.search import bound_query, find_people
from organizer.lib import ratelimit
from organizer.lib.forms import add_validation_error
from organizer.lib.phones import InvalidPhone, normalize_phone

LOOKUP_LIMIT = (30, 60)  # per address: 30 lookups a minute
REPORT_LIMIT = (10, 60)  # per address: 10 "I called" a minute
REPORT_HOURLY = (60, 3600)  # and 60 an hour (a rally's shared wifi still fits)


# --- staff: districts and targets ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def districts(request):
    require_staff(request.user)
    zips_form, shapes_form, report = DistrictZipsForm(), DistrictShapesForm(prefix="shapes"), None
    if request.method == "POST":
        which = request.POST.get("which")
        if which == "shapes":
            form = DistrictShapesForm(request.POST, request.FILES, prefix="shapes")
        else:
            form = DistrictZipsForm(request.POST, request.FILES)
        if which == "shapes":
            shapes_form = form
        else:
            zips_form = form
        if form.is_valid():
            content = form.cleaned_data["file"].read(20 * 1024 * 1024 + 1)
            try:
                if which == "shapes":
                    report = district_shapes_import(
                        content=content,
                        kind=form.cleaned_data["kind"],
                        name_property=form.cleaned_data["name_property"],
                    )
                else:
                    report = district_zips_import(content=content)
            except DistrictImportError as exc:
                form.add_error("file", str(exc))
    context = {
        "districts": District.objects.order_by("kind", "name")[:2000],
        "zip_rows": DistrictZip.objects.count(),
        "zips_form": zips_form,
        "shapes_form": shapes_form,
        "report": report,
        "rejected": report.rejected[:MAX_REJECTIONS_SHOWN] if report else [],
        "shapes_report": request.POST.get("which") == "shapes",
    }
    status = 400 if request.method == "POST" and report is None else 200
    return render(request, "campaigns/pressure/districts.html", context, status=status)


@login_required
def targets(request):
    require_staff(request.user)
    rows = Target.objects.select_related("district").prefetch_related("campaigns")[:2000]
    return render(request, "campaigns/pressure/targets.html", {"targets": rows})


@login_required
@require_http_methods(["GET", "POST"])
def target_edit(request, pk: int | None = None):
    require_staff(request.user)
    target = get_object_or_404(Target, pk=pk) if pk else None
    form = TargetForm(request.POST or None, instance=target)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        campaigns = data.pop("campaigns")
        target_save(by=request.user, target=target, campaigns=campaigns, **data)
        messages.success(request, _("Target saved."))
        return redirect("campaigns:targets")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "target": target}
    return render(request, "campaigns/pressure/target_form.html", context, status=status)


# --- a campaign's pressure page -----------------------------------------------------------------


@login_required
def campaign_pressure(request, slug: str):
    campaign = campaign_for_user(request.user, slug)
    page = getattr(campaign, "pressure", None)
    public_url = settings.SITE_URL + reverse("public_call", args=[campaign.slug])
    query = bound_query(request.GET.get("q")).text
    context = {
        "campaign": campaign,
        "q": query,
        "people": find_people(request.user, query, limit=10) if query else [],
        "page": page,
        "targets": campaign_targets(campaign),
        "totals": action_totals(campaign),
        "recent": recent_actions(request.user, campaign),
        "can_manage": can_manage_campaign(request.user, campaign),
        "public_url": public_url,
        "my_link": f"{public_url}?r={recruiter_code_for_user(user=request.user).code}",
    }
    return render(request, "campaigns/pressure/campaign.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_pressure_edit(request, slug: str):
    campaign = managed_campaign_for_user(request.user, slug)
    page = getattr(campaign, "pressure", None)
    form = PressurePageForm(request.POST or None, instance=page, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "targets"}
        pressure_page_save(
            by=request.user, campaign=campaign, targets=form.cleaned_data["targets"], **data
        )
        messages.success(request, _("Call page saved."))
        return redirect("campaigns:pressure", slug=campaign.slug)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "campaign": campaign}
    return render(request, "campaigns/pressure/page_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def action_log(request, slug: str, contact_id: int):
    """An organizer logs a visit, testimony, letter, call or email by a person they may see."""
    campaign = campaign_for_user(request.user, slug)
    contact = contact_for_user(request.user, contact_id)
    form = ActionLogForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        at = timezone.now()
        if data["day"] != timezone.localdate():  # an earlier day: noon of it
            at = timezone.make_aware(dt.datetime.combine(data["day"], dt.time(12)))
        try:
            _action, created = pressure_action_record(
                campaign=campaign,
                target=data["target"],
                contact=contact,
                kind=data["kind"],
                source=PressureAction.Source.ORGANIZER,
                notes=data["notes"],
                by=request.user,
                at=at,
            )
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Action logged.") if created else _("Already logged for that day.")
            )
            return redirect("contacts:detail", pk=contact.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "campaign": campaign, "contact": contact}
    return render(request, "campaigns/pressure/action_form.html", context, status=status)


@login_required
def person_actions(request, contact_id: int):
    """From a person's page: their pressure actions and the campaigns to log one for."""
    contact = contact_for_user(request.user, contact_id)
    campaigns = campaigns_for_user(request.user).filter(targets__is_active=True).distinct()
    context = {
        "contact": contact,
        "actions": actions_of_contact(contact),
        "campaigns": campaigns[:50],
        "districts": districts_of_contact(contact),
    }
    return render(request, "campaigns/pressure/person.html", context)


# --- the public call page -----------------------------------------------------------------------


def _ip_limited(request, *limits) -> int:
    ip = ratelimit.client_ip(request)
    for name, (limit, window) in limits:
        wait = ratelimit.hit(name, ip, limit=limit, window=window)
        if wait:
            return wait
    return 0


def _tel(target: Target) -> str:
    try:
        return normalize_phone(target.phone) if target.phone else ""
    except InvalidPhone:
        return "".join(ch for ch in target.phone if ch.isdigit() or ch == "+")


def _mailto(target: Target, texts: dict) -> str:
    if not target.email:
        return ""
    query = urlencode(
        {"subject": texts["email_subject"], "body": texts["email_body"]}, quote_via=quote
    )
    return f"mailto:{target.email}?{query}"


def _call_page(request, page, *, place_form, report_form, status=200, done=""):
    texts = page.for_language(get_language() or "en")
    found = None
    if place_form.is_bound and place_form.is_valid():
        found = lookup(place_form.cleaned_data["where"])
    found_targets = targets_for(page.campaign, found.districts) if found else []
    context = {
        "page": page,
        "campaign": page.campaign,
        "texts": texts,
        "place_form": place_form,
        "report_form": report_form,
        "found": found,
        "targets": [(t, _tel(t), _mailto(t, texts)) for t in found_targets],
        "done": done,
    }
    return render(request, "campaigns/pressure/public.html", context, status=status)


@require_http_methods(["GET", "POST"])
def public_call(request, slug: str):
    page = public_pressure_page(slug)
    if request.method == "GET":
        where = request.GET.get("where", "")[:400]
        place_form = PlaceForm({"where": where} if where else None)
        code = request.GET.get("r", "")[:16]
        report = ReportForm(initial={"where": where[:200], "r": code})
        done = request.GET.get("done", "")[:10]
        status = 200
        if where and _ip_limited(request, ("call-lookup", LOOKUP_LIMIT)):
            place_form = PlaceForm()
            status = 429
            messages.error(request, _("Too many lookups from this address. Try again in a minute."))
        return _call_page(
            request, page, place_form=place_form, report_form=report, status=status, done=done
        )
    form = ReportForm(request.POST)
    place_form = PlaceForm({"where": request.POST.get("where", "")[:200]})
    wait = _ip_limited(request, ("call-min", REPORT_LIMIT), ("call-hour", REPORT_HOURLY))
    if wait:
        form.is_valid()
        form.add_error(None, _("Too many reports from this address. Try again in a minute."))
        response = _call_page(request, page, place_form=place_form, report_form=form, status=429)
        response["Retry-After"] = str(wait)
        return response
    if not form.is_valid():
        return _call_page(request, page, place_form=place_form, report_form=form, status=400)
    data = form.cleaned_data
    kind, target_id = data["done"]
    done_url = (
        reverse("public_call", args=[page.campaign.slug])
        + "?"
        + urlencode(
            {"where": data["where"], "done": kind, **({"r": data["r"]} if data["r"] else {})}
        )
    )
    if data["website"]:  # the honeypot: a bot sees the same thanks and nothing is saved
        return redirect(done_url)
    target = campaign_targets(page.campaign).filter(pk=target_id).first()
    try:
        if target is None:
            raise ValidationError(_("Tap “I called” or “I wrote” next to a name."))
        pressure_action_public(
            page=page,
            target=target,
            kind=kind,
            data=SignerInput(
                first_name=data["first_name"],
                last_name=data["last_name"],
                phone=data["phone"],
                email=data["email"],
                zip_code=parse_place(data["where"]).zip_code,
                consent=data["consent"],
            ),
            notes=data["notes"],
            recruiter_id=recruiter_for_code(data["r"]),
        )
    except ValidationError as exc:
        add_validation_error(form, exc)
        return _call_page(request, page, place_form=place_form, report_form=form, status=400)
    return redirect(done_url)
