"""A sensitive one-on-one's follow-up is as private as its notes (issue #9, finding 7): only
its author and staff read its text, on the person page, the hub page, My day, the history and
the reminder emails; everyone else sees that a follow-up exists, not what it says."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from contacts.models import FollowUp
from contacts.services.conversations import follow_up_reassign, follow_up_snooze, one_on_one_log
from contacts.services.reminders import reminders_run
from hubs.models import HubRole
from tests.factories import HubRoleFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET = "Ask about the immigration lawyer"
NOTE = "Her visa status worries her"


@pytest.fixture
def sensitive(cast):
    """organizer_a logs a sensitive one-on-one with hub A's Ana, with a follow-up today."""
    one_on_one_log(
        by=cast.organizer_a,
        contact=cast.person_a,
        notes=NOTE,
        ask="Will you come to the clinic?",
        commitment="Maybe next week",
        follow_up_on=timezone.localdate(),
        follow_up_what=SECRET,
        is_sensitive=True,
    )
    return FollowUp.objects.get(what=SECRET)


@pytest.fixture
def second_organizer(cast):
    user = UserFactory(email="organizer.a2@example.org", role=Role.ORGANIZER)
    HubRoleFactory(hub=cast.hub_a, user=user, role=HubRole.Role.ORGANIZER)
    return user


def pages(cast) -> list[str]:
    return [
        reverse("contacts:detail", args=[cast.person_a.pk]),
        reverse("hubs:detail", args=["hub-a"]),
        reverse("contacts:my_day"),
    ]


@pytest.mark.parametrize("who", ["captain_a", "second_organizer"])
def test_captains_and_other_organizers_never_read_the_follow_up(
    cast, client_for, sensitive, second_organizer, who
):
    user = second_organizer if who == "second_organizer" else getattr(cast, who)
    client = client_for(user)
    for url in pages(cast):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert SECRET not in html, url
        assert NOTE not in html and "clinic" not in html, url


def test_the_captain_still_sees_that_a_follow_up_is_due(cast, client_for, sensitive):
    html = client_for(cast.captain_a).get(reverse("hubs:detail", args=["hub-a"])).content.decode()
    assert "Follow-up from a sensitive conversation" in html


@pytest.mark.parametrize("who", ["organizer_a", "staff"])
def test_the_author_and_staff_read_it(cast, client_for, sensitive, who):
    client = client_for(getattr(cast, who))
    person = client.get(reverse("contacts:detail", args=[cast.person_a.pk])).content.decode()
    assert SECRET in person and NOTE in person
    hub = client.get(reverse("hubs:detail", args=["hub-a"])).content.decode()
    assert SECRET in hub


def test_reassigned_to_someone_else_the_text_stays_hidden_everywhere(
    cast, client_for, sensitive, second_organizer
):
    follow_up_reassign(by=cast.staff, follow_up_id=sensitive.pk, to_user_id=second_organizer.pk)
    client = client_for(second_organizer)
    my_day = client.get(reverse("contacts:my_day")).content.decode()
    assert "Follow-up from a sensitive conversation" in my_day and SECRET not in my_day
    page = client.get(reverse("contacts:follow_up_reassign", args=[sensitive.pk]))
    assert SECRET not in page.content.decode()
    done = client.post(reverse("contacts:follow_up_complete", args=[sensitive.pk]), follow=True)
    assert SECRET not in done.content.decode()


def test_the_reminder_email_of_someone_else_does_not_quote_it(
    cast, sensitive, second_organizer, mailoutbox
):
    follow_up_reassign(by=cast.staff, follow_up_id=sensitive.pk, to_user_id=second_organizer.pk)
    now = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(9)))
    reminders_run(now=now)
    to_them = [m for m in mailoutbox if m.to == [second_organizer.email]]
    assert to_them and SECRET not in to_them[0].body
    assert "Follow-up from a sensitive conversation" in to_them[0].body
    assert SECRET not in to_them[0].alternatives[0][0]


def test_the_authors_own_reminder_quotes_it(cast, sensitive, mailoutbox):
    now = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(9)))
    reminders_run(now=now)
    mine = [m for m in mailoutbox if m.to == [cast.organizer_a.email]]
    assert mine and SECRET in mine[0].body


def test_the_history_of_a_snooze_does_not_quote_it(cast, client_for, sensitive):
    follow_up_snooze(
        by=cast.organizer_a,
        follow_up_id=sensitive.pk,
        until=timezone.localdate() + dt.timedelta(days=3),
    )
    html = client_for(cast.captain_a).get(reverse("contacts:detail", args=[cast.person_a.pk]))
    assert SECRET not in html.content.decode()


def test_the_api_and_export_carry_no_follow_up_text(cast, client_for, sensitive):
    api = client_for(cast.captain_a).get(f"/api/people/{cast.person_a.pk}/").content.decode()
    assert SECRET not in api and NOTE not in api
    export = b"".join(client_for(cast.staff).get("/people/export.csv").streaming_content)
    assert SECRET.encode() not in export and NOTE.encode() not in export
