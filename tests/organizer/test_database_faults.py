"""PostgreSQL restarted (idle and under load), and backups: on a throwaway PostgreSQL of our
own (pgserver in a temporary directory), never the machine's shared server.

The web server is gunicorn with production settings (DEBUG off, tests/organizer/fault_settings),
so errors go through the real handlers: every answer is 200/302 or a clear 503, a one-on-one
answered 302 is saved exactly once, and the first request after a restart succeeds.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from organizer import embedded
from organizer.backup import restore
from tests.factories import PASSWORD

BASE_DIR = Path(__file__).resolve().parents[2]
TABLES = ["accounts_user", "hubs_hub", "hubs_hubrole", "contacts_contact"]


@pytest.fixture(scope="module")
def throwaway_pg():
    """A PostgreSQL of our own to restart at will; yields (server, data directory)."""
    os.environ.setdefault("XDG_RUNTIME_DIR", f"/tmp/runtime-{os.getuid()}")  # noqa: S108
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, exist_ok=True)
    import pgserver

    path = Path(tempfile.mkdtemp(prefix="org-pg-"))
    server = pgserver.get_server(path / "pg", cleanup_mode=None)
    try:
        yield server, path
    finally:
        embedded.stop(path)
        shutil.rmtree(path, ignore_errors=True)


def _fresh_database(server, name: str) -> str:
    server.psql(f"DROP DATABASE IF EXISTS {name};")
    server.psql(f"CREATE DATABASE {name};")
    return server.get_uri(name)


def _test_database_url() -> str:
    name = connection.settings_dict["NAME"]
    return urlsplit(settings.DATABASE_URL)._replace(path="/" + name).geturl()


def _rows(url: str) -> dict[str, list]:
    with psycopg.connect(url) as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in TABLES}


def _copy_test_database(server, name: str) -> str:
    """The test database (rows committed by a transactional test) onto the throwaway server.
    Plain SQL through psql, dropping column options this machine's shared server adds
    (``pg_attver``) that a stock PostgreSQL refuses."""
    sql = subprocess.run(
        [embedded.pg_bin("pg_dump"), "--no-owner", "--no-privileges", _test_database_url()],
        check=True, capture_output=True, timeout=120,
    ).stdout  # fmt: skip
    sql = re.sub(rb"(?m)^ALTER TABLE ONLY \S+ ALTER COLUMN \S+ SET \(pg_attver=\d+\);\n", b"", sql)
    url = _fresh_database(server, name)
    subprocess.run(
        [embedded.pg_bin("psql"), "-q", "-v", "ON_ERROR_STOP=1", url],
        input=sql, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return url


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_with_every_row(cast, throwaway_pg, tmp_path):
    server, _ = throwaway_pg
    source = _copy_test_database(server, "source")
    backup = tmp_path / "organizer.dump"
    result = subprocess.run(  # what `make backup FILE=…` runs
        [sys.executable, "-m", "organizer.backup", "dump", str(backup)],
        env=dict(os.environ, DATABASE_URL=source),
        cwd=BASE_DIR, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"Backed up to {backup}" in result.stdout

    target = _fresh_database(server, "restored")
    restore(backup, target)

    original, restored = _rows(source), _rows(target)
    assert len(restored["accounts_user"]) == 5 and len(restored["contacts_contact"]) == 2
    assert restored == original
    restore(backup, target)  # restoring again over the same database replaces, not doubles
    assert _rows(target) == original


# --- PostgreSQL restarts -----------------------------------------------------------------------


class Browser:
    """A signed-in session over plain http.client (no redirects followed)."""

    def __init__(self, port: int) -> None:
        self.port, self.cookies = port, {}

    def request(self, method: str, path: str, data: dict | None = None) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urlencode({**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, value = re.match(r"([^=]+)=([^;]*)", header).groups()
                self.cookies[name] = value
            return response.status
        finally:
            conn.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def site(cast, throwaway_pg, tmp_path):
    """The test database (with the cast) copied onto the throwaway server, served by gunicorn
    with production settings. Redis is stopped here too (a closed port): the worst case."""
    server, path = throwaway_pg
    url = _copy_test_database(server, "site")
    port = _free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead_redis = f"redis://127.0.0.1:{s.getsockname()[1]}/0"
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="tests.organizer.fault_settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=url,
        REDIS_URL=dead_redis,
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log = (tmp_path / "gunicorn.log").open("w+")
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "organizer.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--threads", "6", "--timeout", "60"],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    browser = Browser(port)
    deadline = time.monotonic() + 60
    while True:
        try:
            if browser.request("GET", "/accounts/login/") == 200:
                break
        except OSError:
            pass
        if web.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            pytest.fail(f"gunicorn did not start:\n{log.read()[-3000:]}")
        time.sleep(0.3)
    status = browser.request(
        "POST", "/accounts/login/", {"username": cast.organizer_a.email, "password": PASSWORD}
    )
    assert status == 302, "sign-in failed"
    try:
        yield browser, url, lambda: _restart(path)
    finally:
        web.terminate()
        web.wait(timeout=30)
        log.close()


def _restart(path: Path) -> None:
    embedded.stop(path)
    # Started again from another process: pgserver keeps one handle per data directory in a
    # process, and would hand back ours without starting anything.
    start = "import pgserver, sys; pgserver.get_server(sys.argv[1], cleanup_mode=None)"
    subprocess.run([sys.executable, "-c", start, str(path / "pg")], check=True, timeout=60)


def _saved_tokens(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT client_token::text FROM contacts_interaction WHERE client_token IS NOT NULL"
        )
        return [r[0] for r in rows]


@pytest.mark.django_db(transaction=True)
def test_postgresql_restarts_idle_and_under_load_lose_nothing_and_answer_200_or_503(cast, site):
    browser, url, restart = site
    assert browser.request("GET", "/people/my-day/") == 200

    restart()  # idle: every pooled connection is dead now
    assert browser.request("GET", "/people/my-day/") == 200  # the first request reconnects
    assert browser.request("GET", "/people/") == 200

    results: list[tuple[str, int, str | None]] = []
    stop = threading.Event()

    def organizer():
        while not stop.is_set():
            token = str(uuid.uuid4())
            # Distinct notes: the same empty one-on-one sent again is taken as a resubmitted
            # draft and saved once (contacts/services/conversations.py).
            data = {"contact": cast.person_a.pk, "client_token": token, "notes": token}
            results.append(("log", browser.request("POST", "/people/log/", data), token))
            results.append(("my-day", browser.request("GET", "/people/my-day/"), None))

    threads = [threading.Thread(target=organizer) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    restart()  # under load
    time.sleep(1.5)
    stop.set()
    for t in threads:
        t.join(timeout=60)

    statuses = {status for _, status, _ in results}
    assert statuses <= {200, 302, 503}, sorted(results, key=lambda r: r[1])[-5:]
    saved = _saved_tokens(url)
    assert len(saved) == len(set(saved))  # nothing saved twice
    answered_saved = {token for kind, status, token in results if kind == "log" and status == 302}
    assert answered_saved <= set(saved)  # nothing answered "saved" was lost
    refused = {token for kind, status, token in results if kind == "log" and status == 503}
    assert not refused & set(saved)  # a 503 really means "not saved: try again"
    assert browser.request("GET", "/people/my-day/") == 200
