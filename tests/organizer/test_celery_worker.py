"""A real Celery worker, on the real Redis, runs the heartbeat task beat sends every minute."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from organizer.health import HEARTBEAT_KEY
from organizer.tasks import heartbeat

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(tmp_path):
    """A solo-pool worker consuming a queue of its own (no other worker can take our task)."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    log = (tmp_path / "worker.log").open("w+")
    env = dict(os.environ, DEBUG="1", REDIS_URL=settings.REDIS_URL)
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "organizer", "worker", "--pool=solo",
            "--queues", queue, "--hostname", f"{queue}@%h", "--without-gossip",
            "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
        ],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield queue, proc, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()
        from organizer.celery import app

        with app.connection_for_write() as conn:  # drop the queue's leftovers from Redis
            leftovers = [queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"]
            conn.default_channel.client.delete(*leftovers)


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
