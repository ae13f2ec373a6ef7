"""Every web request runs with a statement timeout; workers and commands never do."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.urls("tests.organizer.slow_urls")


def _session_timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_slow_statement_in_a_request_is_cancelled_and_answers_503(client, settings):
    settings.REQUEST_STATEMENT_TIMEOUT_MS = 200
    started = time.monotonic()
    response = client.get("/test-slow/")
    assert time.monotonic() - started < 10  # pg_sleep(30) did not run to its end
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "took too long" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_timeout_survives_a_rolled_back_first_transaction(client, settings):
    settings.REQUEST_STATEMENT_TIMEOUT_MS = 200
    assert client.get("/test-rolled-back-then-slow/").status_code == 503


@pytest.mark.django_db(transaction=True)
def test_a_request_runs_with_the_timeout_and_leaves_the_connection_without_it(client, settings):
    settings.REQUEST_STATEMENT_TIMEOUT_MS = 4321
    assert _session_timeout() == "0"
    assert client.get("/test-timeout/").content == b"4321ms"
    # The same connection, after the request (as a worker or a command would find it).
    assert _session_timeout() == "0"


@pytest.mark.django_db(transaction=True)
def test_the_connection_is_usable_after_a_cancelled_statement(client, settings):
    settings.REQUEST_STATEMENT_TIMEOUT_MS = 200
    assert client.get("/test-slow/").status_code == 503
    assert client.get("/test-timeout/").content == b"200ms"
    assert _session_timeout() == "0"


@pytest.mark.django_db(transaction=True)
def test_every_transaction_gets_the_timeout_in_its_first_statements_message(client, settings):
    settings.REQUEST_STATEMENT_TIMEOUT_MS = 4321
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/test-timeout-in-transaction/").content == b"4321ms"
    # No statement of its own: SET LOCAL travels with the transaction's first statement.
    sent = [q["sql"] for q in queries.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")]
    assert sent[0].startswith("SET LOCAL statement_timeout = 4321; ")
    assert not any(sql.startswith("SET LOCAL") for sql in sent[1:])
    assert _session_timeout() == "0"


@pytest.mark.django_db
def test_a_request_inside_a_transaction_begun_before_it_gets_the_timeout_too(client, settings):
    settings.REQUEST_STATEMENT_TIMEOUT_MS = 4321
    assert client.get("/test-timeout/").content == b"4321ms"  # the fallback: a session SET
    assert _session_timeout() == "0"  # and its RESET


@pytest.mark.django_db(transaction=True)
def test_zero_switches_the_timeout_off(client, settings):
    settings.REQUEST_STATEMENT_TIMEOUT_MS = 0
    assert client.get("/test-timeout/").content == b"0"


def test_the_default_is_a_few_seconds():
    from django.conf import settings

    assert 1000 <= settings.REQUEST_STATEMENT_TIMEOUT_MS <= 10000
