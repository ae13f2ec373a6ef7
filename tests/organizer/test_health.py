"""/healthz, and the site staying up while Redis or a PostgreSQL connection goes away.

Outages are simulated by pointing at a dead port or killing our own connection: the machine's
real PostgreSQL and Redis keep running (other test runs use them).
"""

from __future__ import annotations

import io
import time
from wsgiref.util import setup_testing_defaults

import psycopg
import pytest
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import override_settings

from organizer.health import HEARTBEAT_KEY, probe
from tests.factories import PASSWORD

DEAD_REDIS = "redis://127.0.0.1:1/0"
DEAD_CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": DEAD_REDIS,
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
        },
    }
}


def test_healthz_answers_200_json_when_database_and_redis_are_up(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert body["down"] == []
    assert body["checks"] == {"database": {"ok": True}, "redis": {"ok": True}}


def test_healthz_shows_the_last_heartbeat(client, db):
    cache.set(HEARTBEAT_KEY, "2025-01-01T12:00:00+00:00")
    try:
        assert client.get("/healthz").json()["last_heartbeat"] == "2025-01-01T12:00:00+00:00"
    finally:
        cache.delete(HEARTBEAT_KEY)


@override_settings(REDIS_URL=DEAD_REDIS, CACHES=DEAD_CACHES)
def test_healthz_answers_503_naming_redis_when_redis_is_down(client, db):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["down"] == ["redis"]
    assert body["checks"]["database"] == {"ok": True}
    assert "Connection" in body["checks"]["redis"]["error"]


@override_settings(REDIS_URL=DEAD_REDIS, CACHES=DEAD_CACHES)
def test_with_redis_down_a_user_can_still_sign_in_and_see_their_people(client, cast):
    response = client.post(
        "/accounts/login/", {"username": cast.organizer_a.email, "password": PASSWORD}
    )
    assert response.status_code == 302  # signed in: sessions live in PostgreSQL
    response = client.get("/people/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Alvarez" in html and f"/people/{cast.person_a.pk}/" in html
    assert "Baker" not in html  # still scoped: hub B's person stays out of sight


def test_healthz_answers_503_naming_the_database_when_it_is_down(client, transactional_db):
    dead = dict(connection.settings_dict, PORT="1", HOST="127.0.0.1")
    original = connection.settings_dict
    connection.close()
    connection.settings_dict = dead
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict = original
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["database"]
    assert body["checks"]["redis"] == {"ok": True}
    assert client.get("/healthz").status_code == 200  # and back once it answers again


# --- A PostgreSQL restart costs no failed request --------------------------------------------


def _serve(path: str) -> tuple[int, bytes]:
    """One request through the WSGI handler, as gunicorn does it: the request_started and
    request_finished signals run (the test client skips the connection housekeeping)."""
    environ: dict = {"PATH_INFO": path, "wsgi.input": io.BytesIO()}
    setup_testing_defaults(environ)
    status: list[str] = []
    response = WSGIHandler()(environ, lambda s, headers, exc_info=None: status.append(s))
    try:
        body = b"".join(response)
    finally:
        response.close()
    return int(status[0].split()[0]), body


def _kill_backend(pid: int) -> None:
    """What a PostgreSQL restart does to our open connection: terminate its backend."""
    s = connection.settings_dict
    with psycopg.connect(
        host=s["HOST"], port=s["PORT"] or 5432, user=s["USER"], password=s["PASSWORD"],
        dbname=s["NAME"], autocommit=True,
    ) as admin:  # fmt: skip
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 5
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
            assert time.monotonic() < deadline, "backend did not go away"
            time.sleep(0.05)


@pytest.fixture
def persistent_connection(transactional_db):
    connection.close()
    yield connection
    connection.close()


def test_a_killed_database_connection_is_replaced_before_the_next_request(persistent_connection):
    assert persistent_connection.settings_dict["CONN_MAX_AGE"] > 0
    assert persistent_connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    assert _serve("/healthz")[0] == 200
    pid = persistent_connection.connection.info.backend_pid  # kept open between requests
    _kill_backend(pid)
    status, body = _serve("/healthz")
    assert status == 200, body
    assert persistent_connection.connection.info.backend_pid != pid


def test_without_health_checks_the_killed_connection_would_fail_a_request(persistent_connection):
    # The control: shows the test above kills a connection the next request would have used.
    persistent_connection.settings_dict["CONN_HEALTH_CHECKS"] = False
    try:
        assert _serve("/healthz")[0] == 200
        _kill_backend(persistent_connection.connection.info.backend_pid)
        status, body = _serve("/healthz")
    finally:
        persistent_connection.close()
        persistent_connection.settings_dict["CONN_HEALTH_CHECKS"] = True
    assert status == 503
    assert b'"database"' in body


# --- The container healthcheck probe ---------------------------------------------------------


def test_the_healthcheck_probe_reads_200_from_a_live_server(live_server):
    assert probe(f"{live_server.url}/healthz", host="localhost") == 200


def test_the_healthcheck_probe_reports_no_answer_as_zero():
    assert probe("http://127.0.0.1:1/healthz", host="localhost", timeout=1) == 0
