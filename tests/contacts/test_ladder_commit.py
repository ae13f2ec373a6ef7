"""A rescore writes only what it derives from the ledger: when the scorer opened the
transaction itself, its commit does not wait for the WAL flush (what asked for the rescore was
committed durably by its writer and asks again after a crash); inside a caller's transaction
the caller's durability is left as it is. A few people's rescore runs as a statement prepared
once per connection, which must hold across rollbacks and reconnections."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from contacts import signals
from contacts.models import Activity, Contact
from contacts.services.ladder import ladder_catch_up, ladder_rescore
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def commit_mode():
    """``synchronous_commit`` as seen inside each scoring transaction that moved someone."""
    seen: list[str] = []

    def receiver(sender, move_ids, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('synchronous_commit')")
            seen.append(cursor.fetchone()[0])

    signals.stage_changed.connect(receiver, dispatch_uid="test_commit_mode")
    yield seen
    signals.stage_changed.disconnect(dispatch_uid="test_commit_mode")


def a_person_who_will_move() -> Contact:
    person = ContactFactory()
    Activity.objects.create(contact=person, kind="one_on_one", source="t", source_id=person.pk)
    return person


def test_a_rescore_in_its_own_transaction_commits_without_waiting_for_the_flush(
    default_ladder, commit_mode
):
    person = a_person_who_will_move()

    ladder_rescore(contact_ids=[person.pk])

    assert commit_mode == ["off"]
    person.refresh_from_db()
    assert person.ladder_stage == default_ladder["Supporter"]  # committed, visible at once
    with connection.cursor() as cursor:  # and the setting ended with that transaction
        cursor.execute("SELECT current_setting('synchronous_commit')")
        assert cursor.fetchone()[0] == "on"


def test_the_catch_up_and_a_full_rescore_commit_their_chunks_the_same_way(
    default_ladder, commit_mode
):
    first, second = a_person_who_will_move(), a_person_who_will_move()
    Contact.objects.filter(pk=first.pk).update(needs_rescore=True)

    ladder_catch_up()
    ladder_rescore(all=True)

    assert commit_mode == ["off", "off"]
    assert not Contact.objects.get(pk=first.pk).needs_rescore
    assert Contact.objects.get(pk=second.pk).ladder_stage == default_ladder["Supporter"]


def test_inside_a_callers_transaction_the_callers_durability_is_kept(default_ladder, commit_mode):
    person = a_person_who_will_move()

    with transaction.atomic():
        Contact.objects.filter(pk=person.pk).update(first_name="Renamed")
        ladder_rescore(contact_ids=[person.pk])
        ladder_rescore(all=True)  # batches of a full rescore are savepoints here

    assert commit_mode == ["on"]
    assert Contact.objects.get(pk=person.pk).ladder_stage == default_ladder["Supporter"]


def test_the_prepared_scoring_statement_survives_a_rollback_and_a_new_connection(default_ladder):
    person = a_person_who_will_move()

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        ladder_rescore(contact_ids=[person.pk])  # prepares the statement, then rolls back
        raise Undo
    assert Contact.objects.get(pk=person.pk).ladder_stage is None

    ladder_rescore(contact_ids=[person.pk])  # the statement is still prepared: executed
    assert Contact.objects.get(pk=person.pk).ladder_stage == default_ladder["Supporter"]

    connection.close()  # a new connection has no prepared statements: prepared again
    Activity.objects.create(contact=person, kind="event_led", source="t", source_id=-person.pk)
    ladder_rescore(contact_ids=[person.pk])
    assert Contact.objects.get(pk=person.pk).score == pytest.approx(15, abs=0.01)


def test_behind_a_transaction_pooler_nothing_stays_prepared(default_ladder, settings):
    settings.DB_PREPARED_STATEMENTS = False  # PgBouncer in transaction mode
    person = a_person_who_will_move()
    connection.close()
    ladder_rescore(contact_ids=[person.pk])
    assert Contact.objects.get(pk=person.pk).ladder_stage == default_ladder["Supporter"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] == 0
