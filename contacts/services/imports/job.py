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

Claims and heartbeats: ``import_run`` claims a job with a conditional UPDATE (pending, or running
with a heartbeat older than ``IMPORT_STALE_SECONDS``: its worker was killed), then holds a
transaction-level advisory lock on it while it works, so two workers never run one job. A thread
writes the heartbeat (and the progress) through its own connection every few seconds. The
every-minute sweep queues jobs left pending (Redis was down) and those whose heartbeat stopped;
after ``MAX_ATTEMPTS`` the job fails with a Retry button instead.
"""

from __future__ import annotations

import gc
import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from psycopg.types.json import Jsonb

from contacts.models import ImportJob, ImportRejection
from contacts.services.imports import stage
from contacts.services.imports.columns import IGNORE, check_mapping, detect_mapping
from contacts.services.imports.parse import Columns
from contacts.services.imports.plan import Plan, plan_import, table
from contacts.services.imports.read import PeopleFile, count_rows, open_people_file
from contacts.services.imports.write import _copy, apply_plan
from organizer.lib.csvfiles import CsvFileError, remove_upload, save_upload

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
UPLOAD_KEEP_DAYS = 7
_STOPPED = (
    "The import was stopped %(count)s times before it could finish (the worker was restarted "
    "or ran out of memory). Nothing was changed."
)
BEAT_SECONDS = 10
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
    from kombu.exceptions import OperationalError as KombuOperationalError
    from redis.exceptions import RedisError

    from contacts.tasks import import_contacts_task  # tasks import this module

    try:
        import_contacts_task.apply_async(args=[job_id], retry=False)
    except (KombuOperationalError, RedisError, OSError):
        logger.warning("Could not queue import %s", job_id, exc_info=True)
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
    ``UPLOAD_KEEP_DAYS`` days; address lists (doors/) after a day."""
    old = now - timedelta(days=UPLOAD_KEEP_DAYS)
    abandoned = ImportJob.objects.filter(finished_at__lt=old).exclude(path="")
    abandoned = abandoned.filter(Q(dry_run=True) | Q(status=ImportJob.Status.FAILED))
    for job in abandoned.only("pk", "path")[:500]:
        remove_upload(job_file(job))
        ImportJob.objects.filter(pk=job.pk).update(path="")
    doors = Path(settings.IMPORT_UPLOAD_DIR) / "doors"
    if doors.is_dir():
        cutoff = (now - timedelta(days=1)).timestamp()
        for path in doors.iterdir():
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)


# --- Running -------------------------------------------------------------------------------


def _claim(job_id) -> ImportJob | None:
    """Pending → running, or take up a running job whose heartbeat stopped: a conditional
    UPDATE, so of two workers only one gets it."""
    try:
        job_id = uuid.UUID(str(job_id))
    except ValueError:
        return None
    now = timezone.now()
    stale = now - timedelta(seconds=settings.IMPORT_STALE_SECONDS)
    claimed = (
        ImportJob.objects.filter(pk=job_id)
        .filter(
            Q(status=ImportJob.Status.PENDING)
            | Q(status=ImportJob.Status.RUNNING, heartbeat_at__lt=stale)
        )
        .update(
            status=ImportJob.Status.RUNNING,
            started_at=now,
            heartbeat_at=now,
            processed_rows=0,
            error="",
            attempts=F("attempts") + 1,
        )
    )
    return ImportJob.objects.filter(pk=job_id).first() if claimed else None


def _locked(job: ImportJob) -> bool:
    """A transaction-level advisory lock on the job: held by whoever runs it, released at
    commit, rollback, or when a killed worker's connection drops."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [job.pk.int & (2**63 - 1)])
        return cursor.fetchone()[0]


class Heartbeat:
    """Writes the heartbeat (and ``processed_rows``) through a separate autocommit connection,
    so the job page sees progress while the import's own transaction is still open: from a
    thread every ``BEAT_SECONDS`` (also during long SQL statements), and every ``every`` rows
    from the import itself."""

    def __init__(self, job_id, total: int, echo=None):
        self.job_id = str(job_id)
        self.total, self.echo = total, echo
        self.every = max(500, total // 100)
        self.processed = self.last = 0
        self.conn: psycopg.Connection | None = None
        self.failed = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True, name="import-heartbeat")

    def __enter__(self) -> Heartbeat:
        try:
            params = connection.get_connection_params()
            params.pop("context", None)
            params.pop("cursor_factory", None)
            self.conn = psycopg.connect(**params, autocommit=True)
        except psycopg.Error:
            logger.warning("No heartbeat connection for import %s", self.job_id, exc_info=True)
            self.failed = True
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        if self.conn is not None:
            self.conn.close()

    def __call__(self, processed: int) -> None:
        self.processed = processed
        if processed - self.last >= self.every:
            self.last = processed
            self._write()
            if self.echo is not None:
                self.echo(processed, self.total)

    def _beat(self) -> None:
        while not self._stop.wait(BEAT_SECONDS):
            self._write()

    def _write(self) -> None:
        if self.failed or self.conn is None:
            return
        try:
            self.conn.execute(
                f"UPDATE {table(ImportJob)} SET heartbeat_at = now(), "
                "processed_rows = GREATEST(processed_rows, %s) WHERE id = %s AND status = %s",
                [self.processed, self.job_id, ImportJob.Status.RUNNING],
            )
        except psycopg.Error:
            logger.warning("Could not write the import heartbeat", exc_info=True)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a file is read, planned and written: those steps only
    build objects they keep (hundreds of thousands of rows, people, COPY tuples), and each full
    collection would walk them all again for nothing. Reference counting still frees the rest."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _fail(job: ImportJob, message: str) -> None:
    ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
        status=ImportJob.Status.FAILED, error=message[:2000], finished_at=timezone.now()
    )


def import_run(*, job_id, echo=None) -> ImportJob | None:
    """Run a pending job (or one whose worker died): all or nothing. A missing, finished or
    already running job is a quiet no-op. ``echo(processed, total)`` hears the progress."""
    job = _claim(job_id)
    if job is None:
        return None
    if job.attempts > MAX_ATTEMPTS:
        _fail(job, _STOPPED % {"count": MAX_ATTEMPTS})
        return ImportJob.objects.get(pk=job.pk)
    try:
        with _gc_paused(), Heartbeat(job.pk, job.total_rows, echo) as beat, transaction.atomic():
            if not _locked(job):  # its first worker is alive after all: leave it to it
                return None
            _run(job, beat)
    except Exception as exc:
        logger.exception("Import %s failed", job.pk)
        message = str(exc) if isinstance(exc, CsvFileError) else f"{type(exc).__name__}: {exc}"
        _fail(job, message)
    job.refresh_from_db()
    if job.status == ImportJob.Status.DONE and not job.dry_run:
        remove_upload(job_file(job))
    return job


def _run(job: ImportJob, progress) -> Plan:
    people_file = job_people_file(job)
    targets = job_targets(job, people_file.header)
    check_mapping(targets)
    columns = Columns.build(people_file.header, targets)
    plan = plan_import(people_file.rows(), columns, progress)
    if not job.dry_run:
        source = job.mapping.get("source") or f"Import: {job.filename}"
        apply_plan(plan, by=job.created_by, filename=job.filename, source=source)
    stage.drop()
    _fill_cells(plan, people_file)
    rejections = ((job.pk, r.line, r.reason, Jsonb(r.cells)) for r in plan.rejections)
    _copy(ImportRejection, ("job_id", "line", "reason", "row"), rejections)
    done = ImportJob.objects.filter(
        pk=job.pk, status=ImportJob.Status.RUNNING, dry_run=job.dry_run
    ).update(
        status=ImportJob.Status.DONE,
        total_rows=plan.total_rows,
        processed_rows=plan.total_rows,
        created_count=plan.created_count,
        updated_count=len(plan.to_update),
        unchanged_count=len(plan.unchanged),
        rejected_count=len(plan.rejections),
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    if not done:  # the job was changed under us (it cannot be, but never write half a story)
        transaction.set_rollback(True)
    return plan


def _fill_cells(plan: Plan, people_file: PeopleFile) -> None:
    """Rows rejected while grouping or matching carry no cells yet (the file's cells are not
    kept in memory): read those lines back from the file."""
    wanted = {r.line for r in plan.rejections if not r.cells}
    if not wanted:
        return
    found = {}
    for line, cells in people_file.rows():
        if line in wanted:
            found[line] = cells
            if len(found) == len(wanted):
                break
    for rejection in plan.rejections:
        if not rejection.cells:
            rejection.cells = found.get(rejection.line, [])


def rejection_rows(job: ImportJob) -> Iterator[list[str]]:
    """The rejected rows as CSV rows (escaped when written): the original columns, then line
    and reason."""
    header = list(job.mapping.get("headers") or [])
    yield [*header, "line", "reason"]
    for rejection in job.rejections.order_by("line").iterator(chunk_size=2000):
        cells = list(rejection.row) if isinstance(rejection.row, list) else []
        cells = (cells + [""] * len(header))[: max(len(header), len(cells))]
        yield [*cells, str(rejection.line), rejection.reason]
