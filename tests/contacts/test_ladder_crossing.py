"""The crossing time: when time alone will move a person's stage (decay below the stage's
minimum, a time-limited milestone lapsing, a hold ending). The nightly visits only people
past it, and moves them exactly then — not before.

Figures are computed by hand: with half-life h, a score s falls below a minimum m (scores are
rounded to cents, so below m − 0.005 before rounding) after h · log2(s / (m − 0.005)) days."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from contacts.models import Activity, Contact, LadderMove, ScoringSettings
from contacts.services.ladder import (
    activity_record,
    drop_threshold,
    ladder_rescore,
    ladder_stage_hold,
    rescore_nightly,
)
from tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db

_seq = iter(range(1, 10**9))


def did(contact, kind, at, *, quantity: float = 1) -> None:
    Activity.objects.create(
        contact=contact,
        kind=kind,
        occurred_at=at,
        quantity=quantity,
        source="test",
        source_id=next(_seq),
    )


def days(n: float) -> dt.timedelta:
    return dt.timedelta(days=n)


def fresh(contact) -> Contact:
    contact.refresh_from_db()
    return contact


@pytest.fixture
def volunteer_at_16(default_ladder):
    """A Volunteer (minimum 8, a one-on-one) with exactly 16 points at ``start``; half-life
    30 days: 5 (one-on-one) + 3 (event) + 2 × 4 (shifts)."""
    ScoringSettings.objects.filter(pk=1).update(half_life_days=30)
    start = timezone.now().replace(microsecond=0)
    person = ContactFactory()
    did(person, "one_on_one", start)
    did(person, "event_attended", start)
    did(person, "shift", start, quantity=2)
    ladder_rescore(contact_ids=[person.pk], now=start)
    return person, start


def test_the_drop_threshold_accounts_for_rounding_to_cents():
    assert drop_threshold(8) == pytest.approx(7.995)
    assert drop_threshold(1) == pytest.approx(0.995)
    assert drop_threshold(8.333) == pytest.approx(8.335)  # 8.334 still rounds to 8.33 < 8.333
    assert drop_threshold(0) < 0  # a minimum of 0 is never crossed


def test_the_crossing_time_is_when_the_decaying_score_falls_below_the_stage_minimum(
    volunteer_at_16, default_ladder
):
    person, start = volunteer_at_16
    person = fresh(person)
    assert person.score == 16 and person.ladder_stage == default_ladder["Volunteer"]

    # 30 × log2(16 / 7.995) = 30.02706 days
    assert abs((person.stage_due_at - (start + days(30.027059))).total_seconds()) < 1


def test_the_nightly_moves_a_person_down_at_the_crossing_time_and_not_before(
    volunteer_at_16, default_ladder
):
    person, start = volunteer_at_16
    due = fresh(person).stage_due_at

    assert rescore_nightly(now=due - dt.timedelta(hours=1)).scored == 0
    assert rescore_nightly(now=due).scored == 0  # the last moment the stage holds
    person = fresh(person)
    assert person.ladder_stage == default_ladder["Volunteer"] and person.scored_at == start

    result = rescore_nightly(now=due + dt.timedelta(seconds=1))

    person = fresh(person)
    assert (result.scored, result.moves) == (1, 1)
    assert person.ladder_stage == default_ladder["Supporter"]
    assert person.score == pytest.approx(7.99, abs=0.001)
    move = LadderMove.objects.filter(contact=person).first()
    assert (move.from_stage, move.to_stage) == (
        default_ladder["Volunteer"],
        default_ladder["Supporter"],
    )
    assert move.reason == "score 7.99 ≥ 1"
    # Next crossing: below Supporter's 1 at 30 × log2(16 / 0.995) = 120.21695 days from start.
    assert abs((person.stage_due_at - (start + days(120.216947))).total_seconds()) < 1


def test_people_not_yet_due_are_not_visited_by_the_nightly(volunteer_at_16, default_ladder):
    _person, start = volunteer_at_16
    steady = ContactFactory()
    did(steady, "recruited", start, quantity=10)  # 80 points: a Supporter, due in ~190 days
    ladder_rescore(contact_ids=[steady.pk], now=start)
    steady_scored_at = fresh(steady).scored_at

    result = rescore_nightly(now=start + days(31))

    assert (result.scored, result.moves) == (1, 1)  # only the Volunteer past their crossing
    assert fresh(steady).scored_at == steady_scored_at


def test_new_activity_gives_a_new_crossing_time(volunteer_at_16, default_ladder):
    person, start = volunteer_at_16
    old_due = fresh(person).stage_due_at

    activity_record(
        contact_id=person.pk,
        kind="shift",
        source="test",
        source_id=77,
        occurred_at=start + days(10),
    )
    ladder_rescore(contact_ids=[person.pk], now=start + days(10))

    # 16 × 2^(−10/30) + 4 = 16.69921, then 30 × log2(16.69921 / 7.995) = 31.87829 more days
    person = fresh(person)
    assert person.score == pytest.approx(16.70, abs=0.001)
    assert abs((person.stage_due_at - (start + days(41.878293))).total_seconds()) < 1
    assert rescore_nightly(now=old_due + dt.timedelta(seconds=1)).scored == 0
    assert fresh(person).ladder_stage == default_ladder["Volunteer"]


def test_a_lapsing_events_milestone_is_a_crossing_time(default_ladder):
    start = timezone.now().replace(microsecond=0)
    person = ContactFactory()
    did(person, "one_on_one", start)
    did(person, "event_attended", start - days(10))
    did(person, "event_attended", start - days(20))
    did(person, "shift", start, quantity=20)  # ~91 points: decay would take ~196 days
    ladder_rescore(contact_ids=[person.pk], now=start)
    person = fresh(person)
    assert person.ladder_stage == default_ladder["Active volunteer"]

    # Two events in 90 days lapse 90 days after the second most recent: 20 days ago + 90.
    second_event = start - days(20)
    assert person.stage_due_at == second_event + days(90)

    assert rescore_nightly(now=second_event + days(90)).moves == 0
    assert rescore_nightly(now=second_event + days(90) + dt.timedelta(seconds=1)).moves == 1
    assert fresh(person).ladder_stage == default_ladder["Volunteer"]


def test_a_hold_ends_for_the_nightly_at_midnight_after_its_date(default_ladder):
    staff = UserFactory(role="staff", name="Sam Staff")
    person = ContactFactory()
    until = timezone.localdate() + days(3)
    ladder_stage_hold(
        by=staff, contact=person, stage=default_ladder["Leader"], reason="Covering", until=until
    )
    midnight = timezone.make_aware(dt.datetime.combine(until + days(1), dt.time.min))
    assert fresh(person).stage_due_at == midnight

    assert rescore_nightly(now=midnight - dt.timedelta(seconds=1)).scored == 0
    assert rescore_nightly(now=midnight + dt.timedelta(seconds=1)).moves == 1

    person = fresh(person)
    assert person.stage_hold is None and person.ladder_stage == default_ladder["Contact"]
    assert person.stage_due_at is None  # a Contact (minimum 0): time cannot move them


def test_a_full_rescore_writes_the_same_crossing_time_and_leaves_it_alone_after(
    volunteer_at_16, default_ladder
):
    person, start = volunteer_at_16
    due = fresh(person).stage_due_at
    Contact.objects.filter(pk=person.pk).update(stage_due_at=None, scored_at=None)

    ladder_rescore(all=True, now=start)
    assert abs((fresh(person).stage_due_at - due).total_seconds()) < 1
    scored_at = fresh(person).scored_at

    ladder_rescore(all=True, now=start + days(5))  # only decay since: the row is not rewritten

    person = fresh(person)
    assert person.scored_at == scored_at
    assert abs((person.stage_due_at - due).total_seconds()) < 1


def test_a_new_stage_minimum_moves_the_crossing_time_in_a_full_rescore(
    volunteer_at_16, default_ladder
):
    person, start = volunteer_at_16
    volunteer = default_ladder["Volunteer"]
    volunteer.min_score = 4
    volunteer.save()

    ladder_rescore(all=True, now=start + days(1))

    # 30 × log2(16 / 3.995) = 60.05413 days from start
    person = fresh(person)
    assert abs((person.stage_due_at - (start + days(60.054135))).total_seconds()) < 1
