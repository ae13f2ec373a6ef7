"""A chapter with something of every kind in hub A and in hub B, for the native API's tests:
conversations, an assessment, follow-ups, a ladder move, a walk-list piece with a result, a
workplace hub with a placement, a campaign with a goal, a call list of the hub's people (its
organizer and walker assigned to call) with survey questions, and a target of the campaign with
one pressure action."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from campaigns.models import CallTarget, PressureAction
from campaigns.services.campaigns import campaign_create, goal_set
from campaigns.services.pressure import pressure_action_record, target_save
from contacts.models import FollowUp, Interaction, LadderMove, LadderStage
from contacts.services.conversations import one_on_one_log
from hubs.models import DoorResult, Hub, HubRole, Placement, Worksite
from tests.campaigns.calls_support import QUESTIONS, make_list
from tests.factories import (
    ContactFactory,
    HubFactory,
    HubMemberFactory,
    HubRoleFactory,
    PhoneFactory,
)
from tests.hubs.test_walk import build_piece


@dataclass
class Side:
    """What one hub holds: the ids a test asks for by id, and expects (or not) in lists."""

    hub: Hub
    workplace: Hub
    person: object
    interaction: Interaction
    follow_up: FollowUp
    move: LadderMove
    piece: object
    door: object
    result: DoorResult
    placement: Placement
    campaign: object
    call_list: object
    call_target: CallTarget
    official: object
    action: PressureAction
    # What the OSDI API (/api/v2/) reads by id: set by _osdi_side.
    event: object = None
    rsvp: object = None
    petition: object = None
    signature: object = None
    tag: object = None
    tagging: object = None


def _side(cast, hub, organizer, person, *, name: str, walker) -> Side:
    interaction = one_on_one_log(
        by=organizer,
        contact=person,
        notes=f"{name}: secret story",
        ask="Host a potluck?",
        answer="yes",
        assessment=2,
        follow_up_on=timezone.localdate() - dt.timedelta(days=1),
        follow_up_what=f"Call {name} back",
    )
    follow_up = FollowUp.objects.get(interaction=interaction)
    stage = LadderStage.objects.order_by("position").first()
    move = LadderMove.objects.create(contact=person, to_stage=stage, reason="test", manual=True)
    walk = build_piece(hub, assigned_to=walker, doors=2, street=f"{name} St")
    door = walk.doors[0]
    result = DoorResult.objects.create(
        unit=door.unit, door=door, piece=walk.piece, result="not_home", by=walker
    )
    workplace = HubFactory(name=f"{name} Works", slug=f"{name.lower()}-works", kind="workplace")
    HubRoleFactory(hub=workplace, user=organizer, role=HubRole.Role.ORGANIZER)
    worksite = Worksite.objects.create(hub=workplace, name=f"{name} warehouse")
    coworker = ContactFactory(first_name=f"{name}worker")
    HubMemberFactory(contact=coworker, hub=workplace)
    placement = Placement.objects.create(hub=workplace, contact=coworker, worksite=worksite)
    campaign = campaign_create(
        by=cast.staff,
        name=f"{name} campaign",
        hubs=[hub],
        starts_on=timezone.localdate() - dt.timedelta(days=10),
        ends_on=timezone.localdate() + dt.timedelta(days=20),
    )
    goal_set(by=cast.staff, campaign=campaign, metric="one_on_ones", target=10)
    n = 9001 if name == "Ana" else 9002
    PhoneFactory(contact=person, raw=f"(718) 555-{n}", e164=f"+1718555{n}")
    call_list = make_list(
        by=cast.staff,
        campaign=campaign,
        hub=hub,
        name=f"{name} calls",
        questions=QUESTIONS,
        callers=[organizer, walker],
    )
    call_target = CallTarget.objects.get(call_list=call_list, contact=person)
    official = target_save(
        by=cast.staff,
        name=f"{name} Official",
        office="Council Member",
        level="city",
        campaigns=[campaign],
    )
    action, _created = pressure_action_record(
        campaign=campaign,
        target=official,
        contact=person,
        kind="call",
        source=PressureAction.Source.ORGANIZER,
        notes=f"{name}: secret pressure note",
        by=organizer,
    )
    return Side(
        hub, workplace, person, interaction, follow_up, move, walk.piece, door, result,
        placement, campaign, call_list, call_target, official, action,
    )  # fmt: skip


def _osdi_side(side: Side, organizer, *, name: str) -> Side:
    """An event with an RSVP, a petition of the side's campaign with a signature, and a tag on
    the side's person; the side's campaign gets a call page (an advocacy campaign, its action
    an outreach)."""
    from campaigns.models import Event, Petition, PressurePage, Rsvp, Signature
    from contacts.models import Contact, Tag

    start = timezone.now() + dt.timedelta(days=3)
    side.event = Event.objects.create(
        title=f"{name} potluck",
        kind=Event.Kind.POTLUCK,
        hub=side.hub,
        organizer=organizer,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    side.rsvp = Rsvp.objects.create(event=side.event, contact=side.person)
    side.petition = Petition.objects.create(
        campaign=side.campaign, title=f"{name} petition", text="Fix it", target_name="Acme"
    )
    side.signature = Signature.objects.create(
        petition=side.petition, contact=side.person, source="online"
    )
    PressurePage.objects.create(
        campaign=side.campaign, ask="Fund it", script="Hi", email_subject="s", email_body="b"
    )
    side.tag = Tag.objects.create(name=f"{name} tag")
    side.person.tags.add(side.tag)
    side.tagging = Contact.tags.through.objects.get(contact=side.person, tag=side.tag)
    return side


@dataclass
class World:
    a: Side
    b: Side


@pytest.fixture
def world(cast, default_ladder) -> World:
    # A volunteer of hub B walks B's piece (cast.volunteer_a walks A's).
    from accounts.models import Role
    from tests.factories import UserFactory

    volunteer_b = UserFactory(email="volunteer.b@example.org", role=Role.VOLUNTEER)
    HubRoleFactory(hub=cast.hub_b, user=volunteer_b, role=HubRole.Role.VOLUNTEER)
    a = _side(
        cast, cast.hub_a, cast.organizer_a, cast.person_a, name="Ana", walker=cast.volunteer_a
    )
    b = _side(cast, cast.hub_b, cast.organizer_b, cast.person_b, name="Bo", walker=volunteer_b)
    _osdi_side(a, cast.organizer_a, name="Ana")
    _osdi_side(b, cast.organizer_b, name="Bo")
    return World(a, b)
