"""CSV import pages (chapter staff only; everyone else gets 404): upload → preview → job."""

from __future__ import annotations

import csv
import re

from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from contacts.forms.imports import MappingForm, UploadForm
from contacts.models import ImportJob
from contacts.services.imports import (
    ENCODING_LABELS,
    ImportFileError,
    import_create,
    import_preview,
    import_start,
    rejections_csv,
)


def _require_staff(request) -> None:
    if not request.user.is_chapter_staff:
        raise Http404


def _job_for_staff(request, pk) -> ImportJob:
    """The job, or 404 for anyone but chapter staff (who share every import)."""
    _require_staff(request)
    return get_object_or_404(ImportJob.objects.defer("content"), pk=pk)


@login_required
def upload(request):
    _require_staff(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_create(
                by=request.user,
                filename=upload.name,
                content=upload.read(),
                source=form.cleaned_data["source"],
            )
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("contacts:import_preview", pk=job.pk)
    jobs = ImportJob.objects.defer("content").select_related("created_by")[:10]
    return render(request, "contacts/import_upload.html", {"form": form, "jobs": jobs})


@login_required
def preview(request, pk):
    job = _job_for_staff(request, pk)
    if not (job.dry_run and job.status == ImportJob.Status.PENDING):
        return redirect("contacts:import_job", pk=job.pk)
    job = ImportJob.objects.get(pk=job.pk)  # with its content
    headers = job.mapping.get("headers", [])
    form = MappingForm(request.POST or None, headers=headers, targets=job.mapping["columns"])
    targets = form.targets() if request.method == "POST" and form.is_valid() else None
    if targets and "run" in request.POST:
        try:
            import_start(job=job, targets=targets)
        except ImportFileError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("contacts:import_job", pk=job.pk)
    result = import_preview(job=job, targets=targets)
    encoding = ENCODING_LABELS.get(job.encoding, job.encoding)
    context = {"job": job, "form": form, "preview": result, "encoding": encoding}
    return render(request, "contacts/import_preview.html", context)


@login_required
def job_detail(request, pk):
    job = _job_for_staff(request, pk)
    rejections = job.rejections.all()[:500]
    template = "contacts/import_job_status.html" if request.htmx else "contacts/import_job.html"
    return render(request, template, {"job": job, "rejections": rejections})


@login_required
@require_POST
def start(request, pk):
    """Queue a confirmed job again (when the queue was down the first time)."""
    job = _job_for_staff(request, pk)
    if job.status == ImportJob.Status.PENDING and not job.dry_run:
        import_start(job=job)
    return redirect("contacts:import_job", pk=job.pk)


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def rejected_csv(request, pk):
    job = _job_for_staff(request, pk)
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rejections_csv(job)), content_type="text/csv"
    )
    name = re.sub(r"[^\w.-]", "_", job.filename.rsplit(".", 1)[0]) or "import"
    response["Content-Disposition"] = f'attachment; filename="{name}-rejected.csv"'
    return response
