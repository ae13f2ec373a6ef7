"""A real Celery worker for integration tests: a subprocess on a queue of its own."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(__file__).resolve().parents[1]


@contextmanager
def celery_worker(
    tmp_path: Path, *, prefix: str = "test", pool: str = "solo", **env: str
) -> Iterator[tuple]:
    """Start a worker (solo pool, or ``pool="prefork"`` with one child) consuming a fresh queue
    (no other worker can take our tasks); yield ``(queue, process, log)``; stop it and drop the
    queue's keys from Redis after."""
    from organizer.celery import app

    queue = f"{prefix}-{uuid.uuid4().hex[:12]}"
    log = (tmp_path / "worker.log").open("w+")
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "organizer", "worker", f"--pool={pool}",
            "--concurrency=1",
            "--queues", queue, "--hostname", f"{queue}@%h", "--without-gossip",
            "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
        ],
        cwd=BASE_DIR,
        env=dict(os.environ, DEBUG="1", REDIS_URL=settings.REDIS_URL, **env),
        stdout=log,
        stderr=subprocess.STDOUT,
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
        with app.connection_for_write() as conn:
            leftovers = [queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"]
            conn.default_channel.client.delete(*leftovers)
