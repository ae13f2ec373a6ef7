"""The ladder on Celery: with Redis down the site keeps working and the score catches up once
Redis is back; a real worker on real Redis runs a full-rescore job end to end."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from contacts.models import Activity, Interaction, LadderMove, RescoreJob
from contacts.services.ladder import rescore_job_request
from contacts.tasks import ladder_catch_up_task, ladder_rescore_job_task
from organizer.celery import app as celery_app
from tests.workers import celery_worker

BASE_DIR = Path(__file__).resolve().parents[2]
DEAD_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down():
    """Point the Celery app at a port where nothing listens, as when Redis is stopped."""
    saved = celery_app.conf.broker_url
    celery_app.conf.broker_url = DEAD_BROKER
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    with override_settings(CELERY_BROKER_URL=DEAD_BROKER):
        yield
    celery_app.conf.broker_url = saved
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.mark.django_db
def test_with_redis_down_a_one_on_one_is_saved_and_the_score_catches_up_later(
    cast, client_for, default_ladder, redis_down, django_capture_on_commit_callbacks
):
    client = client_for(cast.organizer_a)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # the enqueue fails
        response = client.post(reverse("contacts:log"), {"contact": cast.person_a.pk})

    assert response.status_code == 302 and len(callbacks) == 1
    assert Interaction.objects.filter(contact=cast.person_a, kind="one_on_one").count() == 1
    cast.person_a.refresh_from_db()
    assert cast.person_a.needs_rescore and cast.person_a.ladder_stage is None

    ladder_catch_up_task()  # Redis is back: beat's every-minute catch-up runs

    cast.person_a.refresh_from_db()
    assert not cast.person_a.needs_rescore
    assert cast.person_a.ladder_stage == default_ladder["Supporter"]
    assert cast.person_a.score == pytest.approx(5, abs=0.01)
    assert LadderMove.objects.filter(contact=cast.person_a).count() == 1


@pytest.mark.django_db
def test_with_redis_down_a_ladder_change_waits_as_a_pending_job_the_sweep_runs(
    cast, client_for, default_ladder, redis_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.staff).post(
            reverse("contacts:ladder_half_life"), {"half_life_days": 30}
        )

    assert response.status_code == 302
    job = RescoreJob.objects.get()
    assert job.status == "pending"

    from contacts.tasks import ladder_jobs_sweep_task

    ladder_jobs_sweep_task()

    job.refresh_from_db()
    assert job.status == "done" and job.processed == 2


def _test_database_url() -> str:
    name = connection.settings_dict["NAME"]
    return urlsplit(settings.DATABASE_URL)._replace(path="/" + name).geturl()


@pytest.fixture
def worker(tmp_path):
    """A solo-pool worker on a queue of its own, on the test database and Redis db of this run."""
    with celery_worker(
        tmp_path, prefix="test-ladder", DATABASE_URL=_test_database_url()
    ) as running:
        yield running


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_full_rescore_job_end_to_end(cast, default_ladder, worker):
    queue, proc, log = worker
    Activity.objects.create(contact=cast.person_b, kind="event_led", source="t", source_id=1)
    job = rescore_job_request(by=cast.staff, reason="test")  # autocommit: committed now

    ladder_rescore_job_task.apply_async(args=[job.pk], queue=queue)
    deadline = time.monotonic() + 60
    while RescoreJob.objects.get(pk=job.pk).status != "done":
        if proc.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            pytest.fail(f"job not done (worker exit {proc.poll()}):\n{log.read()[-3000:]}")
        time.sleep(0.2)

    job.refresh_from_db()
    assert (job.total, job.processed, job.moves) == (2, 2, 2)
    cast.person_b.refresh_from_db()
    assert cast.person_b.score == pytest.approx(10, abs=0.01)
    assert cast.person_b.ladder_stage == default_ladder["Supporter"]
