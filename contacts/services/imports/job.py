"""The import job: upload, preview, run, heartbeat, sweep and retry.

The flow, for the browser and ``manage.py import_contacts`` alike:

1. ``import_create`` streams the upload to disk (``IMPORT_UPLOAD_DIR``), reads it once to count
   its rows and refuse a broken file (with the line), guesses the column mapping and stores an
   ``ImportJob`` with ``dry_run=True``. From the page, the preview is queued for a worker.
2. A dry run (``import_run`` on a ``dry_run`` job) plans the whole file in the worker, with
   progress, and stores the counts and rejected rows: the preview. ``import_set_mapping``
   queues it again with another mapping.
3. ``import_start`` flips ``dry_run`` off and queues the job after commit; the task calls
   ``import_run``, which plans again and writes the whole import in ONE transaction: it either
   finishes or leaves the database as it was.

Running, claims and heartbeats: ``run.py``.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from contacts.models import ImportJob, ImportRejection
from contacts.services.imports.columns import IGNORE, check_mapping, detect_mapping
from contacts.services.imports.read import PeopleFile, count_rows, open_people_file
from contacts.services.imports.spool import spool_dir
from organizer.lib.csvfiles import CsvFileError, remove_upload, save_upload

logger = logging.getLogger(__name__)

UPLOAD_KEEP_DAYS = 7
_WAITING = (ImportJob.Status.PENDING, ImportJob.Status.RUNNING)
_RESET = {
    "processed_rows": 0,
    "created_count": 0,
    "updated_count": 0,
    "unchanged_count": 0,
    "rejected_count": 0,
    "error": "",
    "finished_at": None,
    "attempts": 0,
}


def job_file(job: ImportJob) -> Path:
    return Path(settings.IMPORT_UPLOAD_DIR) / job.path


def job_people_file(job: ImportJob) -> PeopleFile:
    path = job_file(job)
    if not job.path or not path.is_file():
        raise CsvFileError("The uploaded file is no longer there; upload it again.")
    return open_people_file(path, encoding=job.encoding or None)


def job_targets(job: ImportJob, header: list[str]) -> list[str]:
    targets = list(job.mapping.get("columns") or detect_mapping(header)[1])
    return (targets + [IGNORE] * len(header))[: len(header)]


# --- Creating, previewing, starting ---------------------------------------------------------------


def import_create(
    *, by, filename: str, content, source: str = "", dry_run: bool = True, queue: bool = False
) -> ImportJob:
    """Store an upload (a Django ``UploadedFile``, bytes or a ``Path``) on disk as a job,
    ``dry_run`` until the person confirms; ``queue`` sends its preview to a worker. Raises
    :class:`CsvFileError` for an oversized or unreadable file (nothing is kept then)."""
    path = save_upload(content, kind="people")
    try:
        people_file = open_people_file(path)
        total = count_rows(people_file)
    except BaseException:
        remove_upload(path)
        raise
    source_format, targets = detect_mapping(people_file.header)
    with transaction.atomic():
        job = ImportJob.objects.create(
            created_by=by,
            filename=filename[:255],
            path=str(path.relative_to(settings.IMPORT_UPLOAD_DIR)),
            size=path.stat().st_size,
            encoding=people_file.encoding,
            source_format=source_format,
            mapping={"headers": people_file.header, "columns": targets, "source": source[:120]},
            dry_run=dry_run,
            total_rows=total,
            heartbeat_at=timezone.now(),
        )
        if queue:
            job_id = str(job.pk)
            transaction.on_commit(lambda: enqueue(job_id))
    return job


@transaction.atomic
def import_set_mapping(*, job: ImportJob, targets: list[str]) -> bool:
    """Save another mapping for a preview and queue the preview again. False when the preview
    is being worked out right now (try again in a moment)."""
    check_mapping(targets)
    mapping = {**job.mapping, "columns": targets}
    changed = (
        ImportJob.objects.filter(pk=job.pk, dry_run=True)
        .exclude(status=ImportJob.Status.RUNNING)
        .update(
            mapping=mapping, status=ImportJob.Status.PENDING, heartbeat_at=timezone.now(), **_RESET
        )
    )
    if changed:
        job.mapping = mapping
        ImportRejection.objects.filter(job=job).delete()
        job_id = str(job.pk)
        transaction.on_commit(lambda: enqueue(job_id))
    return bool(changed)


@transaction.atomic
def import_start(*, job: ImportJob, targets: list[str] | None = None) -> None:
    """Confirm the import and queue it (after commit). Starting twice queues it once more at
    most, and the task's claim makes sure it runs once. Raises :class:`CsvFileError` while the
    preview is still being worked out."""
    if targets is not None:
        check_mapping(targets)
        job.mapping = {**job.mapping, "columns": targets}
    if job.dry_run:
        started = (
            ImportJob.objects.filter(pk=job.pk, dry_run=True)
            .exclude(status=ImportJob.Status.RUNNING)
            .update(
                mapping=job.mapping,
                dry_run=False,
                status=ImportJob.Status.PENDING,
                heartbeat_at=timezone.now(),
                **_RESET,
            )
        )
        if not started:
            raise CsvFileError(
                "The preview is still being worked out; run the import when it is ready."
            )
        ImportRejection.objects.filter(job=job).delete()
    job_id = str(job.pk)
    transaction.on_commit(lambda: enqueue(job_id))


@transaction.atomic
def import_retry(*, job: ImportJob) -> bool:
    """Queue a failed import again (its file is kept until it is imported)."""
    retried = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.FAILED).update(
        status=ImportJob.Status.PENDING, heartbeat_at=timezone.now(), **_RESET
    )
    if retried:
        ImportRejection.objects.filter(job=job).delete()
        job_id = str(job.pk)
        transaction.on_commit(lambda: enqueue(job_id))
    return bool(retried)


def enqueue(job_id: str) -> bool:
    """Send the job to the queue. If the broker is down, the job stays pending with a note
    the job page shows; the every-minute sweep queues it once the broker is back."""
    from contacts.tasks import import_contacts_task  # tasks import this module
    from organizer.lib.tasks import enqueue as publish  # short timeouts, no retries

    if not publish(import_contacts_task, job_id):
        ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
            error="The job queue could not be reached, so the import has not started yet."
        )
        return False
    ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(error="")
    return True


def imports_sweep(*, now=None) -> int:
    """Every minute (beat): queue jobs left pending for a minute (their message was never sent,
    or was lost) and running jobs whose heartbeat stopped (their worker was killed). Each job
    is queued at most once a minute; the claim makes duplicates harmless. Returns how many."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.IMPORT_STALE_SECONDS)
    waiting = ImportJob.objects.filter(
        Q(status=ImportJob.Status.PENDING, heartbeat_at__lt=now - timedelta(seconds=60))
        | Q(status=ImportJob.Status.PENDING, heartbeat_at__isnull=True)
        | Q(status=ImportJob.Status.RUNNING, heartbeat_at__lt=stale)
    )
    job_ids = [str(pk) for pk in waiting.values_list("pk", flat=True)[:100]]
    for job_id in job_ids:
        ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
            heartbeat_at=now
        )
        enqueue(job_id)
    _remove_old_uploads(now)
    return len(job_ids)


def _remove_old_uploads(now) -> None:
    """Files nobody will import any more: previews never confirmed and failed imports after
    ``UPLOAD_KEEP_DAYS`` days; address lists (doors/) and what killed workers spooled (spool/)
    after a day."""
    old = now - timedelta(days=UPLOAD_KEEP_DAYS)
    abandoned = ImportJob.objects.filter(finished_at__lt=old).exclude(path="")
    abandoned = abandoned.filter(Q(dry_run=True) | Q(status=ImportJob.Status.FAILED))
    for job in abandoned.only("pk", "path")[:500]:
        remove_upload(job_file(job))
        ImportJob.objects.filter(pk=job.pk).update(path="")
    cutoff = (now - timedelta(days=1)).timestamp()
    doors = Path(settings.IMPORT_UPLOAD_DIR) / "doors"
    if doors.is_dir():
        for path in doors.iterdir():
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
    if spool_dir().is_dir():  # new people spooled by a worker that was killed
        for path in spool_dir().iterdir():
            if path.stat().st_mtime < cutoff:
                shutil.rmtree(path, ignore_errors=True)


def rejection_rows(job: ImportJob) -> Iterator[list[str]]:
    """The rejected rows as CSV rows (escaped when written): the original columns, then line
    and reason."""
    header = list(job.mapping.get("headers") or [])
    yield [*header, "line", "reason"]
    for rejection in job.rejections.order_by("line").iterator(chunk_size=2000):
        cells = list(rejection.row) if isinstance(rejection.row, list) else []
        cells = (cells + [""] * len(header))[: max(len(header), len(cells))]
        yield [*cells, str(rejection.line), rejection.reason]
