"""The ladder: configuration (staff only), a rescore job's progress, a person's stage by hand."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contacts.forms.ladder import HalfLifeForm, HoldForm, StageForm, WeightsForm
from contacts.models import ActivityWeight, LadderStage, RescoreJob
from contacts.selectors.access import contact_for_user, require_staff
from contacts.selectors.ladder import ladder_config
from contacts.services import ladder as services


def _config_context(request, **forms) -> dict:
    config = ladder_config()
    context = {
        "config": config,
        "stage_forms": [(s, StageForm.for_stage(s)) for s in config.stages],
        "new_stage_form": StageForm.for_stage(None),
        "weights_form": WeightsForm(weights=config.weights),
        "half_life_form": HalfLifeForm(initial={"half_life_days": config.settings.half_life_days}),
    }
    context.update(forms)
    return context


def _saved(request, job) -> None:
    if job is not None:
        messages.success(request, _("Saved. Everyone is being rescored in the background."))


@login_required
def config(request):
    require_staff(request.user)
    return render(request, "contacts/ladder_config.html", _config_context(request))


@login_required
@require_POST
def stage_save(request, pk: int | None = None):
    require_staff(request.user)
    stage = get_object_or_404(LadderStage, pk=pk) if pk else None
    form = StageForm.for_stage(stage, request.POST)
    if not form.is_valid():
        context = _config_context(request, **({} if stage else {"new_stage_form": form}))
        if stage is not None:
            context["stage_forms"] = [
                (s, form if s.pk == stage.pk else f) for s, f in context["stage_forms"]
            ]
        return render(request, "contacts/ladder_config.html", context, status=400)
    _stage, job = services.ladder_stage_save(by=request.user, stage=stage, **form.cleaned_data)
    _saved(request, job)
    return redirect("contacts:ladder")


@login_required
@require_POST
def stage_delete(request, pk: int):
    require_staff(request.user)
    _saved(
        request,
        services.ladder_stage_delete(by=request.user, stage=get_object_or_404(LadderStage, pk=pk)),
    )
    return redirect("contacts:ladder")


@login_required
@require_POST
def stage_move(request, pk: int):
    require_staff(request.user)
    stage = get_object_or_404(LadderStage, pk=pk)
    _saved(
        request,
        services.ladder_stage_move(
            by=request.user, stage=stage, up=request.POST.get("direction") == "up"
        ),
    )
    return redirect("contacts:ladder")


@login_required
@require_POST
def weights_save(request):
    require_staff(request.user)
    form = WeightsForm(request.POST, weights=list(ActivityWeight.objects.all()))
    if not form.is_valid():
        return render(
            request,
            "contacts/ladder_config.html",
            _config_context(request, weights_form=form),
            status=400,
        )
    _saved(request, services.activity_weights_save(by=request.user, points=form.cleaned_data))
    return redirect("contacts:ladder")


@login_required
@require_POST
def half_life_save(request):
    require_staff(request.user)
    form = HalfLifeForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "contacts/ladder_config.html",
            _config_context(request, half_life_form=form),
            status=400,
        )
    _saved(request, services.scoring_settings_save(by=request.user, **form.cleaned_data))
    return redirect("contacts:ladder")


@login_required
def job_status(request, pk: int):
    """A rescore job's progress (the fragment htmx polls while it runs)."""
    require_staff(request.user)
    job = get_object_or_404(RescoreJob, pk=pk)
    return render(request, "contacts/_ladder_job.html", {"job": job})


@login_required
def stage_hold(request, pk: int):
    """Set a person's stage by hand, or clear it: staff and captains of the person's hub."""
    contact = contact_for_user(request.user, pk)
    if not services.can_set_stage(request.user, contact):
        raise Http404
    form = HoldForm(request.POST or None, initial={"stage": contact.ladder_stage_id})
    if request.method == "POST" and request.POST.get("clear"):
        services.ladder_stage_release(by=request.user, contact=contact)
        messages.success(request, _("The stage is computed from the score again."))
        return redirect("contacts:detail", contact.pk)
    if request.method == "POST" and form.is_valid():
        services.ladder_stage_hold(by=request.user, contact=contact, **form.cleaned_data)
        messages.success(request, _("Stage set by hand."))
        return redirect("contacts:detail", contact.pk)
    status = 400 if form.is_bound else 200
    return render(
        request, "contacts/ladder_hold.html", {"contact": contact, "form": form}, status=status
    )
