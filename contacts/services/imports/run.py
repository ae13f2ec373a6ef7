"""Running an import job (the task calls ``import_run``): claim, heartbeat, all or nothing.

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

import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from psycopg.types.json import Jsonb

from contacts.models import ImportJob, ImportRejection
from contacts.services.imports.columns import check_mapping
from contacts.services.imports.job import job_file, job_people_file, job_targets
from contacts.services.imports.parse import Columns
from contacts.services.imports.plan import Plan
from contacts.services.imports.read import PeopleFile
from contacts.services.imports.spool import NewPeople, table
from contacts.services.imports.triage import plan_import
from contacts.services.imports.write import _copy, apply_plan
from organizer.lib.csvfiles import CsvFileError, remove_upload

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
BEAT_SECONDS = 10
_STOPPED = (
    "The import was stopped %(count)s times before it could finish (the worker was restarted "
    "or ran out of memory). Nothing was changed."
)


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
    source = job.mapping.get("source") or f"Import: {job.filename}"
    spool = NewPeople(fields=columns.contact_fields(), source=source, filename=job.filename,
                      now=timezone.now(), by_id=job.created_by_id, dry_run=job.dry_run)  # fmt: skip
    with spool:
        plan = plan_import(people_file.rows, columns, progress, spool)
        if not job.dry_run:
            apply_plan(plan, spool, by=job.created_by, filename=job.filename, source=source)
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
