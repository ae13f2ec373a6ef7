"""Phone and text banks: captains and staff build and assign call lists and watch progress;
callers work one person at a time (``work``), each result one tap, then the next person."""

from __future__ import annotations

import itertools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from campaigns.forms.calls import AssignForm, CallListForm, ResultForm, TextForm
from campaigns.models import CallList, CallTarget, Event, Petition
from campaigns.selectors.access import managed_campaign_for_user, managed_hubs
from campaigns.selectors.calls import (
    call_list_progress,
    call_lists_for_user,
    can_manage_call_list,
    eligible_callers,
    held_target,
    last_conversation,
    managed_call_list_for_user,
    result_rows,
    source_description,
    workable_call_list_for_user,
)
from campaigns.services.calls import (
    ClaimLost,
    call_list_assign,
    call_list_build,
    call_list_create,
    call_next_target,
    call_record,
    text_body,
    text_send,
)
from contacts.models import ExportLog
from organizer.lib.csvfiles import csv_lines


@login_required
def call_lists(request):
    lists = call_lists_for_user(request.user).select_related("campaign", "hub")[:200]
    rows = [(c, can_manage_call_list(request.user, c)) for c in lists]
    return render(request, "campaigns/calls/index.html", {"rows": rows})


def _list_form(request, campaign):
    hubs = managed_hubs(request.user).filter(pk__in=campaign.hubs.values("pk"))
    callers = eligible_callers(hubs.values("pk"))
    return CallListForm(
        request.POST or None,
        hubs=hubs,
        events=Event.objects.filter(campaign=campaign).order_by("-starts_at"),
        petitions=Petition.objects.filter(campaign=campaign),
        callers=callers,
        initial={"kind": CallList.Kind.CALL, "source": CallList.Source.PEOPLE},
    )


@login_required
@require_http_methods(["GET", "POST"])
def call_list_new(request, slug: str):
    campaign = managed_campaign_for_user(request.user, slug)
    form = _list_form(request, campaign)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        allowed = eligible_callers([data["hub"].pk])
        callers = allowed.filter(pk__in=[u.pk for u in data["callers"]])
        try:
            call_list = call_list_create(
                by=request.user, campaign=campaign, hub=data["hub"], name=data["name"],
                kind=data["kind"], script=data["script"], script_es=data["script_es"],
                source=data["source"], source_query=data["source_query"],
                source_event=data["source_event"], source_petition=data["source_petition"],
                claim_minutes=data["claim_minutes"], questions=form.questions(), callers=callers,
            )  # fmt: skip
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Call list built."))
            return redirect("campaigns:call_list", pk=call_list.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "campaign": campaign}
    return render(request, "campaigns/calls/form.html", context, status=status)


@login_required
def call_list_detail(request, pk: int):
    call_list = managed_call_list_for_user(request.user, pk)
    context = {
        "call_list": call_list,
        "progress": call_list_progress(call_list),
        "reason": source_description(call_list),
        "assign_form": AssignForm(
            initial={"callers": call_list.callers.all()},
            callers=eligible_callers([call_list.hub_id]),
        ),
    }
    return render(request, "campaigns/calls/detail.html", context)


@login_required
@require_POST
def call_list_assign_view(request, pk: int):
    call_list = managed_call_list_for_user(request.user, pk)
    form = AssignForm(request.POST, callers=eligible_callers([call_list.hub_id]))
    if form.is_valid():
        call_list_assign(by=request.user, call_list=call_list, callers=form.cleaned_data["callers"])
        messages.success(request, _("Callers saved."))
    else:
        messages.error(request, _("Pick callers from the list."))
    return redirect("campaigns:call_list", pk=call_list.pk)


@login_required
def results_csv(request, pk: int):
    """Each person worked, their result and survey answers (names only, never phones); every
    cell through the one CSV writer, and the export logged like every export of people."""
    call_list = managed_call_list_for_user(request.user, pk)
    header, rows, targets = result_rows(call_list)
    ExportLog.objects.create(
        user=request.user, what=f"call_list:{call_list.pk}"[:60], row_count=targets.count()
    )
    response = StreamingHttpResponse(
        csv_lines(itertools.chain([header], rows), bom=True), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="call-list-{call_list.pk}.csv"'
    return response


@login_required
@require_POST
def call_list_rebuild(request, pk: int):
    call_list = managed_call_list_for_user(request.user, pk)
    try:
        added = call_list_build(by=request.user, call_list=call_list)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(n)s people added.") % {"n": added})
    return redirect("campaigns:call_list", pk=call_list.pk)


def _work_context(request, call_list, target, form=None):
    language = get_language() or "en"
    questions = list(call_list.questions.all())
    if form is None:
        if call_list.kind == CallList.Kind.TEXT:
            body = text_body(call_list, target.contact, language=language, caller=request.user)
            form = TextForm(initial={"body": body}, questions=questions, language=language)
        else:
            form = ResultForm(questions=questions, language=language)
    return {
        "call_list": call_list,
        "target": target,
        "person": target.contact,
        "reason": source_description(call_list),
        "last": last_conversation(request.user, target.contact_id),
        "script": text_body(call_list, target.contact, language=language, caller=request.user),
        "form": form,
        "results": [
            (r.value, r.label)
            for r in CallTarget.Result
            if r not in (CallTarget.Result.TEXTED, CallTarget.Result.CALL_BACK)
        ],
        "is_text": call_list.kind == CallList.Kind.TEXT,
    }


@login_required
def work(request, pk: int):
    """The caller's one person: the one they hold, else the next one claimed for them."""
    call_list = workable_call_list_for_user(request.user, pk)
    target = call_next_target(user=request.user, call_list=call_list)
    if target is None:
        return render(request, "campaigns/calls/done.html", {"call_list": call_list})
    return render(request, "campaigns/calls/work.html", _work_context(request, call_list, target))


@login_required
@require_POST
def record(request, pk: int, target_id: int):
    call_list = workable_call_list_for_user(request.user, pk)
    language = get_language() or "en"
    questions = list(call_list.questions.all())
    is_text = call_list.kind == CallList.Kind.TEXT
    send = is_text and request.POST.get("result") == CallTarget.Result.TEXTED
    form_class = TextForm if send else ResultForm
    form = form_class(request.POST, questions=questions, language=language)
    try:
        if not form.is_valid():
            raise ValidationError(_("Check the answers below."))
        data = form.cleaned_data
        if send:
            text_send(by=request.user, call_list=call_list, target_id=target_id,
                      body=data["body"], answers=form.answers())  # fmt: skip
        else:
            call_record(
                by=request.user, call_list=call_list, target_id=target_id,
                result=data["result"], notes=data["notes"], call_back_on=data["call_back_on"],
                call_back_at=data["call_back_at"], answers=form.answers(),
            )  # fmt: skip
    except ClaimLost as exc:
        messages.warning(request, " ".join(exc.messages))
    except ValidationError as exc:
        try:
            target = held_target(request.user, call_list, target_id)
        except Http404:
            messages.warning(request, " ".join(exc.messages))
            return redirect("campaigns:call_work", pk=call_list.pk)
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        elif not form.errors:
            form.add_error(None, exc)
        context = _work_context(request, call_list, target, form=form)
        return render(request, "campaigns/calls/work.html", context, status=400)
    else:
        messages.success(request, _("Saved. Here is the next person."))
    return redirect("campaigns:call_work", pk=call_list.pk)
