"""CSV import pages (chapter staff only; everyone else gets 404): upload → preview → job."""

from __future__ import annotations

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
    import_retry,
    import_set_mapping,
    import_start,
    job_people_file,
    rejection_rows,
)
from organizer.lib.csvfiles import csv_lines


def _require_staff(request) -> None:
    if not request.user.is_chapter_staff:
        raise Http404


def _job_for_staff(request, pk) -> ImportJob:
    """The job, or 404 for anyone but chapter staff (who share every import)."""
    _require_staff(request)
    return get_object_or_404(ImportJob, pk=pk)


@login_required
def upload(request):
    _require_staff(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            job = import_create(
                by=request.user,
                filename=file.name,
                content=file,
                source=form.cleaned_data["source"],
                queue=True,
            )
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("contacts:import_preview", pk=job.pk)
    jobs = ImportJob.objects.select_related("created_by")[:10]
    return render(request, "contacts/import_upload.html", {"form": form, "jobs": jobs})


@login_required
def preview(request, pk):
    """The dry run's counts (worked out by a worker, with progress), the columns to adjust and
    the file's first rows. "Update preview" queues the dry run again; "Run import" starts it."""
    job = _job_for_staff(request, pk)
    if not job.dry_run:
        return redirect("contacts:import_job", pk=job.pk)
    if request.htmx and request.method == "GET":
        context = {"job": job, "rejections": job.rejections.all()[:20]}
        return render(request, "contacts/_import_preview_summary.html", context)
    form = MappingForm(request.POST or None, headers=job.mapping["headers"],
                       targets=job.mapping["columns"])  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            if "run" in request.POST:
                import_start(job=job, targets=form.targets())
                return redirect("contacts:import_job", pk=job.pk)
            import_set_mapping(job=job, targets=form.targets())
            return redirect("contacts:import_preview", pk=job.pk)
        except ImportFileError as exc:
            form.add_error(None, str(exc))
    try:
        sample, file_error = job_people_file(job).sample, ""
    except ImportFileError as exc:
        sample, file_error = [], str(exc)
    context = {"job": job, "form": form, "sample": sample, "file_error": file_error,
               "encoding": ENCODING_LABELS.get(job.encoding, job.encoding),
               "rejections": job.rejections.all()[:20]}  # fmt: skip
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
    """Queue a confirmed job again (the queue was down), or retry a failed one."""
    job = _job_for_staff(request, pk)
    if job.status == ImportJob.Status.FAILED:
        import_retry(job=job)
    elif job.status == ImportJob.Status.PENDING and not job.dry_run:
        import_start(job=job)
    return redirect("contacts:import_job", pk=job.pk)


@login_required
def rejected_csv(request, pk):
    job = _job_for_staff(request, pk)
    response = StreamingHttpResponse(csv_lines(rejection_rows(job)), content_type="text/csv")
    name = re.sub(r"[^\w.-]", "_", job.filename.rsplit(".", 1)[0]) or "import"
    response["Content-Disposition"] = f'attachment; filename="{name}-rejected.csv"'
    return response
