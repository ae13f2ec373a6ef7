"""Follow-ups: complete, snooze, reassign — scoped, recorded, one tap (htmx) or plain POST."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from contacts.models import ContactEvent, FollowUp
from contacts.services.conversations import (
    follow_up_complete,
    follow_up_reassign,
    follow_up_snooze,
)
from tests.factories import UserFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def follow_up(cast):
    return FollowUp.objects.create(
        contact=cast.person_a,
        assigned_to=cast.organizer_a,
        due_on=timezone.localdate(),
        what="Call Ana about the potluck",
        created_by=cast.organizer_a,
    )


def url(name: str, follow_up) -> str:
    return reverse(f"contacts:follow_up_{name}", args=[follow_up.pk])


def test_completing_a_follow_up_with_htmx_returns_the_sections_and_the_due_badge(
    cast, client_for, follow_up
):
    response = client_for(cast.organizer_a).post(url("complete", follow_up), **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="follow-ups"' in html
    assert "Call Ana about the potluck" in html  # in the "Done:" message
    assert f'id="follow-up-{follow_up.pk}"' not in html
    assert '<span id="due-count"' in html and 'hx-swap-oob="true"' in html
    assert "0 follow-ups due" in html
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.DONE
    assert follow_up.completed_by == cast.organizer_a and follow_up.completed_at
    event = ContactEvent.objects.get(contact=cast.person_a, kind=ContactEvent.Kind.FOLLOW_UP)
    assert event.actor == cast.organizer_a and "done" in event.summary


def test_completing_without_javascript_redirects_to_my_day(cast, client_for, follow_up):
    response = client_for(cast.organizer_a).post(url("complete", follow_up))
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:my_day")
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.DONE


def test_completing_twice_records_it_once(cast, follow_up):
    follow_up_complete(by=cast.organizer_a, follow_up_id=follow_up.pk)
    follow_up_complete(by=cast.organizer_a, follow_up_id=follow_up.pk)
    assert ContactEvent.objects.filter(kind=ContactEvent.Kind.FOLLOW_UP).count() == 1


@pytest.mark.parametrize(
    ("preset", "days"),
    [("tomorrow", 1), ("next_week", 7)],
)
def test_snoozing_with_one_tap_moves_the_due_date(cast, client_for, follow_up, preset, days):
    response = client_for(cast.organizer_a).post(
        url("snooze", follow_up), {"preset": preset}, **HTMX
    )

    assert response.status_code == 200
    follow_up.refresh_from_db()
    assert follow_up.due_on == timezone.localdate() + dt.timedelta(days=days)
    assert follow_up.status == FollowUp.Status.OPEN
    assert ContactEvent.objects.filter(kind=ContactEvent.Kind.FOLLOW_UP).count() == 1


def test_snoozing_to_a_picked_date(cast, client_for, follow_up):
    target = timezone.localdate() + dt.timedelta(days=3)
    client_for(cast.organizer_a).post(url("snooze", follow_up), {"until": target.isoformat()})
    follow_up.refresh_from_db()
    assert follow_up.due_on == target


def test_snoozing_into_the_past_is_refused_with_a_message(cast, client_for, follow_up):
    past = timezone.localdate() - dt.timedelta(days=3)
    response = client_for(cast.organizer_a).post(
        url("snooze", follow_up), {"until": past.isoformat()}, **HTMX
    )
    assert "Pick today or a later date." in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.due_on == timezone.localdate()


def test_reassigning_to_a_colleague_of_the_persons_hub(cast, client_for, follow_up):
    client = client_for(cast.organizer_a)
    form = client.get(url("reassign", follow_up), **HTMX).content.decode()
    assert f'<option value="{cast.captain_a.pk}"' in form
    assert f'<option value="{cast.staff.pk}"' in form
    assert f'<option value="{cast.organizer_b.pk}"' not in form

    response = client.post(url("reassign", follow_up), {"assigned_to": cast.captain_a.pk}, **HTMX)

    assert response.status_code == 200
    follow_up.refresh_from_db()
    assert follow_up.assigned_to == cast.captain_a
    event = ContactEvent.objects.get(kind=ContactEvent.Kind.FOLLOW_UP)
    assert event.changes["assigned_to"] == [cast.organizer_a.pk, cast.captain_a.pk]


def test_the_reassign_page_works_without_javascript(cast, client_for, follow_up):
    client = client_for(cast.organizer_a)
    page = client.get(url("reassign", follow_up))
    assert page.status_code == 200 and "Reassign follow-up" in page.content.decode()
    response = client.post(url("reassign", follow_up), {"assigned_to": cast.staff.pk})
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.assigned_to == cast.staff


def test_reassigning_to_someone_who_cannot_see_the_person_is_refused(cast, follow_up):
    with pytest.raises(ValidationError):
        follow_up_reassign(
            by=cast.organizer_a, follow_up_id=follow_up.pk, to_user_id=cast.organizer_b.pk
        )
    follow_up.refresh_from_db()
    assert follow_up.assigned_to == cast.organizer_a


def test_reassigning_to_an_outsider_through_the_form_changes_nothing(cast, client_for, follow_up):
    response = client_for(cast.organizer_a).post(
        url("reassign", follow_up), {"assigned_to": cast.organizer_b.pk}
    )
    assert response.status_code == 400
    follow_up.refresh_from_db()
    assert follow_up.assigned_to == cast.organizer_a


@pytest.mark.parametrize("action", ["complete", "snooze", "reassign"])
def test_an_organizer_of_hub_b_gets_404_for_hub_a_follow_ups(cast, client_for, follow_up, action):
    data = {"preset": "tomorrow", "assigned_to": cast.organizer_b.pk}
    response = client_for(cast.organizer_b).post(url(action, follow_up), data)
    assert response.status_code == 404
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.OPEN
    assert follow_up.due_on == timezone.localdate()
    assert follow_up.assigned_to == cast.organizer_a
    assert not ContactEvent.objects.exists()


def test_the_services_check_access_themselves(cast, follow_up):
    outsider = UserFactory(role="organizer")
    with pytest.raises(Http404):
        follow_up_complete(by=outsider, follow_up_id=follow_up.pk)
    with pytest.raises(Http404):
        follow_up_snooze(by=outsider, follow_up_id=follow_up.pk, until=timezone.localdate())


def test_a_captain_can_complete_a_follow_up_about_someone_in_their_hub(cast, client_for, follow_up):
    response = client_for(cast.captain_a).post(url("complete", follow_up))
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.completed_by == cast.captain_a


def test_signed_out_visitors_cannot_act_on_follow_ups(client, follow_up):
    response = client.post(url("complete", follow_up))
    assert response.status_code == 302 and "/accounts/" in response["Location"]
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.OPEN


def test_snoozing_says_the_new_day_in_the_readers_language(cast, client_for, follow_up):
    from django.utils import translation

    from organizer.lib.dates import day_label

    client = client_for(cast.organizer_a)
    until = timezone.localdate() + dt.timedelta(days=9)
    html = client.post(url("snooze", follow_up), {"until": until.isoformat()}, follow=True)
    html = html.content.decode()
    assert until.isoformat() not in html.split("Moved to")[1][:40]
    assert f"Moved to {day_label(until)}" in html

    with translation.override("es"):  # and back to English after (the request switches it)
        client.post("/i18n/setlang/", {"language": "es", "next": "/"})
        html = client.get(reverse("contacts:detail", args=[cast.person_a.pk])).content.decode()
        in_spanish = day_label(until)
    assert in_spanish in html  # the timeline's "moved to" day, in Spanish
    assert until.isoformat() + ":" not in html
