"""A real Celery worker, on the real Redis, runs the heartbeat task beat sends every minute."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.core.cache import cache

from organizer.health import HEARTBEAT_KEY
from organizer.tasks import heartbeat
from tests.workers import celery_worker

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(tmp_path):
    """A solo-pool worker consuming a queue of its own (no other worker can take our task)."""
    with celery_worker(tmp_path) as running:
        yield running


def test_a_real_worker_runs_the_heartbeat_task_and_records_it_in_the_cache(worker):
    queue, proc, log = worker
    cache.delete(HEARTBEAT_KEY)
    heartbeat.apply_async(queue=queue)
    deadline = time.monotonic() + 60
    while cache.get(HEARTBEAT_KEY) is None:
        if proc.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            pytest.fail(f"no heartbeat (worker exit code {proc.poll()}):\n{log.read()[-3000:]}")
        time.sleep(0.2)
    assert cache.get(HEARTBEAT_KEY).startswith(str(time.gmtime().tm_year))
    cache.delete(HEARTBEAT_KEY)
