"""organizer.lib.prepared: a statement is prepared once per connection, survives a rollback,
is prepared again on a new connection or after its statements were dropped, and is not
prepared at all when DB_PREPARED_STATEMENTS is off (a pooler in transaction mode)."""

from __future__ import annotations

import pytest
from django.db import DataError, connection, transaction
from django.test.utils import CaptureQueriesContext

from organizer.lib import prepared

pytestmark = pytest.mark.django_db

SQL = "SELECT %(a)s::bigint + %(b)s::bigint, %(a)s::bigint * 2"
TYPES = {"a": "bigint", "b": "bigint"}


def run(a: int, b: int) -> tuple[tuple, list[str]]:
    with CaptureQueriesContext(connection) as sent, connection.cursor() as cursor:
        prepared.execute(cursor, SQL, {"a": a, "b": b}, types=TYPES, prefix="t")
        row = cursor.fetchone()
    return row, [q["sql"].split(" ", 1)[0] for q in sent]


def held() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 't\\_%%'")
        return cursor.fetchone()[0]


@pytest.fixture(autouse=True)
def fresh():
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    prepared.reset(connection)


def test_it_prepares_once_then_only_executes():
    assert run(2, 3) == ((5, 4), ["PREPARE"])
    assert run(10, 1) == ((11, 20), ["EXECUTE"])
    assert held() == 1


def test_a_statement_prepared_in_a_rolled_back_transaction_is_still_there():
    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        assert run(1, 1)[1] == ["PREPARE"]
        raise Undo
    assert run(1, 2) == ((3, 2), ["EXECUTE"])


def test_dropped_statements_are_asked_for_once_and_prepared_again():
    run(1, 1)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    prepared.forget(connection)  # e.g. after a failed message
    assert run(4, 4) == ((8, 8), ["SELECT", "PREPARE"])
    assert run(4, 5) == ((9, 8), ["EXECUTE"])


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_again():
    run(1, 1)
    connection.close()
    assert run(2, 2) == ((4, 4), ["PREPARE"])


def test_a_failed_prepare_leaves_the_connection_unsure_and_usable():
    with pytest.raises(DataError), transaction.atomic(), connection.cursor() as cursor:
        prepared.execute(cursor, "SELECT %(a)s::bigint / 0", {"a": 1}, types=TYPES, prefix="t")
    assert run(6, 1) == ((7, 12), ["SELECT", "PREPARE"])


def test_off_behind_a_pooler_nothing_is_prepared(settings):
    settings.DB_PREPARED_STATEMENTS = False
    assert run(2, 3) == ((5, 4), ["SELECT"])
    assert run(2, 3)[1] == ["SELECT"]
    assert held() == 0


def test_a_literal_percent_is_refused():
    with connection.cursor() as cursor, pytest.raises(ValueError):
        prepared.execute(cursor, "SELECT 100 %% 7 + %(a)s", {"a": 1}, types=TYPES, prefix="t")
