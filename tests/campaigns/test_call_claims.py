"""Claims under real concurrency: callers in their own threads and connections, behind a
barrier. Two callers never hold the same person; an expired claim is handed on once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from campaigns.models import CallTarget
from campaigns.services.calls import call_next, call_record
from tests.campaigns.calls_support import make_list, person_with_phone
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def together(work, count: int) -> list:
    """Run ``work(i)`` in ``count`` threads released at once; their results in order."""
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    return results


@pytest.fixture
def setup(cast, campaign):
    people = [person_with_phone(cast.hub_a, n) for n in range(1, 31)]
    callers = [UserFactory(email=f"caller{i}@example.org", role=Role.STAFF) for i in range(8)]
    call_list = make_list(by=cast.staff, campaign=campaign, hub=cast.hub_a, callers=callers)
    return call_list, callers, people


def test_eight_callers_at_once_each_get_a_different_person(setup):
    call_list, callers, _people = setup
    got = together(lambda i: call_next(user=callers[i], call_list=call_list), len(callers))
    assert None not in got
    assert len(set(got)) == len(callers)
    held = CallTarget.objects.filter(claimed_by__isnull=False)
    assert held.count() == len(callers)


def test_callers_reloading_at_once_each_get_their_own_person_back(setup):
    call_list, callers, _people = setup
    first = together(lambda i: call_next(user=callers[i], call_list=call_list), len(callers))
    again = together(lambda i: call_next(user=callers[i], call_list=call_list), len(callers))
    assert again == first
    assert len(set(first)) == len(callers)
    held = CallTarget.objects.filter(claimed_by__isnull=False)
    assert dict(held.values_list("claimed_by_id", "pk")) == {
        caller.pk: target_id for caller, target_id in zip(callers, first, strict=True)
    }


def test_callers_working_a_list_to_the_end_never_share_a_person(setup):
    call_list, callers, people = setup

    def work_through(i: int) -> list[int]:
        mine = []
        while (target_id := call_next(user=callers[i], call_list=call_list)) is not None:
            call_record(by=callers[i], call_list=call_list, target_id=target_id,
                        result="no_answer")  # fmt: skip
            mine.append(target_id)
        return mine

    worked = together(work_through, 4)
    everyone = [t for mine in worked for t in mine]
    assert len(everyone) == len(set(everyone)) == len(people)
    assert not CallTarget.objects.filter(result="").exists()


def test_an_expired_claim_is_handed_to_exactly_one_of_two_racing_callers(setup):
    call_list, callers, _people = setup
    walked_away = call_next(user=callers[0], call_list=call_list)
    CallTarget.objects.filter(pk=walked_away).update(
        claimed_until=timezone.now() - dt.timedelta(minutes=1)
    )
    CallTarget.objects.exclude(pk=walked_away).update(result="no_answer")  # only it is left

    got = together(lambda i: call_next(user=callers[1 + i], call_list=call_list), 2)

    assert sorted(got, key=lambda x: x is None) == [walked_away, None]
    winner = callers[1 + got.index(walked_away)]
    assert CallTarget.objects.get(pk=walked_away).claimed_by == winner


def test_two_taps_of_the_same_result_at_once_record_one_interaction(setup):
    from contacts.models import Interaction

    call_list, callers, _people = setup
    target_id = call_next(user=callers[0], call_list=call_list)

    def tap(_i: int) -> str:
        try:
            call_record(by=callers[0], call_list=call_list, target_id=target_id, result="talked")
        except Exception as exc:  # the second tap is told the person is done
            return type(exc).__name__
        return "ok"

    outcomes = together(tap, 2)
    assert sorted(outcomes) == ["ClaimLost", "ok"]
    contact_id = CallTarget.objects.get(pk=target_id).contact_id
    assert Interaction.objects.filter(contact_id=contact_id).count() == 1


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('synchronous_commit')")
        return cursor.fetchone()[0]


def test_a_claim_does_not_wait_for_the_disk_but_nothing_after_it_is_hurried(setup):
    from django.db import transaction

    from campaigns.services.calls import _next_target_sql

    call_list, callers, _people = setup
    # The statement a claim on its own runs turns the flush off for its transaction...
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            _next_target_sql(call_list, unhurried=True),
            {"user": callers[0].pk, "list": call_list.pk, "minutes": 10},
        )
        assert cursor.fetchone() is not None
        assert _synchronous_commit() == "off"
        transaction.set_rollback(True)
    # ...and for nothing else: not the session's later statements,
    assert call_next(user=callers[0], call_list=call_list) is not None
    assert _synchronous_commit() == "on"
    with transaction.atomic():  # nor a transaction the claim is part of.
        assert call_next(user=callers[1], call_list=call_list) is not None
        assert _synchronous_commit() == "on"
