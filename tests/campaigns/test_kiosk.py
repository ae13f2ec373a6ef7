"""Sign-in at the door: one tap, walk-ins, replays, first-timers, the ladder, follow-ups and
the canvass launch."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from campaigns.models import Event, Rsvp
from campaigns.services.events import first_timer_follow_ups
from campaigns.services.rsvps import RsvpInput, checkin_mark, rsvp_submit
from contacts.models import Activity, FollowUp
from hubs.models import Turf, TurfPiece
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def going(event, name, phone):
    return rsvp_submit(event=event, data=RsvpInput(first_name=name, phone=phone))[0]


def test_the_kiosk_lists_and_finds_rsvps_without_javascript(cast, event, client_for):
    going(event, "Rosa", "718-555-0142")
    going(event, "Pedro", "718-555-0199")
    client = client_for(cast.organizer_a)
    page = client.get(f"/campaigns/events/{event.pk}/kiosk/?q=0199")
    assert b"Pedro" in page.content and b"Rosa" not in page.content
    assert b"Rosa" in client.get(f"/campaigns/events/{event.pk}/kiosk/?q=ros").content


def test_one_tap_signs_in_once(cast, event, client_for):
    rsvp = going(event, "Rosa", "718-555-0142")
    client = client_for(cast.organizer_a)
    for _ in range(2):
        response = client.post(
            f"/campaigns/events/{event.pk}/kiosk/sign-in/",
            {"rsvp": rsvp.pk},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200 and response["X-Kiosk"] == "ok"
    rsvp.refresh_from_db()
    assert rsvp.attended_at is not None and rsvp.first_time
    assert Activity.objects.filter(contact=rsvp.contact, kind="event_attended").count() == 1


def test_a_walk_in_sent_twice_is_one_person_signed_in_once(cast, event, client_for):
    client = client_for(cast.organizer_a)
    token = str(uuid.uuid4())
    data = {"first_name": "Walk", "last_name": "In", "phone": "718 555 0123", "client_token": token}
    for _ in range(2):
        response = client.post(f"/campaigns/events/{event.pk}/kiosk/walk-in/", data)
        assert response.status_code == 302
    rsvp = Rsvp.objects.get(event=event)
    assert rsvp.walk_in and rsvp.attended_at and rsvp.contact.first_name == "Walk"


def test_a_second_event_is_not_a_first_time(cast, event):
    rsvp = going(event, "Rosa", "718-555-0142")
    checkin_mark(by=cast.organizer_a, event=event, rsvp_id=rsvp.pk)
    later = Event.objects.create(
        title="Second",
        kind="social",
        hub=cast.hub_a,
        starts_at=event.starts_at + dt.timedelta(days=7),
        ends_at=event.ends_at + dt.timedelta(days=7),
    )
    again = going(later, "Rosa", "718-555-0142")
    assert checkin_mark(by=cast.organizer_a, event=later, rsvp_id=again.pk).first_time is False


def test_attendance_shifts_and_leading_are_ladder_activities(cast, event):
    leader = ContactFactory()
    event.led_by = leader
    event.save()
    shift = event.shifts.create(starts_at=event.starts_at, ends_at=event.ends_at, label="AM")
    rsvp = rsvp_submit(
        event=event, data=RsvpInput(first_name="Rosa", phone="718-555-0142", shift_id=shift.pk)
    )[0]
    checkin_mark(by=cast.organizer_a, event=event, rsvp_id=rsvp.pk)
    kinds = set(Activity.objects.filter(contact=rsvp.contact).values_list("kind", flat=True))
    assert kinds == {"event_attended", "shift"}
    assert Activity.objects.filter(contact=leader, kind="event_led").count() == 1


def test_first_timers_get_follow_ups_spread_across_the_hubs_organizers(cast, event, client_for):
    from hubs.models import HubRole
    from tests.factories import HubRoleFactory, UserFactory

    second = UserFactory(email="org2.a@example.org")
    HubRoleFactory(hub=cast.hub_a, user=second, role=HubRole.Role.ORGANIZER)
    for n in range(4):
        rsvp = going(event, f"P{n}", f"718-555-01{n:02d}")
        checkin_mark(by=cast.organizer_a, event=event, rsvp_id=rsvp.pk)
    response = client_for(cast.captain_a).post(f"/campaigns/events/{event.pk}/follow-ups/")
    assert response.status_code == 302
    owners = sorted(FollowUp.objects.values_list("assigned_to__email", flat=True))
    assert owners == sorted(["organizer.a@example.org", "org2.a@example.org"] * 2)
    first_timer_follow_ups(by=cast.captain_a, event=event)  # again: nothing new
    assert FollowUp.objects.count() == 4
    my_day = client_for(cast.organizer_a).get("/people/my-day/")
    assert b"First time at Childcare potluck" in my_day.content


def test_a_captain_hands_a_signed_in_volunteer_a_piece(cast, campaign, event, client_for):
    turf = Turf.objects.create(hub=cast.hub_a, name="Knickerbocker")
    piece = TurfPiece.objects.create(turf=turf, number=1)
    campaign.turfs.add(turf)
    volunteer = ContactFactory(user=cast.volunteer_a)
    rsvp = Rsvp.objects.create(event=event, contact=volunteer)
    checkin_mark(by=cast.captain_a, event=event, rsvp_id=rsvp.pk)
    client = client_for(cast.captain_a)
    assert b"Give piece" in client.get(f"/campaigns/events/{event.pk}/kiosk/").content
    response = client.post(
        f"/campaigns/events/{event.pk}/kiosk/hand-out/", {"rsvp": rsvp.pk, "piece": piece.pk}
    )
    assert response.status_code == 302
    piece.refresh_from_db()
    assert piece.assigned_to == cast.volunteer_a
    assert piece.due_on == timezone.localtime(event.starts_at).date() or piece.due_on


def test_the_event_page_shows_turnout(cast, event, client_for):
    a = going(event, "Rosa", "718-555-0142")
    going(event, "Pedro", "718-555-0199")
    checkin_mark(by=cast.organizer_a, event=event, rsvp_id=a.pk)
    page = client_for(cast.organizer_a).get(f"/campaigns/events/{event.pk}/")
    assert b'id="turnout-attended">1<' in page.content
    assert b'id="turnout-rsvps">2<' in page.content


def test_a_hub_without_organizers_gives_first_timers_to_its_captains(cast, event):
    from hubs.models import HubRole

    HubRole.objects.filter(hub=cast.hub_a, role="organizer").delete()
    rsvp = going(event, "Rosa", "718-555-0142")
    checkin_mark(by=cast.captain_a, event=event, rsvp_id=rsvp.pk)
    [follow_up] = first_timer_follow_ups(by=cast.captain_a, event=event)
    assert follow_up.assigned_to == cast.captain_a
