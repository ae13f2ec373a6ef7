"""`make run`'s supervisor: when the worker's main process dies, the web server keeps serving,
the log says what died, and the worker is started again."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from django.conf import settings

from organizer.supervise import Proc, Supervisor, read_procfile

BASE_DIR = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code  # 503 from /healthz is an answer too
    except OSError:
        return None


def _wait_for(predicate, timeout: float, what: str, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}:\n{log.read_text()[-3000:]}")


def test_the_web_keeps_serving_when_the_worker_dies_and_the_worker_comes_back(tmp_path):
    port, queue = _free_port(), f"supervise-{uuid.uuid4().hex[:8]}"
    procfile = tmp_path / "Procfile"
    procfile.write_text(
        f"web: {sys.executable} manage.py runserver 127.0.0.1:{port} --noreload\n"
        f"worker: {sys.executable} -m celery -A organizer worker --concurrency=1 "
        f"--queues {queue} --loglevel=INFO --without-gossip --without-mingle --without-heartbeat\n"
    )
    log = tmp_path / "run.log"
    env = dict(os.environ, DEBUG="1", REDIS_URL=settings.REDIS_URL, RUN_LOG=str(log))
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "organizer.supervise", str(procfile)],
        cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        _wait_for(lambda: log.exists() and "ready." in log.read_text(), 90, "the worker", log)
        _wait_for(lambda: _answers(url), 60, "the web server", log)
        worker_pid = int(re.search(r"worker started \(pid (\d+)\)", log.read_text()).group(1))

        os.kill(worker_pid, signal.SIGKILL)  # the worker's main process dies

        _wait_for(lambda: f"worker (pid {worker_pid}) died" in log.read_text(), 10, "news", log)
        text = log.read_text()
        assert "died (signal 9); restarting it in 1s; still running: web" in text
        assert _answers(url) in (200, 503)
        assert supervisor.poll() is None
        _wait_for(
            lambda: len(re.findall(r"worker started", log.read_text())) == 2,
            30,
            "a new worker",
            log,
        )
        assert _answers(url) in (200, 503)
    finally:
        supervisor.send_signal(signal.SIGINT)
        supervisor.wait(timeout=30)
    assert "stopping everything" in log.read_text()
    assert _answers(url) is None  # Ctrl-C stopped the web server too


def test_a_process_that_keeps_dying_is_left_down_and_the_others_keep_running(tmp_path):
    procfile = tmp_path / "Procfile"
    procfile.write_text("steady: sleep 30\nflaky: false\n")
    procs = read_procfile(procfile)
    sup = Supervisor(procs, tmp_path / "run.log")
    steady, flaky = procs
    for proc in procs:
        sup.start(proc)
    now = time.monotonic()
    for n in range(5):
        flaky.popen.wait(timeout=10)
        sup._died(flaky, now + n)
        if not flaky.given_up:
            sup.start(flaky)
    assert flaky.given_up and flaky.popen is None
    assert steady.popen.poll() is None
    text = (tmp_path / "run.log").read_text()
    assert "died (exit code 1) 5 times within 60s: leaving it down; still running: steady" in text
    sup.stop_all()
    assert steady.popen.poll() is not None


def test_the_procfile_lists_web_worker_and_beat():
    assert [p.name for p in read_procfile(BASE_DIR / "Procfile.dev")] == ["web", "worker", "beat"]
    assert isinstance(read_procfile(BASE_DIR / "Procfile.dev")[0], Proc)
