"""Scoring rules: decay, weights, milestones, stage selection, holds; every move recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from contacts.models import Activity, ActivityWeight, Contact, LadderMove, ScoringSettings
from contacts.services.ladder import (
    ladder_rescore,
    ladder_stage_hold,
    ladder_stage_release,
    score_now,
)
from tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db

_seq = iter(range(1, 10**9))


def did(contact, kind, *, days_ago: float = 0, quantity: float = 1) -> Activity:
    return Activity.objects.create(
        contact=contact,
        kind=kind,
        occurred_at=timezone.now() - dt.timedelta(days=days_ago),
        quantity=quantity,
        source="test",
        source_id=next(_seq),
    )


def rescored(contact) -> Contact:
    ladder_rescore(contact_ids=[contact.pk])
    contact.refresh_from_db()
    return contact


def test_an_activity_one_half_life_old_counts_half(default_ladder):
    ScoringSettings.objects.filter(pk=1).update(half_life_days=30)
    person = ContactFactory()
    did(person, "one_on_one", days_ago=30)  # 5 points, halved
    did(person, "event_attended", days_ago=60)  # 3 points, quartered

    assert rescored(person).score == pytest.approx(2.5 + 0.75, abs=0.01)


def test_points_follow_the_weights_and_quantity_and_unknown_kinds_earn_nothing(default_ladder):
    ActivityWeight.objects.filter(kind="signatures").update(points=0.5)
    person = ContactFactory()
    did(person, "signatures", quantity=40)
    did(person, "a_kind_no_one_weighted_yet", quantity=100)

    assert rescored(person).score == pytest.approx(20, abs=0.01)


def test_a_fresh_one_on_one_makes_a_supporter_not_a_volunteer_without_the_points(default_ladder):
    person = ContactFactory()
    did(person, "one_on_one")

    person = rescored(person)

    assert person.score == pytest.approx(5, abs=0.01)
    assert person.ladder_stage == default_ladder["Supporter"]
    move = LadderMove.objects.get(contact=person)
    assert move.from_stage is None and move.to_stage == default_ladder["Supporter"]
    assert move.reason == "score 5 ≥ 1" and not move.manual


def test_the_highest_stage_whose_own_criteria_are_met_is_chosen(default_ladder):
    person = ContactFactory()
    did(person, "one_on_one")
    did(person, "event_attended", days_ago=10)
    did(person, "event_attended", days_ago=20)
    did(person, "shift", quantity=3)  # 5 + 3 + 3 + 12 = 23 (a little decay)

    person = rescored(person)

    assert 20 <= person.score < 23
    assert person.ladder_stage == default_ladder["Active volunteer"]
    reason = LadderMove.objects.get(contact=person).reason
    assert "≥ 20 and milestones met: has had a one-on-one, attended 2+ events in 90 days" in reason


def test_enough_points_without_the_milestones_do_not_climb(default_ladder):
    person = ContactFactory()
    did(person, "shift", quantity=30)  # 120 points, but no one-on-one, never led

    assert rescored(person).ladder_stage == default_ladder["Supporter"]


def test_events_older_than_90_days_do_not_count_for_the_events_milestone(default_ladder):
    person = ContactFactory()
    did(person, "one_on_one")
    did(person, "event_attended", days_ago=10)
    did(person, "event_attended", days_ago=100)
    did(person, "shift", quantity=5)

    assert rescored(person).ladder_stage == default_ladder["Volunteer"]


def test_membership_in_good_standing_is_a_milestone(default_ladder):
    stage = default_ladder["Contact"]
    stage.milestones = ["member_in_good_standing"]
    stage.min_score = 0
    stage.save()
    member = ContactFactory(membership_status="good_standing")
    other = ContactFactory(membership_status="lapsed")

    ladder_rescore(contact_ids=[member.pk, other.pk])

    member.refresh_from_db(), other.refresh_from_db()
    assert member.ladder_stage == stage
    assert other.ladder_stage is None


def test_rescoring_without_change_records_no_second_move(default_ladder):
    person = ContactFactory()
    did(person, "one_on_one")
    rescored(person)
    rescored(person)
    ladder_rescore(all=True)

    assert LadderMove.objects.filter(contact=person).count() == 1


def test_decay_moves_people_down_and_the_move_is_recorded(default_ladder):
    person = ContactFactory()
    did(person, "one_on_one")
    did(person, "shift", quantity=1)
    assert rescored(person).ladder_stage == default_ladder["Volunteer"]

    Activity.objects.filter(contact=person).update(
        occurred_at=timezone.now() - dt.timedelta(days=90)
    )
    person = rescored(person)

    assert person.score == pytest.approx(4.5, abs=0.01)
    assert person.ladder_stage == default_ladder["Supporter"]
    last = LadderMove.objects.filter(contact=person).first()
    assert (last.from_stage, last.to_stage) == (
        default_ladder["Volunteer"],
        default_ladder["Supporter"],
    )


def test_a_hand_set_stage_holds_against_the_score_until_cleared(default_ladder):
    staff = UserFactory(role="staff", name="Sam Staff")
    person = ContactFactory()
    did(person, "one_on_one")
    rescored(person)

    ladder_stage_hold(
        by=staff, contact=person, stage=default_ladder["Leader"], reason="Runs the tenants' union"
    )
    person = rescored(person)
    assert person.ladder_stage == default_ladder["Leader"]
    manual = LadderMove.objects.filter(contact=person).first()
    assert manual.manual and manual.by == staff
    assert manual.reason == "Set by hand by Sam Staff: Runs the tenants' union"

    ladder_stage_release(by=staff, contact=person)
    person.refresh_from_db()
    assert person.ladder_stage == default_ladder["Supporter"] and person.stage_hold is None
    cleared = LadderMove.objects.filter(contact=person).first()
    assert cleared.manual and cleared.by == staff
    assert cleared.reason.startswith("Hold cleared by Sam Staff; score 5 ≥ 1")
    assert LadderMove.objects.filter(contact=person).count() == 3


def test_an_expired_hold_is_cleared_by_the_next_rescore_and_recorded(default_ladder):
    staff = UserFactory(role="staff", name="Sam Staff")
    person = ContactFactory()
    ladder_stage_hold(
        by=staff,
        contact=person,
        stage=default_ladder["Leader"],
        reason="Covering for a month",
        until=timezone.localdate(),
    )
    assert rescored(person).ladder_stage == default_ladder["Leader"]  # holds through the date

    Contact.objects.filter(pk=person.pk).update(
        stage_hold_until=timezone.localdate() - dt.timedelta(days=1)
    )
    person = rescored(person)

    assert person.ladder_stage == default_ladder["Contact"]
    assert person.stage_hold is None and person.stage_hold_reason == ""
    expired = LadderMove.objects.filter(contact=person).first()
    assert expired.from_stage == default_ladder["Leader"]
    assert expired.to_stage == default_ladder["Contact"]
    assert expired.reason.startswith("hold expired (set by Sam Staff): Covering for a month;")


def test_a_full_rescore_scores_everyone_in_batches(default_ladder, monkeypatch):
    from contacts.services import ladder

    monkeypatch.setattr(ladder, "BATCH_SIZE", 2)
    people = [ContactFactory() for _ in range(5)]
    did(people[0], "one_on_one")
    did(people[3], "event_led")

    result = ladder_rescore(all=True)

    assert result.scored == 5 and result.moves == 5
    stages = dict(Contact.objects.values_list("pk", "ladder_stage__name"))
    assert stages[people[0].pk] == "Supporter" and stages[people[3].pk] == "Supporter"
    assert stages[people[1].pk] == "Contact"


def test_a_nightly_rescore_rewrites_only_people_whose_stage_changed(default_ladder):
    ScoringSettings.objects.filter(pk=1).update(half_life_days=30)
    steady, slipping = ContactFactory(), ContactFactory()
    did(steady, "recruited", quantity=10)  # 80 points: a Supporter for a long while
    did(slipping, "one_on_one")
    did(slipping, "shift")  # 9 points and a one-on-one: a Volunteer, for now
    start = timezone.now()
    ladder_rescore(all=True, now=start)
    steady.refresh_from_db()
    first_scored_at = steady.scored_at

    ladder_rescore(all=True, now=start + dt.timedelta(days=30))  # everything halves

    steady.refresh_from_db()
    slipping.refresh_from_db()
    # Nothing changed for the steady one but decay: the row was left alone...
    assert steady.scored_at == first_scored_at and steady.score == pytest.approx(80, abs=0.01)
    # ...and reading it decays it exactly as a rewrite would have: 80 halved after 30 days.
    later = first_scored_at + dt.timedelta(days=30)
    assert score_now(
        score=steady.score, scored_at=steady.scored_at, half_life_days=30, now=later
    ) == pytest.approx(40, abs=0.01)
    # The one who slipped below Volunteer was rewritten, with a move.
    assert slipping.ladder_stage == default_ladder["Supporter"]
    assert slipping.score == pytest.approx(4.5, abs=0.01)
    assert LadderMove.objects.filter(contact=slipping).count() == 2


def test_a_full_rescore_counts_and_leaves_alone_people_a_catch_up_scored_meanwhile(
    default_ladder,
):
    start = timezone.now()
    earlier, fresher = ContactFactory(), ContactFactory()
    did(earlier, "one_on_one")
    did(fresher, "one_on_one")
    # A catch-up scored this person after the full rescore's aggregate was taken.
    Contact.objects.filter(pk=fresher.pk).update(
        score=99, scored_at=start + dt.timedelta(seconds=5)
    )

    result = ladder_rescore(all=True, now=start)

    assert result.scored == 2  # every person of the batch counts as processed...
    assert result.moves == 1  # ...but only the stale one is written and moved
    fresher.refresh_from_db()
    assert fresher.score == 99 and fresher.ladder_stage is None
    assert not LadderMove.objects.filter(contact=fresher).exists()
    assert rescored(earlier).ladder_stage == default_ladder["Supporter"]


def test_a_stage_changed_in_the_same_transaction_is_seen_by_the_next_rescore(default_ladder):
    # The scorer keeps the stages per process and reads them again when a row version
    # changed; a test runs in one transaction, where xmin alone would not tell.
    person = ContactFactory()
    did(person, "one_on_one")
    assert rescored(person).ladder_stage == default_ladder["Supporter"]

    supporter = default_ladder["Supporter"]
    supporter.min_score = 6
    supporter.save()
    assert rescored(person).ladder_stage == default_ladder["Contact"]

    supporter.min_score = 1
    supporter.save()
    assert rescored(person).ladder_stage == default_ladder["Supporter"]
    assert LadderMove.objects.filter(contact=person).count() == 3
