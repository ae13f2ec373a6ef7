"""My day: follow-ups due and upcoming, recent conversations, people to get back to."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts.models import FollowUp
from contacts.services.conversations import interaction_log, one_on_one_log
from tests.factories import ContactFactory, HubMemberFactory, PhoneFactory

MY_DAY = reverse("contacts:my_day")


def follow_up(contact, user, days: int, what: str) -> FollowUp:
    return FollowUp.objects.create(
        contact=contact,
        assigned_to=user,
        due_on=timezone.localdate() + dt.timedelta(days=days),
        what=what,
        created_by=user,
    )


def section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    end = html.find("</section>", start)
    return html[start:end]


def test_my_day_lists_due_overdue_and_upcoming_follow_ups(cast, client_for):
    me = cast.organizer_a
    follow_up(cast.person_a, me, -2, "Overdue thing")
    follow_up(cast.person_a, me, 0, "Today thing")
    follow_up(cast.person_a, me, 3, "Soon thing")
    follow_up(cast.person_a, me, 30, "Far thing")
    follow_up(cast.person_a, cast.captain_a, 0, "Captain's thing")
    done = follow_up(cast.person_a, me, 0, "Done thing")
    done.status = FollowUp.Status.DONE
    done.save()

    html = client_for(me).get(MY_DAY).content.decode()

    due = section(html, "due-heading")
    upcoming = section(html, "upcoming-heading")
    assert "Overdue thing" in due and "Today thing" in due and "Overdue" in due
    assert due.count("overdue-tag") == 1
    assert "Soon thing" in upcoming and "Soon thing" not in due
    assert "Far thing" not in html and "Done thing" not in html
    assert "Captain&#x27;s thing" not in html and "Captain's thing" not in html
    assert "2 follow-ups due" in html
    assert "team-heading" not in html  # organizers have no team section


def test_follow_up_rows_have_tap_to_call_and_tap_to_text_links(cast, client_for):
    PhoneFactory(contact=cast.person_a, raw="212-555-0100", e164="+12125550100")
    follow_up(cast.person_a, cast.organizer_a, 0, "Call back")

    html = client_for(cast.organizer_a).get(MY_DAY).content.decode()

    assert 'href="tel:+12125550100"' in html and 'href="sms:+12125550100"' in html
    assert "(212) 555-0100" in html


def test_my_recent_conversations_are_the_last_ten_i_wrote(cast, client_for):
    for n in range(12):
        interaction_log(
            by=cast.organizer_a,
            contact=cast.person_a,
            kind="call",
            happened_at=timezone.now() - dt.timedelta(hours=n),
        )
    one_on_one_log(by=cast.captain_a, contact=cast.person_a)

    html = client_for(cast.organizer_a).get(MY_DAY).content.decode()

    recent = section(html, "recent-heading")
    assert recent.count("Ana Alvarez") == 10
    assert "One-on-one" not in recent


def test_my_people_not_contacted_in_30_days(cast, client_for):
    me = cast.organizer_a
    never = ContactFactory(first_name="Never", last_name="Reached", owner=me)
    old = ContactFactory(
        first_name="Long",
        last_name="Ago",
        owner=me,
        last_contacted_at=timezone.now() - dt.timedelta(days=45),
    )
    ContactFactory(
        first_name="Recent",
        last_name="Talk",
        owner=me,
        last_contacted_at=timezone.now() - dt.timedelta(days=3),
    )
    ContactFactory(first_name="Someone", last_name="Elses", owner=cast.organizer_b)

    stale = section(client_for(me).get(MY_DAY).content.decode(), "stale-heading")

    assert never.display_name in stale and old.display_name in stale
    assert stale.index("Never Reached") < stale.index("Long Ago")
    assert "Recent Talk" not in stale and "Someone Elses" not in stale
    assert "never contacted" in stale


def test_logging_a_conversation_takes_a_person_off_the_not_contacted_list(cast, client_for):
    me = cast.organizer_a
    person = ContactFactory(first_name="Tomas", last_name="Tran", owner=me)
    one_on_one_log(by=me, contact=person)
    stale = section(client_for(me).get(MY_DAY).content.decode(), "stale-heading")
    assert "Tomas Tran" not in stale


def test_captains_see_team_follow_ups_in_their_hubs_with_their_owners(cast, client_for):
    follow_up(cast.person_a, cast.organizer_a, 1, "Organizer A's task")
    follow_up(cast.person_b, cast.organizer_b, 1, "Hub B task")

    captain = section(client_for(cast.captain_a).get(MY_DAY).content.decode(), "team-heading")
    staff = section(client_for(cast.staff).get(MY_DAY).content.decode(), "team-heading")

    assert "Organizer A&#x27;s task" in captain and str(cast.organizer_a) in captain
    assert "Hub B task" not in captain
    assert "Hub B task" in staff and str(cast.organizer_b) in staff


def test_my_day_query_count_does_not_grow_with_the_follow_ups_shown(cast, client_for):
    client = client_for(cast.captain_a)

    def count_queries(n: int) -> int:
        FollowUp.objects.all().delete()
        for i in range(n):
            person = ContactFactory(owner=cast.captain_a)
            HubMemberFactory(contact=person, hub=cast.hub_a)
            PhoneFactory(contact=person, raw=f"212-555-{1000 + i}", e164=f"+1212555{1000 + i}")
            follow_up(person, cast.captain_a, i % 5 - 1, f"Mine {i}")
            follow_up(person, cast.organizer_a, i % 5, f"Team {i}")
            interaction_log(by=cast.captain_a, contact=person, kind="text")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(MY_DAY)
        assert response.status_code == 200
        assert response.content.decode().count("Mine ") == n
        return len(queries)

    assert count_queries(3) == count_queries(30)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(MY_DAY)
    assert response.status_code == 302
