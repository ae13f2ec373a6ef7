"""Staff pages for syncing from Action Network (everyone else gets 404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from api.models import SyncJob
from api.sync.forms import SyncForm
from api.sync.run import STEPS, sync_resume, sync_start
from contacts.selectors.access import require_staff

STEP_LABELS = {
    "people": gettext_lazy("People"),
    "tags": gettext_lazy("Tags and taggings"),
    "events": gettext_lazy("Events and RSVPs"),
    "petitions": gettext_lazy("Petitions and signatures"),
}
COUNTS = [  # (progress key, label), in the order shown; a step shows the ones it has
    ("pages", gettext_lazy("pages")),
    ("created", gettext_lazy("created")),
    ("updated", gettext_lazy("updated")),
    ("matched", gettext_lazy("already here")),
    ("unchanged", gettext_lazy("unchanged")),
    ("tags", gettext_lazy("tags")),
    ("taggings", gettext_lazy("people tagged")),
    ("attendances", gettext_lazy("RSVPs")),
    ("signatures", gettext_lazy("signatures")),
    ("rejected", gettext_lazy("left out")),
    ("errors", gettext_lazy("problems")),
]


@login_required
def sync_index(request):
    require_staff(request.user)
    form = SyncForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        job = sync_start(by=request.user, **form.cleaned_data)
        return redirect("sync:job", pk=job.pk)
    jobs = SyncJob.objects.all()[:20]
    return render(request, "api/sync.html", {"form": form, "jobs": jobs})


@login_required
def sync_job(request, pk: int):
    require_staff(request.user)
    job = get_object_or_404(SyncJob, pk=pk)
    steps = [
        (STEP_LABELS[step], [(label, job.progress.get(step, {}).get(key)) for key, label in COUNTS])
        for step in STEPS
    ]
    template = "api/_sync_status.html" if request.htmx else "api/sync_job.html"
    return render(request, template, {"job": job, "steps": steps})


@login_required
@require_POST
def sync_job_resume(request, pk: int):
    require_staff(request.user)
    job = get_object_or_404(SyncJob, pk=pk)
    if sync_resume(job=job):
        messages.success(request, _("The sync continues from where it stopped."))
    else:
        messages.error(request, _("This sync cannot be continued; start a new one."))
    return redirect("sync:job", pk=job.pk)
