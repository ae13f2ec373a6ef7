"""Every staff page, for every persona: outsiders get 404."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "sees", "manages"),
    [
        ("staff", True, True),
        ("captain_a", True, True),
        ("organizer_a", True, True),  # the organizer responsible
        ("organizer_b", False, False),
        ("volunteer_a", False, False),
    ],
)
def test_event_pages_per_persona(cast, event, client_for, persona, sees, manages):
    client = client_for(getattr(cast, persona))
    for path in ("", "kiosk/"):
        status = client.get(f"/campaigns/events/{event.pk}/{path}").status_code
        assert status == (200 if sees else 404), path
    assert client.get(f"/campaigns/events/{event.pk}/edit/").status_code == (
        200 if manages else 404
    )


def test_a_captain_of_another_hub_cannot_manage(cast, event, client_for):
    event.organizer = cast.staff
    event.save()
    assert (
        client_for(cast.organizer_a).get(f"/campaigns/events/{event.pk}/edit/").status_code == 404
    )
    assert client_for(cast.captain_a).get(f"/campaigns/events/{event.pk}/edit/").status_code == 200


def test_anonymous_is_sent_to_sign_in(event, client):
    assert client.get(f"/campaigns/events/{event.pk}/").status_code == 302
    assert client.get("/campaigns/").status_code == 302


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("staff", 200),
        ("captain_a", 200),
        ("organizer_a", 200),
        ("organizer_b", 200),
        ("volunteer_a", 404),
    ],
)
def test_campaign_page_per_persona(cast, campaign, client_for, persona, status):
    assert (
        client_for(getattr(cast, persona)).get(f"/campaigns/{campaign.slug}/").status_code == status
    )


def test_campaign_in_other_hubs_is_404(cast, campaign, client_for):
    campaign.hubs.set([cast.hub_a])
    assert client_for(cast.organizer_b).get(f"/campaigns/{campaign.slug}/").status_code == 404


def test_only_staff_and_captains_create(cast, client_for):
    assert client_for(cast.captain_a).get("/campaigns/events/new/").status_code == 200
    assert client_for(cast.organizer_a).get("/campaigns/events/new/").status_code == 404
    assert client_for(cast.staff).get("/campaigns/new/").status_code == 200
    assert client_for(cast.volunteer_a).get("/campaigns/new/").status_code == 404


def test_messages_page_is_staff_only(cast, client_for):
    assert client_for(cast.staff).get("/campaigns/messages/").status_code == 200
    assert client_for(cast.captain_a).get("/campaigns/messages/").status_code == 404


def test_a_captain_creates_an_event(cast, client_for):
    response = client_for(cast.captain_a).post(
        "/campaigns/events/new/",
        {
            "title": "Canvass launch",
            "kind": "canvass_launch",
            "hub": cast.hub_a.pk,
            "organizer": cast.captain_a.pk,
            "starts_at": "2030-05-02T10:00",
            "ends_at": "2030-05-02T13:00",
            "place": "Knickerbocker Ave",
            "is_public": "on",
        },
    )
    assert response.status_code == 302
    response = client_for(cast.captain_a).post(
        "/campaigns/events/new/",
        {
            "title": "x",
            "kind": "social",
            "hub": cast.hub_b.pk,
            "starts_at": "2030-05-02T10:00",
            "ends_at": "2030-05-02T13:00",
        },
    )
    assert response.status_code == 200  # hub B is not theirs: the form says so


def test_a_supporter_link_is_for_people_the_user_may_see(cast, event, client_for):
    from campaigns.models import RecruiterCode

    url = f"/campaigns/events/{event.pk}/supporter-link/"
    response = client_for(cast.organizer_a).post(url, {"contact": cast.person_a.pk}, follow=True)
    code = RecruiterCode.objects.get(contact=cast.person_a).code
    assert f"?r={code}".encode() in response.content
    assert client_for(cast.captain_a).post(url, {"contact": cast.person_b.pk}).status_code == 404
    assert client_for(cast.captain_a).post(url, {"contact": "x"}).status_code == 404


def test_staff_retry_a_failed_message(cast, event, client_for):
    from campaigns.models import EventMessage

    message = EventMessage.objects.create(
        event=event, contact=cast.person_a, kind="confirmation", channel="email",
        to="ana@example.org", status="failed", last_error="SMTP down",
    )  # fmt: skip
    page = client_for(cast.staff).get("/campaigns/messages/")
    assert b"SMTP down" in page.content
    response = client_for(cast.staff).post(f"/campaigns/messages/{message.pk}/retry/")
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == "sent"
    assert (
        client_for(cast.captain_a).post(f"/campaigns/messages/{message.pk}/retry/").status_code
        == 404
    )
