"""The public event page and its RSVP: anyone, no account; one person is one RSVP."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.models import EventMessage, Rsvp, Shift
from campaigns.services.events import recruiter_code_for
from campaigns.services.rsvps import RsvpInput, rsvp_submit
from contacts.models import Contact, HubMember, Phone
from tests.factories import ContactFactory, PhoneFactory

pytestmark = pytest.mark.django_db


def rsvp(client, event, **data):
    form = {"first_name": "Rosa", "last_name": "Luna", "phone": "(718) 555-0142"} | data
    return client.post(f"/e/{event.pk}/", form)


def test_anyone_sees_the_public_event_page(event, public_client):
    response = public_client().get(f"/e/{event.pk}/")
    assert response.status_code == 200
    assert b"Childcare potluck" in response.content
    assert b"Maria Hernandez Park" in response.content
    assert b'id="event-map"' in response.content


def test_a_private_event_has_no_public_page(event, public_client):
    event.is_public = False
    event.save()
    assert public_client().get(f"/e/{event.pk}/").status_code == 404


def test_an_rsvp_creates_the_person_in_the_hub_tagged_with_its_source(event, cast, public_client):
    response = rsvp(public_client(), event, email="Rosa@Example.org")
    assert response.status_code == 302
    person = Contact.objects.get(phones__e164="+17185550142")
    assert person.source == "RSVP: Childcare potluck"
    assert HubMember.objects.filter(contact=person, hub=cast.hub_a).exists()
    assert Rsvp.objects.get().contact == person


def test_an_rsvp_matches_an_existing_person_by_phone_and_changes_nothing(event, public_client):
    known = ContactFactory(first_name="Rosa", last_name="Original")
    PhoneFactory(contact=known, raw="718-555-0142", e164="+17185550142")
    before = Contact.objects.count()
    rsvp(public_client(), event, first_name="Someone", last_name="Else")
    assert Contact.objects.count() == before
    known.refresh_from_db()
    assert known.last_name == "Original"
    assert Rsvp.objects.get().contact == known


def test_the_same_person_twice_is_one_rsvp(event, public_client):
    rsvp(public_client(), event)
    rsvp(public_client(), event, phone="+1 718 555 0142")
    assert Rsvp.objects.count() == 1
    assert Contact.objects.filter(phones__e164="+17185550142").count() == 1


def test_sms_consent_is_recorded_with_its_wording_and_time(event, public_client):
    rsvp(public_client(), event, sms_consent="on")
    row = Rsvp.objects.get()
    assert row.sms_consent and row.consent_at is not None
    assert row.consent_text.startswith("Yes, text me about this event")
    assert EventMessage.objects.filter(kind="confirmation", channel="sms").count() == 1


def test_no_consent_no_text(event, public_client):
    rsvp(public_client(), event, email="rosa@example.org")
    assert list(EventMessage.objects.values_list("channel", flat=True)) == ["email"]


def test_a_shift_must_be_picked_when_the_event_has_shifts(event, public_client):
    shift = Shift.objects.create(
        event=event, label="Morning", starts_at=event.starts_at, ends_at=event.ends_at, capacity=1
    )
    assert rsvp(public_client(), event).status_code == 400
    assert rsvp(public_client(), event, shift=shift.pk).status_code == 302
    full = rsvp(public_client(), event, phone="718-555-0199", first_name="Other", shift=shift.pk)
    assert full.status_code == 400
    assert b"this shift is full" in full.content
    assert Rsvp.objects.get().shift == shift


def test_a_shift_posted_to_an_event_without_shifts_is_ignored(event, public_client):
    """The form is checked before the event is read; an event without shifts takes none, as
    when its page was built before they were removed."""
    assert rsvp(public_client(), event, shift="12345").status_code == 302
    assert rsvp(public_client(), event, phone="718-555-0199", shift="abc").status_code == 302
    assert list(Rsvp.objects.values_list("shift", flat=True)) == [None, None]


def test_a_shift_that_is_not_the_events_shows_the_page_with_the_forms_error(
    event, campaign, public_client
):
    from campaigns.models import Event

    Shift.objects.create(event=event, label="Morning", starts_at=event.starts_at,
                         ends_at=event.ends_at)  # fmt: skip
    other = Event.objects.create(
        title="Town hall", kind=event.kind, hub=event.hub, campaign=campaign,
        starts_at=event.starts_at, ends_at=event.ends_at, place="Library",
    )  # fmt: skip
    elsewhere = Shift.objects.create(event=other, label="Evening", starts_at=other.starts_at,
                                     ends_at=other.ends_at)  # fmt: skip
    for shift in (elsewhere.pk, "abc"):
        response = rsvp(public_client(), event, shift=shift)
        assert response.status_code == 400
        page = response.content.decode()
        assert "Select a valid choice" in page and "Morning" in page and "Evening" not in page
        assert page.count('class="errorlist') == 1  # the form's error, not the service's too
    assert not Rsvp.objects.exists()
    assert not Contact.objects.filter(phones__e164="+17185550142").exists()


def test_an_rsvp_to_a_private_or_missing_event_is_a_404_and_writes_nothing(event, public_client):
    event.is_public = False
    event.save()
    assert rsvp(public_client(), event).status_code == 404
    event.pk += 1000
    assert rsvp(public_client(), event, phone="718-555-0199").status_code == 404
    assert not Rsvp.objects.exists()
    assert not Contact.objects.filter(phones__e164__in=["+17185550142", "+17185550199"]).exists()


def test_one_events_shifts_never_reach_another_events_form(event, campaign, public_client):
    """The RSVP form shares its fields with the class (no copy per request): the shift field
    one event changes is its own copy."""
    from campaigns.forms import RsvpForm
    from campaigns.models import Event

    Shift.objects.create(
        event=event, label="Morning", starts_at=event.starts_at, ends_at=event.ends_at
    )
    other = Event.objects.create(
        title="Town hall", kind=event.kind, hub=event.hub, campaign=campaign,
        starts_at=event.starts_at, ends_at=event.ends_at, place="Library",
    )  # fmt: skip
    assert b"Morning" in public_client().get(f"/e/{event.pk}/").content
    page = public_client().get(f"/e/{other.pk}/").content
    assert b"Morning" not in page and b'name="shift"' not in page
    assert rsvp(public_client(), other).status_code == 302  # no shift to pick there
    assert rsvp(public_client(), event, phone="718-555-0177").status_code == 400  # one here
    assert not RsvpForm.base_fields["shift"].required
    assert list(RsvpForm.base_fields["shift"].choices) == []


def test_the_honeypot_shows_thanks_and_saves_nothing(event, public_client):
    response = rsvp(public_client(), event, website="http://spam.example")
    assert response.status_code == 302
    assert Rsvp.objects.count() == 0
    assert not Contact.objects.filter(phones__e164="+17185550142").exists()


def test_field_sizes_are_bounded(event, public_client):
    response = rsvp(public_client(), event, first_name="x" * 5000)
    assert response.status_code == 400
    assert not Contact.objects.filter(phones__e164="+17185550142").exists()


def test_a_bad_phone_is_a_clear_400(event, public_client):
    response = rsvp(public_client(), event, phone="not a phone")
    assert response.status_code == 400


def test_known_and_new_people_get_the_same_answer(event, public_client):
    known = ContactFactory()
    PhoneFactory(contact=known, raw="718-555-0142", e164="+17185550142")
    first = rsvp(public_client(), event)
    second = rsvp(public_client(), event, phone="718-555-0177")
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]


def test_one_address_is_limited(event, public_client):
    client = public_client()
    statuses = [rsvp(client, event, phone=f"718-555-01{n:02d}").status_code for n in range(12)]
    assert statuses[:10] == [302] * 10
    assert statuses[10] == 429
    assert Rsvp.objects.count() == 10


def test_a_recruiter_link_credits_the_recruiter(event, cast, public_client):
    code = recruiter_code_for(contact=cast.person_a)
    client = public_client()
    page = client.get(f"/e/{event.pk}/?r={code.code}")
    assert f'value="{code.code}"'.encode() in page.content
    rsvp(client, event, r=code.code)
    row = Rsvp.objects.get()
    assert row.recruited_by == cast.person_a
    assert row.contact.recruited_by == cast.person_a
    assert cast.person_a.activities.filter(kind="recruited").count() == 1


def test_the_event_page_ranks_recruiters(event, cast, client_for):
    recruiter = cast.person_a
    for n in range(3):
        rsvp_submit(
            event=event,
            data=RsvpInput(first_name=f"P{n}", phone=f"718-555-02{n:02d}"),
            recruiter_id=recruiter.pk,
        )
    page = client_for(cast.organizer_a).get(f"/campaigns/events/{event.pk}/")
    assert b"Ana Alvarez \xc2\xb7 3 sign-ups" in page.content


def test_the_page_renders_in_spanish(event, public_client):
    response = public_client().get(f"/e/{event.pk}/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert b'lang="es"' in response.content


def test_the_page_query_count_does_not_grow_with_rsvps(event, public_client):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert public_client().get(f"/e/{event.pk}/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for n in range(15):
        rsvp_submit(event=event, data=RsvpInput(first_name=f"P{n}", phone=f"718-555-03{n:02d}"))
    assert count() == before <= 4


def test_the_calendar_file(event, public_client):
    response = public_client().get(f"/e/{event.pk}/event.ics")
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert "SUMMARY:Childcare potluck" in body and "STATUS:CONFIRMED" in body
    assert "\r\n" in body


def test_the_hub_page_lists_upcoming_public_events(event, cast, public_client):
    response = public_client().get(f"/h/{cast.hub_a.slug}/")
    assert b"Childcare potluck" in response.content
    assert b"Childcare potluck" not in public_client().get(f"/h/{cast.hub_b.slug}/").content


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("by_id", [False, True], ids=["event", "event_id (the public form)"])
def test_concurrent_submissions_of_the_same_new_person_make_one_person_and_one_rsvp(
    cast, event, by_id
):
    barrier = threading.Barrier(6)
    errors = []
    which = {"event_id": event.pk} if by_id else {"event": event}

    def submit():
        try:
            barrier.wait()
            rsvp_submit(**which, data=RsvpInput(first_name="Rosa", phone="718-555-0142"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Phone.objects.filter(e164="+17185550142").count() == 1
    assert Rsvp.objects.filter(event=event).count() == 1
    assert EventMessage.objects.count() == 0  # no email, no consent: nothing to send


def test_the_language_menu_switches_the_public_page_to_spanish(event, public_client):
    client = public_client()
    client.post("/i18n/setlang/", {"language": "es", "next": f"/e/{event.pk}/"})
    assert b'lang="es"' in client.get(f"/e/{event.pk}/").content


def test_a_canceled_event_says_so_and_takes_no_rsvp(event, public_client):
    from campaigns.services.events import event_cancel

    event_cancel(by=None, event=event)
    client = public_client()
    page = client.get(f"/e/{event.pk}/")
    assert b"This event was canceled." in page.content and b"Sign me up" not in page.content
    assert rsvp(client, event).status_code == 400
    assert Rsvp.objects.count() == 0


def test_the_hub_page_carries_the_recruiter_code_to_its_events(event, cast, public_client):
    code = recruiter_code_for(contact=cast.person_a)
    page = public_client().get(f"/h/{cast.hub_a.slug}/?r={code.code}")
    assert f"/e/{event.pk}/?r={code.code}".encode() in page.content
