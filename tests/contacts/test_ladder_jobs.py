"""Full-rescore jobs beat as they run: a job whose worker died (its heartbeat stopped) is taken
up by the every-minute sweep within a couple of minutes, not after half an hour; a live job,
however slow, is never taken twice; the result is written once. The nightly claims people
without waiting for those another scorer holds."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from contacts.models import Activity, Contact, LadderMove, LadderStage, RescoreJob, ScoringSettings
from contacts.services import ladder
from contacts.services.ladder import (
    HEARTBEAT_STALE_SECONDS,
    MAX_JOB_ATTEMPTS,
    JobLost,
    _locked_stages,
    ladder_rescore,
    ladder_stage_delete,
    rescore_job_run,
    rescore_jobs_sweep,
    rescore_nightly,
)
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db(transaction=True)


def ago(seconds: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=seconds)


@pytest.fixture
def people(default_ladder):
    crowd = [ContactFactory() for _ in range(5)]
    Activity.objects.create(contact=crowd[0], kind="event_led", source="t", source_id=1)
    return crowd


def running_job(*, heartbeat_age: float, attempts: int = 1) -> RescoreJob:
    """A job a worker claimed and last beat ``heartbeat_age`` seconds ago."""
    return RescoreJob.objects.create(
        reason="test",
        status=RescoreJob.Status.RUNNING,
        started_at=ago(heartbeat_age + 30),
        heartbeat_at=ago(heartbeat_age),
        attempts=attempts,
        total=5,
        processed=2,
    )


def test_a_job_beats_at_every_stage_of_its_run(people, monkeypatch):
    monkeypatch.setattr(ladder, "BATCH_SIZE", 2)
    beats = []
    real_beat = ladder._beat
    monkeypatch.setattr(ladder, "_beat", lambda job, **f: (beats.append(f), real_beat(job, **f)))
    job = RescoreJob.objects.create(reason="test")

    done = rescore_job_run(job_id=job.pk)

    assert (done.status, done.attempts, done.processed, done.moves) == ("done", 1, 5, 5)
    # totals, the aggregate, then two beats per batch (start, progress) for 3 batches of 2
    assert len(beats) == 2 + 3 * 2
    assert done.heartbeat_at >= done.started_at


def test_the_sweep_takes_up_a_job_whose_heartbeat_stopped_and_finishes_it_once(people):
    job = running_job(heartbeat_age=HEARTBEAT_STALE_SECONDS + 30)  # its worker died

    assert rescore_jobs_sweep() == 1

    job.refresh_from_db()
    assert (job.status, job.attempts, job.total, job.processed) == ("done", 2, 5, 5)
    assert LadderMove.objects.count() == 5  # everyone placed once
    assert rescore_jobs_sweep() == 0
    assert LadderMove.objects.count() == 5


def test_the_sweep_leaves_a_job_with_a_fresh_heartbeat_alone(people):
    job = running_job(heartbeat_age=20)

    assert rescore_jobs_sweep() == 0
    assert rescore_job_run(job_id=job.pk) is None

    job.refresh_from_db()
    assert (job.status, job.attempts, job.processed) == ("running", 1, 2)
    assert not Contact.objects.filter(scored_at__isnull=False).exists()


def test_a_job_busy_in_a_long_stage_is_not_taken_up_even_with_an_old_heartbeat(people):
    job = running_job(heartbeat_age=HEARTBEAT_STALE_SECONDS + 30)
    holding, release = threading.Event(), threading.Event()

    def worker_mid_stage():  # a live worker holds its job's row while a stage runs
        try:
            with transaction.atomic():
                RescoreJob.objects.select_for_update().get(pk=job.pk)
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=worker_mid_stage)
    thread.start()
    try:
        assert holding.wait(10)
        assert rescore_jobs_sweep() == 0  # skipped, not waited for
    finally:
        release.set()
        thread.join()
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("running", 1)


def test_a_worker_whose_job_was_taken_up_stops_without_writing(people):
    job = running_job(heartbeat_age=HEARTBEAT_STALE_SECONDS + 30)
    dead_worker_view = RescoreJob.objects.get(pk=job.pk)  # attempts=1: the first claim
    RescoreJob.objects.filter(pk=job.pk).update(attempts=2, heartbeat_at=timezone.now())

    with pytest.raises(JobLost):
        ladder_rescore(all=True, job=dead_worker_view)

    assert not Contact.objects.filter(scored_at__isnull=False).exists()
    assert LadderMove.objects.count() == 0
    job.refresh_from_db()
    assert (job.status, job.attempts, job.processed) == ("running", 2, 2)


def test_a_job_whose_worker_keeps_dying_is_failed_not_retried_forever(people):
    job = running_job(heartbeat_age=HEARTBEAT_STALE_SECONDS + 30, attempts=MAX_JOB_ATTEMPTS)

    assert rescore_jobs_sweep() == 0

    job.refresh_from_db()
    assert job.status == "failed" and "stopped" in job.error
    assert LadderMove.objects.count() == 0


def test_a_stage_cannot_be_deleted_while_a_scorer_writes_stage_ids(people, default_ladder):
    holding, release = threading.Event(), threading.Event()

    def scorer_mid_batch():  # what each batch of a full rescore holds until it commits
        try:
            with transaction.atomic():
                _locked_stages()
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=scorer_mid_batch)
    thread.start()
    try:
        assert holding.wait(10)
        with pytest.raises(OperationalError), transaction.atomic():
            connection.cursor().execute("SET LOCAL lock_timeout = '300ms'")
            ladder_stage_delete(by=None, stage=default_ladder["Leader"])
    finally:
        release.set()
        thread.join()

    ladder_stage_delete(by=None, stage=default_ladder["Leader"])  # free once the batch is done
    assert not LadderStage.objects.filter(name="Leader").exists()


def test_the_nightly_skips_a_person_another_scorer_holds_and_takes_them_next_run(
    default_ladder,
):
    ScoringSettings.objects.filter(pk=1).update(half_life_days=30)
    start = timezone.now()
    held, free = ContactFactory(), ContactFactory()
    for n, person in enumerate((held, free)):
        Activity.objects.create(
            contact=person, kind="one_on_one", occurred_at=start, source="t", source_id=10 + n
        )
        Activity.objects.create(
            contact=person, kind="shift", occurred_at=start, source="t", source_id=20 + n
        )
    ladder_rescore(all=True, now=start)  # 9 points: Volunteers until 30 × log2(9/7.995) days
    after = start + dt.timedelta(days=6)
    holding, release = threading.Event(), threading.Event()

    def catch_up_holding_a_row():
        try:
            with transaction.atomic():
                list(Contact.objects.select_for_update().filter(pk=held.pk))
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=catch_up_holding_a_row)
    thread.start()
    try:
        assert holding.wait(10)
        assert rescore_nightly(now=after).moves == 1  # the free one; the held one is skipped
    finally:
        release.set()
        thread.join()

    assert rescore_nightly(now=after).moves == 1  # the next run takes the one left
    stages = set(Contact.objects.values_list("ladder_stage__name", flat=True))
    assert stages == {"Supporter"}
