"""After a call, one tap says how it went and logs it (a page of its own without JavaScript)."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from contacts.models import Interaction


def url(contact) -> str:
    return reverse("contacts:call_outcome", args=[contact.pk])


@pytest.mark.parametrize("persona", ["staff", "captain_a", "organizer_a"])
def test_people_who_see_the_person_get_the_outcome_page(cast, client_for, persona):
    html = client_for(getattr(cast, persona)).get(url(cast.person_a)).content.decode()
    assert "How did the call with Ana Alvarez go?" in html
    for label in ("Talked", "No answer", "Left a message", "Wrong number"):
        assert f">{label}</button>" in html


def test_outsiders_get_404_and_log_nothing(cast, client_for):
    client = client_for(cast.organizer_b)
    assert client.get(url(cast.person_a)).status_code == 404
    assert client.post(url(cast.person_a), {"outcome": "talked"}).status_code == 404
    assert not Interaction.objects.exists()


def test_no_answer_is_logged_but_does_not_count_as_contact(cast, client_for):
    response = client_for(cast.organizer_a).post(
        url(cast.person_a), {"outcome": "no_answer", "next": "/people/my-day/"}
    )
    assert response.status_code == 302 and response["Location"] == "/people/my-day/"
    call = Interaction.objects.get()
    assert (call.kind, call.outcome, call.author) == ("call", "no_answer", cast.organizer_a)
    cast.person_a.refresh_from_db()
    assert cast.person_a.last_contacted_at is None


def test_talked_counts_as_contact_and_goes_back_to_the_person(cast, client_for):
    response = client_for(cast.organizer_a).post(url(cast.person_a), {"outcome": "talked"})
    assert response["Location"] == reverse("contacts:detail", args=[cast.person_a.pk])
    cast.person_a.refresh_from_db()
    assert cast.person_a.last_contacted_at is not None


def test_a_double_tap_logs_once_and_a_bad_outcome_or_next_is_refused(cast, client_for):
    client = client_for(cast.organizer_a)
    token = str(uuid.uuid4())
    for _ in range(2):
        client.post(url(cast.person_a), {"outcome": "talked", "client_token": token})
    assert Interaction.objects.count() == 1
    assert client.post(url(cast.person_a), {"outcome": "hung_up"}).status_code == 400
    response = client.post(url(cast.person_a), {"outcome": "talked", "next": "https://evil.test/"})
    assert response["Location"] == reverse("contacts:detail", args=[cast.person_a.pk])


def test_my_day_and_the_person_page_offer_the_outcome_after_call(cast, client_for):
    from django.utils import timezone

    from contacts.models import FollowUp
    from tests.factories import PhoneFactory

    PhoneFactory(contact=cast.person_a, e164="+12125550142")
    FollowUp.objects.create(
        contact=cast.person_a, assigned_to=cast.organizer_a, due_on=timezone.localdate(),
        what="Call Ana", created_by=cast.organizer_a,
    )  # fmt: skip
    client = client_for(cast.organizer_a)
    for page in ("/people/my-day/", f"/people/{cast.person_a.pk}/"):
        html = client.get(page).content.decode()
        assert f'data-call-log="{url(cast.person_a)}"' in html
        assert 'id="call-outcome-template"' in html
        assert f'href="{url(cast.person_a)}?next=' in html  # the link without JavaScript


def test_the_timeline_shows_how_the_call_went(cast, client_for):
    client = client_for(cast.organizer_a)
    client.post(url(cast.person_a), {"outcome": "left_message"})
    html = client.get(reverse("contacts:detail", args=[cast.person_a.pk])).content.decode()
    assert "<strong>Left a message</strong>" in html
