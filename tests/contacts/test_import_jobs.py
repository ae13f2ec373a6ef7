"""Import jobs that outlive their worker: heartbeats, re-claims, the pending sweep, retries, and a
real worker killed in the middle of an import."""

from __future__ import annotations

import os
import signal
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from contacts import tasks
from contacts.models import Contact, ContactEvent, ImportJob, Phone
from contacts.services.imports import import_create, import_run, imports_sweep
from contacts.services.imports.run import MAX_ATTEMPTS
from organizer.celery import app as celery_app
from tests.workers import celery_worker


def _rows(count: int) -> bytes:
    lines = ["first_name,last_name,phone"]
    lines += [f"Person,{n},+1 212 {n // 10000 + 200:03d} {n % 10000:04d}" for n in range(count)]
    return ("\n".join(lines) + "\n").encode()


def _confirmed(content: bytes) -> ImportJob:
    return import_create(by=None, filename="people.csv", content=content, dry_run=False)


def _stale() -> timezone.datetime:
    return timezone.now() - timedelta(seconds=settings.IMPORT_STALE_SECONDS + 5)


@pytest.fixture
def eager_celery():
    """Tasks run inline when queued, as if a worker took them at once."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


# --- Heartbeats and re-claims ----------------------------------------------------------------


def test_a_running_job_whose_heartbeat_stopped_is_run_again_to_completion_once(db):
    job = _confirmed(_rows(30))
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, heartbeat_at=_stale(), attempts=1, processed_rows=12
    )

    done = import_run(job_id=job.pk)

    assert done.status == ImportJob.Status.DONE and done.created_count == 30
    assert done.attempts == 2 and done.heartbeat_at > _stale()
    assert import_run(job_id=job.pk) is None  # finished: a re-delivered task does nothing
    assert Contact.objects.count() == 30 and Phone.objects.count() == 30


def test_a_running_job_with_a_fresh_heartbeat_is_left_to_its_worker(db):
    job = _confirmed(_rows(3))
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, heartbeat_at=timezone.now()
    )

    assert import_run(job_id=job.pk) is None
    assert not Contact.objects.exists()


def test_after_too_many_attempts_the_job_fails_and_offers_a_retry(cast, client_for):
    job = _confirmed(_rows(3))
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, heartbeat_at=_stale(), attempts=MAX_ATTEMPTS
    )

    failed = import_run(job_id=job.pk)

    assert failed.status == ImportJob.Status.FAILED and "stopped 3 times" in failed.error
    assert Contact.objects.count() == 2  # the cast's two people only
    client = client_for(cast.staff)
    page = client.get(reverse("contacts:import_job", args=[job.pk])).content.decode()
    assert "Retry the import" in page

    response = client.post(reverse("contacts:import_start", args=[job.pk]))

    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == (ImportJob.Status.PENDING, 0, "")
    tasks.import_contacts_task(str(job.pk))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and Contact.objects.count() == 5  # + the cast's


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_one_job_import_it_once():
    job = _confirmed(_rows(200))
    barrier = threading.Barrier(2)
    results = []

    def worker():
        barrier.wait()
        try:
            results.append(import_run(job_id=job.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(r is None for r in results) == [False, True]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.attempts == 1
    assert Contact.objects.count() == 200 and ContactEvent.objects.count() == 200


# --- The sweep --------------------------------------------------------------------------------


def test_the_sweep_queues_an_import_left_pending_while_redis_was_down(db, eager_celery):
    job = _confirmed(_rows(5))
    ImportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - timedelta(minutes=2),
        error="The job queue could not be reached, so the import has not started yet.",
    )

    assert imports_sweep() == 1

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.created_count == 5 and not job.error
    assert imports_sweep() == 0


def test_the_sweep_leaves_a_job_queued_a_moment_ago_and_a_live_one_alone(db, eager_celery):
    waiting = _confirmed(_rows(2))
    running = _confirmed(_rows(2))
    ImportJob.objects.filter(pk=running.pk).update(
        status=ImportJob.Status.RUNNING, heartbeat_at=timezone.now()
    )

    assert imports_sweep() == 0
    waiting.refresh_from_db()
    assert waiting.status == ImportJob.Status.PENDING and not Contact.objects.exists()


def test_the_sweep_takes_up_a_job_whose_worker_died(db, eager_celery):
    job = _confirmed(_rows(4))
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, heartbeat_at=_stale(), attempts=1
    )

    assert imports_sweep() == 1

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and Contact.objects.count() == 4


def test_the_sweep_runs_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["imports-sweep"]
    assert entry["task"] == "contacts.tasks.imports_sweep_task"
    assert str(entry["schedule"]) == str(settings.CELERY_BEAT_SCHEDULE["ladder-jobs"]["schedule"])


# --- A real worker, killed in the middle ----------------------------------------------------


def _test_database_url() -> str:
    name = connection.settings_dict["NAME"]
    return urlsplit(settings.DATABASE_URL)._replace(path="/" + name).geturl()


@pytest.mark.django_db(transaction=True)
def test_an_import_killed_midway_changes_nothing_then_completes_once_when_taken_up(tmp_path):
    rows = 40_000
    job = _confirmed(_rows(rows))
    with celery_worker(
        tmp_path,
        prefix="test-import",
        DATABASE_URL=_test_database_url(),
        IMPORT_UPLOAD_DIR=settings.IMPORT_UPLOAD_DIR,
    ) as (queue, proc, log):
        tasks.import_contacts_task.apply_async(args=[str(job.pk)], queue=queue)
        deadline = time.monotonic() + 90
        while ImportJob.objects.get(pk=job.pk).processed_rows < 2_000:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"the import never got going:\n{log.read()[-3000:]}")
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)  # the worker dies mid-import (OOM, a deploy, …)
        proc.wait(timeout=10)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING and 0 < job.processed_rows < rows
    assert not Contact.objects.exists() and not ContactEvent.objects.exists()

    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=_stale())  # two minutes later
    done = import_run(job_id=job.pk)

    assert done.status == ImportJob.Status.DONE and done.created_count == rows
    assert done.attempts == 2
    assert Contact.objects.count() == rows and Phone.objects.count() == rows
    assert Phone.objects.values("e164").distinct().count() == rows  # one copy of each person


def test_the_sweep_removes_uploads_nobody_will_import(db, upload_dir):
    preview = import_create(by=None, filename="a.csv", content=_rows(2))  # never confirmed
    ImportJob.objects.filter(pk=preview.pk).update(
        status=ImportJob.Status.DONE, finished_at=timezone.now() - timedelta(days=8)
    )
    fresh = import_create(by=None, filename="b.csv", content=_rows(2))
    ImportJob.objects.filter(pk=fresh.pk).update(
        status=ImportJob.Status.DONE, finished_at=timezone.now()
    )
    doors = Path(upload_dir) / "doors"
    doors.mkdir()
    (doors / "old.csv").write_text("x")
    os.utime(doors / "old.csv", (time.time() - 2 * 86400,) * 2)
    spool = Path(upload_dir) / "spool"  # a killed worker's new people, and a running one's
    (spool / "killed" / "0").mkdir(parents=True)
    (spool / "killed" / "0" / "contacts.copy").write_text("1\tAna\n")
    os.utime(spool / "killed", (time.time() - 2 * 86400,) * 2)
    (spool / "running").mkdir()

    imports_sweep()

    preview.refresh_from_db()
    assert preview.path == "" and not (doors / "old.csv").exists()
    assert (Path(upload_dir) / fresh.path).is_file()
    assert not (spool / "killed").exists() and (spool / "running").is_dir()
