"""Every contacts/accounts service that locks rows, called outside any test transaction.

pytest-django's default test wraps each test in a transaction, so a ``select_for_update`` in a
service with its ``@transaction.atomic`` on the wrong function passes there and answers 500 in
production (that is how merging people broke). These tests run with ``transaction=True``: the
service must open its own transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from contacts.models import Activity, ActivityWeight, Contact, ContactEvent, FollowUp, LadderMove
from contacts.services.conversations import (
    follow_up_complete,
    follow_up_reassign,
    follow_up_snooze,
)
from contacts.services.ladder import (
    activity_record,
    activity_weights_save,
    ladder_catch_up,
    ladder_stage_hold,
    ladder_stage_move,
    ladder_stage_release,
    rescore_job_request,
    rescore_job_run,
)
from contacts.services.people import contact_merge, contact_update
from tests.factories import ContactFactory, HubMemberFactory, PhoneFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_merging_two_people_from_the_page_works_outside_a_test_transaction(cast, client_for):
    dupe = ContactFactory(first_name="Ana", last_name="Alvarez", employer="Acme")
    HubMemberFactory(contact=dupe, hub=cast.hub_b)
    PhoneFactory(contact=dupe, e164="+12125550100")

    response = client_for(cast.staff).post(
        f"/people/{cast.person_a.pk}/merge/", {"other": dupe.pk, "take_employer": "remove"}
    )

    assert response.status_code == 302
    assert not Contact.objects.filter(pk=dupe.pk).exists()
    kept = Contact.objects.get(pk=cast.person_a.pk)
    assert kept.employer == "Acme"
    assert kept.phones.get().e164 == "+12125550100"
    assert kept.events.filter(kind=ContactEvent.Kind.MERGED).count() == 1


def test_merge_runs_the_hubs_step_in_its_transaction(cast):
    from hubs.models import Building, Residence, Unit

    dupe = ContactFactory(first_name="Ana", last_name="Alvarez")
    unit = Unit.objects.create(
        building=Building.objects.create(street_number="5", street="Myrtle Ave"), label="1"
    )
    Residence.objects.create(contact=dupe, unit=unit)

    contact_merge(by=cast.staff, keep=cast.person_a, remove=dupe)

    assert Residence.objects.get().contact_id == cast.person_a.pk


def test_contacts_imports_no_turf_or_workplace_model():
    import ast
    from pathlib import Path

    allowed = {"hubs.models", "hubs.selectors.access"}
    root = Path(__file__).resolve().parents[2] / "contacts"
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("hubs"):
                names = {a.name for a in node.names}
                if node.module not in allowed or names & {"Placement", "Residence"}:
                    offenders.append(f"{path.relative_to(root)}: {node.module} {sorted(names)}")
    assert offenders == []


def test_updating_a_person_locks_and_saves(cast):
    contact_update(by=cast.staff, contact=cast.person_a, fields={"employer": "Amazon"})
    cast.person_a.refresh_from_db()
    assert cast.person_a.employer == "Amazon"
    assert cast.person_a.events.filter(kind=ContactEvent.Kind.EDITED).count() == 1


@pytest.fixture
def follow_up(cast):
    return FollowUp.objects.create(
        contact=cast.person_a,
        assigned_to=cast.organizer_a,
        due_on=timezone.localdate(),
        what="Call Ana",
        created_by=cast.organizer_a,
    )


def test_completing_snoozing_and_reassigning_a_follow_up_lock_it(cast, follow_up):
    later = timezone.localdate() + dt.timedelta(days=3)
    follow_up_snooze(by=cast.organizer_a, follow_up_id=follow_up.pk, until=later)
    follow_up_reassign(by=cast.organizer_a, follow_up_id=follow_up.pk, to_user_id=cast.captain_a.pk)
    follow_up_complete(by=cast.captain_a, follow_up_id=follow_up.pk)
    follow_up.refresh_from_db()
    assert (follow_up.due_on, follow_up.assigned_to, follow_up.completed_at is not None) == (
        later,
        cast.captain_a,
        True,
    )


def test_recording_an_activity_locks_its_row(cast):
    for _ in range(2):
        activity_record(contact_id=cast.person_a.pk, kind="one_on_one", source="test", source_id=1)
    assert Activity.objects.filter(source="test").count() == 1


def test_catch_up_claims_and_rescores(cast, default_ladder):
    Contact.objects.filter(pk=cast.person_a.pk).update(needs_rescore=True)
    result = ladder_catch_up()
    assert result.scored >= 1
    assert not Contact.objects.get(pk=cast.person_a.pk).needs_rescore


def test_holding_and_releasing_a_stage_lock_the_person(cast, default_ladder):
    leader = default_ladder["Leader"]
    ladder_stage_hold(by=cast.staff, contact=cast.person_a, stage=leader, reason="Runs the hub")
    assert Contact.objects.get(pk=cast.person_a.pk).ladder_stage == leader
    ladder_stage_release(by=cast.staff, contact=cast.person_a)
    assert Contact.objects.get(pk=cast.person_a.pk).stage_hold_id is None
    assert LadderMove.objects.filter(contact=cast.person_a, manual=True).count() == 2


def test_moving_a_stage_and_saving_points_lock_their_rows(cast, default_ladder):
    stage = default_ladder["Leader"]
    before = stage.position
    assert ladder_stage_move(by=cast.staff, stage=stage, up=False) is not None
    stage.refresh_from_db()
    assert stage.position == before - 1
    weight = ActivityWeight.objects.first()
    new_points = weight.points + 1
    assert activity_weights_save(by=cast.staff, points={weight.kind: new_points})
    weight.refresh_from_db()
    assert weight.points == new_points


def test_a_rescore_job_is_claimed_once(cast, default_ladder):
    job = rescore_job_request(by=cast.staff, reason="test")
    rescore_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "done"
    assert rescore_job_run(job_id=job.pk) is None  # already done: nothing to claim
