"""The slice of the chapter a report reads: who asks, and the filters they chose.

Every report starts from :func:`report_scope`. Its ``people`` is ``contacts_for_user`` (the one
chokepoint) narrowed by the hub and organizer filters; its hubs are ``hubs_for_user``. A hub or
organizer outside the user's slice never reaches here: the filter form offers only theirs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Role
from contacts.models import Contact, HubMember
from contacts.selectors.access import contacts_for_user
from hubs.models import Hub
from hubs.selectors.access import hubs_for_user


@dataclass(frozen=True)
class Scope:
    user: object
    people: QuerySet[Contact]
    hubs: QuerySet[Hub]
    start: dt.date
    end: dt.date  # inclusive
    hub: Hub | None = None
    organizer: object | None = None
    campaign: object | None = None

    @cached_property
    def facts_as_of(self) -> dt.datetime | None:
        """When the precomputed person facts were last refreshed (None: never)."""
        from reports.services import person_facts_as_of

        return person_facts_as_of()

    @property
    def everyone(self) -> bool:
        """The scope is the whole chapter: no condition on its people (staff, no filter)."""
        return not self.people.query.where

    @property
    def facts_now(self) -> bool:
        """The period ends after the last refresh of the person facts (the usual period, ending
        today): the stage at its end and the activity before it are read from the facts, as
        of that refresh. A period that ended before it is computed live."""
        as_of = self.facts_as_of
        return as_of is not None and self.end_at > as_of

    @property
    def start_at(self) -> dt.datetime:
        return _midnight(self.start)

    @property
    def end_at(self) -> dt.datetime:
        """The end of the last day (exclusive): "as of" for every point-in-time number."""
        return _midnight(self.end + dt.timedelta(days=1))


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last 90 days, today included."""
    today = today or timezone.localdate()
    return today - dt.timedelta(days=89), today


def report_scope(
    user,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    hub: Hub | None = None,
    organizer=None,
    campaign=None,
) -> Scope:
    default_start, default_end = default_period()
    people = contacts_for_user(user)
    hubs = hubs_for_user(user)
    if hub is not None:
        people = people.filter(pk__in=HubMember.objects.filter(hub=hub).values("contact_id"))
        hubs = hubs.filter(pk=hub.pk)
    if organizer is not None:
        people = people.filter(owner_id=organizer.pk)
    return Scope(
        user=user,
        people=people,
        hubs=hubs,
        start=start or default_start,
        end=end or default_end,
        hub=hub,
        organizer=organizer,
        campaign=campaign,
    )


def organizers_for_user(user):
    """Whose people a user may filter by: staff anyone who owns people; others only themselves."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True)
    if getattr(user, "role", None) == Role.STAFF:
        return users.filter(role__in=[Role.STAFF, Role.CAPTAIN, Role.ORGANIZER]).order_by("name")
    return users.filter(pk=user.pk)
