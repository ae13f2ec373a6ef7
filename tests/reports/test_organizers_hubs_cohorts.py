from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from campaigns.models import Event, Rsvp
from contacts.models import Activity, Contact, FollowUp, HubMember, Interaction
from reports import drill, metrics
from reports.selectors import _midnight, report_scope
from reports.services import person_facts_refresh
from tests.reports.conftest import move

pytestmark = pytest.mark.django_db


def _days(n: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=n)


def _talk(contact, author, days_ago):
    Interaction.objects.create(
        contact=contact,
        kind=Interaction.Kind.ONE_ON_ONE,
        author=author,
        happened_at=_days(days_ago),
    )


def _follow_up(contact, user, due_in, *, done_in=None):
    today = timezone.localdate()
    return FollowUp.objects.create(
        contact=contact,
        assigned_to=user,
        what="call back",
        due_on=today + dt.timedelta(days=due_in),
        status=FollowUp.Status.DONE if done_in is not None else FollowUp.Status.OPEN,
        completed_at=None if done_in is None else timezone.now() + dt.timedelta(days=done_in),
    )


@pytest.fixture
def work(cast, town, default_ladder):
    """organizer_a owns p1 and p2; two one-on-ones with p1 and one with p2 in the last 14 days;
    follow-ups: p1's done a day early, p2's done 3 days late, p2's open and 3 days overdue, p1's
    due in 3 days; p1 moved up to Supporter 3 days ago."""
    org = cast.organizer_a
    Contact.objects.filter(pk__in=[town.p1.pk, town.p2.pk]).update(owner=org)
    _talk(town.p1, org, 3)
    _talk(town.p1, org, 5)
    _talk(town.p2, org, 4)
    _follow_up(town.p1, org, -5, done_in=-6)
    _follow_up(town.p2, org, -5, done_in=-2)
    _follow_up(town.p2, org, -3)
    _follow_up(town.p1, org, 3)
    move(town.p1, default_ladder["Supporter"], 3)
    person_facts_refresh()  # as Celery does: the stage now is read from the refreshed facts
    return org


def _two_weeks(user):
    today = timezone.localdate()
    return report_scope(user, start=today - dt.timedelta(days=13), end=today)


def test_the_organizer_report_by_hand(cast, town, work):
    rows = {r.user.pk: r for r in metrics.organizers(_two_weeks(cast.staff))}
    r = rows[work.pk]
    assert r.conversations == 3 and r.per_week == 1.5
    assert (r.due, r.on_time, r.on_time_pct) == (3, 1, 33.3)
    assert r.counts == {
        "one_on_ones": 2,
        "followed_up": 1,
        "overdue": 1,
        "owned": 2,
        "moved_up": 1,
    }
    scope = _two_weeks(cast.staff)
    for row in rows.values():
        for metric, n in row.counts.items():
            spec = drill.Spec("organizers", metric, str(row.user.pk))
            assert drill.people(scope, spec).count() == n, (row.user, metric)
    overdue = drill.people(scope, drill.Spec("organizers", "overdue", str(work.pk)))
    assert list(overdue) == [town.p2]


def test_the_organizer_report_shows_each_persona_their_own(cast, town, work):
    def who(user):
        return {r.user.pk for r in metrics.organizers(_two_weeks(user))}

    assert who(cast.staff) == {
        cast.staff.pk,
        cast.captain_a.pk,
        cast.organizer_a.pk,
        cast.organizer_b.pk,
    }
    assert who(cast.captain_a) == {cast.captain_a.pk, cast.organizer_a.pk}
    assert who(cast.organizer_b) == {cast.organizer_b.pk}
    assert who(cast.volunteer_a) == set()


@pytest.fixture
def hub_life(cast, town):
    """Hub A: person_a, p1, p2 (p2 joined 200 days ago); p1 contacted yesterday; the captain
    had a one-on-one with p1; an event two days ago: p1 came, p2 did not, person_a walked in."""
    HubMember.objects.filter(contact=town.p2).update(since=timezone.localdate() - dt.timedelta(200))
    Contact.objects.filter(pk=town.p1.pk).update(last_contacted_at=_days(1))
    _talk(town.p1, cast.captain_a, 2)
    event = Event.objects.create(
        title="Potluck",
        kind=Event.Kind.POTLUCK,
        hub=cast.hub_a,
        starts_at=_days(2),
        ends_at=_days(2) + dt.timedelta(hours=2),
    )
    Rsvp.objects.create(event=event, contact=town.p1, attended_at=_days(2))
    Rsvp.objects.create(event=event, contact=town.p2)
    Rsvp.objects.create(event=event, contact=cast.person_a, walk_in=True, attended_at=_days(2))
    return event


def test_the_hub_health_table_by_hand(cast, town, hub_life):
    scope = report_scope(cast.staff)
    rows = {r.hub.slug: r for r in metrics.hubs(scope)}
    a = rows["hub-a"]
    assert a.counts == {
        "members": 3,
        "new": 2,
        "quiet": 2,
        "attended": 2,
        "no_shows": 1,
        "one_on_ones": 1,
    }
    assert (a.captains, a.captains_active, a.events_held, a.rsvps) == (1, 1, 1, 2)
    assert a.no_show_pct == 50.0
    assert a.turf_pct is None
    for row in rows.values():
        for metric, n in row.counts.items():
            spec = drill.Spec("hubs", metric, str(row.hub.pk))
            assert drill.people(scope, spec).count() == n, (row.hub, metric)


def test_hub_health_is_scoped_per_persona(cast, town, hub_life):
    assert [r.hub.slug for r in metrics.hubs(report_scope(cast.captain_a))] == ["hub-a"]
    assert [r.hub.slug for r in metrics.hubs(report_scope(cast.organizer_b))] == ["hub-b"]
    # organizer B asking for hub A's people gets nobody: hub A is outside their slice
    spec = drill.Spec("hubs", "members", str(cast.hub_a.pk))
    assert drill.people(report_scope(cast.organizer_b), spec).count() == 0


def _month(plus: int) -> dt.date:
    return metrics._month(timezone.localdate(), plus)


def _act(contact, month: dt.date, day: int, n: int):
    Activity.objects.create(
        contact=contact,
        kind=Activity.Kind.EVENT_ATTENDED,
        occurred_at=_midnight(month.replace(day=day)) + dt.timedelta(hours=12),
        source="cohort-test",
        source_id=contact.pk * 100 + n,
    )


def test_retention_cohorts_by_hand(cast):
    """M = three months ago. c1: active in M, M+1 and M+3; c2: only in M; c3: first in M+1."""
    m = _month(-3)
    c1, c2, c3 = cast.person_a, cast.person_b, Contact.objects.create(first_name="Cy")
    _act(c1, m, 10, 1)
    _act(c1, metrics._month(m, 1), 10, 2)
    _act(c1, metrics._month(m, 3), 10, 3)
    _act(c2, m, 15, 1)
    _act(c3, metrics._month(m, 1), 5, 1)
    person_facts_refresh()
    scope = report_scope(cast.staff, start=m, end=timezone.localdate())
    rows = {r.key: r for r in metrics.cohorts(scope)}
    first, second = rows[m.strftime("%Y-%m")], rows[metrics._month(m, 1).strftime("%Y-%m")]
    assert (first.size, first.retained) == (2, {1: 1, 3: 1, 6: None})
    assert first.pct(1) == 50.0
    assert (second.size, second.retained) == (1, {1: 0, 3: None, 6: None})
    for r in rows.values():
        assert drill.people(scope, drill.Spec("cohorts", "size", r.key)).count() == r.size
        for k, n in r.retained.items():
            if n is not None:
                assert drill.people(scope, drill.Spec("cohorts", f"m{k}", r.key)).count() == n
    # organizer B sees only person_b (hub B): one person in M, nobody retained
    mine = {r.key: r for r in metrics.cohorts(report_scope(cast.organizer_b, start=m))}
    assert (mine[m.strftime("%Y-%m")].size, mine[m.strftime("%Y-%m")].retained[1]) == (1, 0)


@pytest.mark.parametrize("page", ["organizers", "hubs", "cohorts"])
def test_each_report_page_renders_and_exports(client_for, cast, town, hub_life, page):
    client = client_for(cast.captain_a)
    response = client.get(f"/reports/{page}/")
    assert response.status_code == 200
    assert f"report={page}&amp;metric=" in response.content.decode() or page == "cohorts"
    export = client.get(f"/reports/{page}/?format=csv")
    assert export.status_code == 200
    assert b"".join(export.streaming_content).startswith("\ufeff".encode())
