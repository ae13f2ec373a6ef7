"""Writes for the workplace map: worksites, departments, shifts, placing coworkers, recording
assessments, assigning coworkers to leaders, and structure tests.

Every write runs in one transaction. Placing someone on a hub's map makes them a member of the
hub (if they were not), so the hub's organizers can see them.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Assessment, Contact, ContactEvent, HubMember
from contacts.services.conversations import assessment_record as contacts_assessment_record
from hubs.models import (
    Department,
    Hub,
    Placement,
    Shift,
    StructureTest,
    StructureTestReach,
    Worksite,
)
from hubs.services.hubs import HubError


class WorkplaceError(HubError):
    pass


def _require_workplace(hub: Hub) -> None:
    if hub.kind != Hub.Kind.WORKPLACE:
        raise WorkplaceError(_("Only workplace hubs have a workplace map."))


@transaction.atomic
def worksite_add(*, by, hub: Hub, name: str, address: str = "") -> Worksite:
    _require_workplace(hub)
    return Worksite.objects.create(hub=hub, name=name.strip(), address=address.strip())


def _add_named(model, *, worksite: Worksite, hub: Hub, name: str):
    if worksite.hub_id != hub.pk:
        raise WorkplaceError(_("That worksite belongs to another hub."))
    try:
        with transaction.atomic():
            return model.objects.create(worksite=worksite, name=name.strip())
    except IntegrityError as error:
        if model is Department:
            message = _("%(worksite)s already has a department called “%(name)s”.")
        else:
            message = _("%(worksite)s already has a shift called “%(name)s”.")
        raise WorkplaceError(message % {"worksite": worksite, "name": name}) from error


def department_add(*, by, hub: Hub, worksite: Worksite, name: str) -> Department:
    return _add_named(Department, worksite=worksite, hub=hub, name=name)


def shift_add(*, by, hub: Hub, worksite: Worksite, name: str) -> Shift:
    return _add_named(Shift, worksite=worksite, hub=hub, name=name)


@transaction.atomic
def headcounts_set(*, by, hub: Hub, unit: int | None, departments: dict[int, int | None]) -> None:
    """How many work in the unit and in each of its departments (None: unknown). The majority
    is counted against them (see ``hubs.selectors.workplace.Tally``)."""
    _require_workplace(hub)
    ours = set(Department.objects.filter(worksite__hub=hub).values_list("pk", flat=True))
    if set(departments) - ours:
        raise WorkplaceError(_("That department belongs to another hub."))
    for value in (unit, *departments.values()):
        if value is not None and value < 0:
            raise WorkplaceError(_("A headcount cannot be negative."))
    Hub.objects.filter(pk=hub.pk).update(headcount=unit)
    hub.headcount = unit
    for pk, value in departments.items():
        Department.objects.filter(pk=pk).exclude(headcount=value).update(headcount=value)


@transaction.atomic
def placement_save(
    *,
    by,
    hub: Hub,
    contact: Contact,
    worksite: Worksite,
    department: Department | None = None,
    shift: Shift | None = None,
) -> Placement:
    """Place a coworker (or move them) on the hub's map."""
    _require_workplace(hub)
    if worksite.hub_id != hub.pk:
        raise WorkplaceError(_("That worksite belongs to another hub."))
    for part in (department, shift):
        if part is not None and part.worksite_id != worksite.pk:
            raise WorkplaceError(
                _("%(part)s is not at %(worksite)s.") % {"part": part, "worksite": worksite}
            )
    placement, created = Placement.objects.update_or_create(
        hub=hub,
        contact=contact,
        defaults={"worksite": worksite, "department": department, "shift": shift},
    )
    where = " · ".join(str(x) for x in (worksite, department, shift) if x)
    ContactEvent.objects.create(
        contact=contact,
        kind=ContactEvent.Kind.EDITED,
        actor=by,
        summary=f"{'Placed' if created else 'Moved'} on the {hub.name} workplace map: {where}",
        changes={"hub": hub.slug, "placement": where},
    )
    _member, joined = HubMember.objects.get_or_create(hub=hub, contact=contact)
    if joined:
        ContactEvent.objects.create(
            contact=contact,
            kind=ContactEvent.Kind.EDITED,
            actor=by,
            summary=f"Added to hub {hub.name} as member",
            changes={"hub": hub.slug, "role": HubMember.Role.MEMBER},
        )
    return placement


@transaction.atomic
def assessment_record(
    *, by, contact: Contact, level: int, at: dt.datetime | None = None
) -> Assessment:
    """A new dated 1–5 assessment by ``by``; the person's latest one (by date) becomes their
    assessment. Earlier assessments stay as history."""
    if level not in Assessment.Level.values:
        raise WorkplaceError(_("An assessment is 1 to 5."))
    return contacts_assessment_record(by=by, contact=contact, level=level, at=at or timezone.now())


@transaction.atomic
def leader_assign(*, by, hub: Hub, contact_id: int, leader_id: int | None) -> Placement:
    """Who organizes this coworker: a leader placed on the same map, or nobody (None)."""
    placement = Placement.objects.select_for_update().get(hub=hub, contact_id=contact_id)
    if leader_id is not None:
        if leader_id == contact_id:
            raise WorkplaceError(_("A coworker cannot organize themselves."))
        if not Placement.objects.filter(hub=hub, contact_id=leader_id).exists():
            raise WorkplaceError(_("The leader must be on this workplace map."))
    placement.organized_by_id = leader_id
    placement.save(update_fields=["organized_by"])
    return placement


@transaction.atomic
def structure_test_start(
    *, by, hub: Hub, name: str, deadline: dt.datetime | None = None
) -> StructureTest:
    _require_workplace(hub)
    now = timezone.now()
    deadline = deadline or now + dt.timedelta(hours=24)
    if deadline <= now:
        raise WorkplaceError(_("The deadline must be in the future."))
    return StructureTest.objects.create(
        hub=hub, name=name.strip(), started_at=now, deadline=deadline, started_by=by
    )


def structure_reach_mark(
    *, by, test: StructureTest, contact_id: int, at: dt.datetime | None = None
) -> StructureTestReach:
    """Mark a coworker reached. Idempotent: a second tap (or a race) keeps the first time."""
    if not Placement.objects.filter(hub_id=test.hub_id, contact_id=contact_id).exists():
        raise WorkplaceError(_("That person is not on this workplace map."))
    defaults = {"reached_at": at or timezone.now(), "marked_by": by}
    try:
        with transaction.atomic():
            reach, _created = StructureTestReach.objects.get_or_create(
                test=test, contact_id=contact_id, defaults=defaults
            )
    except IntegrityError:
        reach = StructureTestReach.objects.get(test=test, contact_id=contact_id)
    return reach
