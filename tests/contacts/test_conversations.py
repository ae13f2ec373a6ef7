"""Logging one-on-ones and lighter interactions, and the person's timeline."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from contacts.models import Assessment, Contact, ContactEvent, FollowUp, Interaction, Issue
from contacts.selectors.conversations import person_timeline
from contacts.services.conversations import interaction_log, one_on_one_log
from contacts.services.people import NewContact, PhoneInput
from tests.factories import ContactFactory, PhoneFactory

LOG = reverse("contacts:log")


def local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def housing(db):
    return Issue.objects.create(name="Housing", slug="housing")


def test_logging_a_one_on_one_saves_interaction_assessment_and_follow_up_in_one_save(
    cast, client_for, housing
):
    when = timezone.now() - dt.timedelta(hours=2)
    token = uuid.uuid4()
    response = client_for(cast.organizer_a).post(
        LOG,
        {
            "contact": cast.person_a.pk,
            "happened_at": local(when),
            "medium": "phone",
            "notes": "Works nights, two kids.",
            "issues": [housing.pk],
            "ask": "Host a potluck?",
            "answer": "yes",
            "commitment": "Potluck on the 12th",
            "assessment": "2",
            "follow_up_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
            "follow_up_what": "Confirm the potluck",
            "client_token": str(token),
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:detail", args=[cast.person_a.pk])
    interaction = Interaction.objects.get(client_token=token)
    assert interaction.kind == Interaction.Kind.ONE_ON_ONE
    assert interaction.author == cast.organizer_a
    assert interaction.medium == "phone"
    assert interaction.answer == "yes"
    assert list(interaction.issues.all()) == [housing]
    assessment = Assessment.objects.get(interaction=interaction)
    assert assessment.level == 2 and assessment.assessed_by == cast.organizer_a
    follow_up = FollowUp.objects.get(interaction=interaction)
    assert follow_up.assigned_to == cast.organizer_a
    assert follow_up.what == "Confirm the potluck"
    assert follow_up.due_on == timezone.localdate() + dt.timedelta(days=1)
    cast.person_a.refresh_from_db()
    assert cast.person_a.assessment == 2
    assert abs(cast.person_a.last_contacted_at - when) < dt.timedelta(minutes=1)
    assert list(cast.person_a.issues.all()) == [housing]


def test_only_who_is_required_and_when_defaults_to_now(cast, client_for):
    response = client_for(cast.organizer_a).post(LOG, {"contact": cast.person_a.pk})

    assert response.status_code == 302
    interaction = Interaction.objects.get(contact=cast.person_a)
    assert timezone.now() - interaction.happened_at < dt.timedelta(minutes=1)
    assert not FollowUp.objects.exists() and not Assessment.objects.exists()


def test_a_double_submit_with_the_same_client_token_makes_one_record(cast, client_for):
    client = client_for(cast.organizer_a)
    data = {
        "contact": cast.person_a.pk,
        "assessment": "3",
        "follow_up_on": timezone.localdate().isoformat(),
        "client_token": str(uuid.uuid4()),
    }

    first = client.post(LOG, data)
    second = client.post(LOG, data)

    assert first.status_code == second.status_code == 302
    assert Interaction.objects.count() == 1
    assert Assessment.objects.count() == 1
    assert FollowUp.objects.count() == 1


def test_a_double_submit_with_a_new_person_creates_the_person_once(cast, client_for):
    client = client_for(cast.organizer_a)
    data = {"first_name": "Nia", "last_name": "Noor", "client_token": str(uuid.uuid4())}

    client.post(LOG, data)
    client.post(LOG, data)

    assert Contact.objects.filter(first_name="Nia").count() == 1
    assert Interaction.objects.count() == 1


def test_the_same_form_sent_again_after_back_with_a_new_token_and_no_phone_saves_once(
    cast, client_for
):
    client = client_for(cast.organizer_a)
    first = {"first_name": "Nia", "last_name": "Noor", "phone": "212-555-0142", "notes": "Nurse"}
    client.post(LOG, {**first, "client_token": str(uuid.uuid4())})
    again = {**first, "phone": "", "client_token": str(uuid.uuid4())}

    response = client.post(LOG, again, follow=True)

    assert Contact.objects.filter(first_name="Nia").count() == 1
    assert Interaction.objects.count() == 1
    assert "was already saved" in response.content.decode()


def test_a_different_person_of_the_same_name_or_another_story_is_still_saved(cast):
    def log(phone: str, notes: str):
        person = NewContact(first_name="Nia", last_name="Noor", phones=[PhoneInput(raw=phone)])
        return one_on_one_log(
            by=cast.organizer_a,
            new_contact=person,
            notes=notes,
            allow_duplicate=True,
            client_token=uuid.uuid4(),
        )

    log("212-555-0142", "Nurse")
    log("212-555-0199", "Nurse")  # another phone: another Nia
    log("212-555-0142", "Teacher")  # another story

    assert Interaction.objects.count() == 3


def test_the_same_log_about_a_picked_person_sent_again_is_recognised(cast):
    first = one_on_one_log(
        by=cast.organizer_a, contact=cast.person_a, notes="Rent", client_token=uuid.uuid4()
    )
    again = one_on_one_log(
        by=cast.organizer_a, contact=cast.person_a, notes="Rent", client_token=uuid.uuid4()
    )
    assert again.pk == first.pk and again.resubmitted
    other = one_on_one_log(by=cast.organizer_b, contact=cast.person_a, notes="Rent")
    assert other.pk != first.pk  # someone else's log is their own


def test_the_service_returns_the_existing_interaction_for_a_repeated_token(cast):
    token = uuid.uuid4()
    first = one_on_one_log(by=cast.organizer_a, contact=cast.person_a, client_token=token)
    again = one_on_one_log(by=cast.organizer_a, contact=cast.person_a, client_token=token)
    assert again.pk == first.pk
    assert Interaction.objects.count() == 1


def test_invalid_input_keeps_every_field_filled(cast, client_for, housing):
    token = str(uuid.uuid4())
    response = client_for(cast.organizer_a).post(
        LOG,
        {
            "first_name": "Lu",
            "last_name": "Lin",
            "phone": "12",  # not a phone number
            "notes": "Met at the bus stop",
            "issues": [housing.pk],
            "ask": "Come to the meeting?",
            "answer": "maybe",
            "assessment": "3",
            "follow_up_what": "Call back",
            "follow_up_on": "2099-01-02",
            "client_token": token,
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "is not a valid phone number" in html or "is not a phone number" in html
    assert 'value="Lu"' in html and 'value="Lin"' in html and 'value="12"' in html
    assert "Met at the bus stop</textarea>" in html
    assert 'value="Come to the meeting?"' in html
    assert f'value="{token}"' in html
    assert f'name="issues" value="{housing.pk}" id="id_issues_0" checked' in html
    assert 'name="answer" value="maybe" id="id_answer_1" checked' in html
    assert 'name="assessment" value="3" id="id_assessment_2" checked' in html
    assert 'value="2099-01-02"' in html and 'value="Call back"' in html
    assert not Interaction.objects.exists() and not Contact.objects.filter(first_name="Lu").exists()


def test_nobody_picked_is_a_clear_error(cast, client_for):
    response = client_for(cast.organizer_a).post(LOG, {"notes": "Great talk"})
    assert response.status_code == 400
    assert "Pick who you talked with" in response.content.decode()
    assert "Great talk</textarea>" in response.content.decode()


def test_adding_a_new_person_inline_creates_them_owned_by_me(cast, client_for):
    response = client_for(cast.organizer_a).post(
        LOG, {"first_name": "Nia", "last_name": "Noor", "phone": "(212) 555-0199"}
    )

    person = Contact.objects.get(first_name="Nia")
    assert response["Location"] == reverse("contacts:detail", args=[person.pk])
    assert person.owner == cast.organizer_a
    assert person.phones.get().e164 == "+12125550199"
    assert person.interactions.get().author == cast.organizer_a


def test_a_new_person_with_a_known_phone_offers_the_existing_person(cast, client_for):
    PhoneFactory(contact=cast.person_a, raw="212-555-0100", e164="+12125550100")

    response = client_for(cast.organizer_a).post(
        LOG, {"first_name": "Ana", "last_name": "A.", "phone": "(212) 555-0100"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Someone already has this phone number" in html
    assert f'name="contact" value="{cast.person_a.pk}"' in html
    assert not Interaction.objects.exists()
    assert Contact.objects.filter(first_name="Ana").count() == 1


def test_the_log_page_preselects_the_person_from_the_query_string(cast, client_for):
    response = client_for(cast.organizer_a).get(LOG, {"contact": cast.person_a.pk})
    assert response.status_code == 200
    assert f'value="{cast.person_a.pk}" checked' in response.content.decode()


def test_an_organizer_of_hub_b_cannot_log_for_or_preselect_a_hub_a_person(cast, client_for):
    client = client_for(cast.organizer_b)
    assert client.get(LOG, {"contact": cast.person_a.pk}).status_code == 404
    assert client.post(LOG, {"contact": cast.person_a.pk}).status_code == 404
    assert not Interaction.objects.exists()


def test_the_who_search_finds_only_people_i_may_see(cast, client_for):
    PhoneFactory(contact=cast.person_a, raw="212-555-0100", e164="+12125550100")
    url = reverse("contacts:log_people")

    mine = client_for(cast.organizer_a).get(url, {"q": "ana"}).content.decode()
    by_phone = client_for(cast.organizer_a).get(url, {"q": "555-0100"}).content.decode()
    theirs = client_for(cast.organizer_b).get(url, {"q": "ana"}).content.decode()

    assert "Ana Alvarez" in mine and "Ana Alvarez" in by_phone
    assert "Ana Alvarez" not in theirs and "Nobody found" in theirs


def test_find_without_javascript_keeps_what_was_typed(cast, client_for):
    response = client_for(cast.organizer_a).post(
        LOG, {"find": "1", "q": "alv", "notes": "Long story"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ana Alvarez" in html and "Long story</textarea>" in html
    assert not Interaction.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get(LOG).status_code == 302


def test_a_backdated_log_does_not_pull_last_contacted_or_the_assessment_back(cast):
    now = timezone.now()
    one_on_one_log(by=cast.organizer_a, contact=cast.person_a, happened_at=now, assessment=1)
    one_on_one_log(
        by=cast.organizer_a,
        contact=cast.person_a,
        happened_at=now - dt.timedelta(days=10),
        assessment=4,
    )
    cast.person_a.refresh_from_db()
    assert cast.person_a.last_contacted_at == now
    assert cast.person_a.assessment == 1


# --- quick log from the person's page -----------------------------------------------------------


def test_a_quick_log_with_htmx_returns_the_refreshed_timeline(cast, client_for):
    url = reverse("contacts:interaction_log", args=[cast.person_a.pk])
    response = client_for(cast.organizer_a).post(
        url, {"kind": "door_knock", "notes": "Not home, left a flyer"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="timeline"' in html and "Door knock" in html and "left a flyer" in html
    assert 'id="quick-log"' in html and 'hx-swap-oob="true"' in html
    interaction = Interaction.objects.get()
    assert interaction.kind == "door_knock" and interaction.author == cast.organizer_a
    cast.person_a.refresh_from_db()
    assert cast.person_a.last_contacted_at == interaction.happened_at


def test_a_quick_log_without_javascript_redirects_back_to_the_person(cast, client_for):
    url = reverse("contacts:interaction_log", args=[cast.person_a.pk])
    response = client_for(cast.organizer_a).post(url, {"kind": "call"})
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:detail", args=[cast.person_a.pk])
    assert Interaction.objects.get().kind == "call"


def test_a_quick_log_with_an_unknown_kind_is_refused(cast, client_for):
    url = reverse("contacts:interaction_log", args=[cast.person_a.pk])
    response = client_for(cast.organizer_a).post(
        url, {"kind": "one_on_one", "notes": "keep me"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#quick-log"
    assert 'value="keep me"' in response.content.decode()
    assert not Interaction.objects.exists()


def test_an_outsider_cannot_quick_log_for_a_person_they_cannot_see(cast, client_for):
    url = reverse("contacts:interaction_log", args=[cast.person_a.pk])
    assert client_for(cast.organizer_b).post(url, {"kind": "call"}).status_code == 404
    assert not Interaction.objects.exists()


# --- timeline ------------------------------------------------------------------------------------


def render_timeline(user, contact) -> str:
    timeline = person_timeline(user, contact)
    return render_to_string("contacts/_timeline.html", {"timeline": timeline, "contact": contact})


def test_the_timeline_shows_everything_newest_first_with_who(cast):
    now = timezone.now()
    one_on_one_log(
        by=cast.organizer_a,
        contact=cast.person_a,
        happened_at=now - dt.timedelta(days=2),
        notes="First talk",
        assessment=3,
        follow_up_on=timezone.localdate(),
        follow_up_what="Call back",
    )
    interaction_log(by=cast.captain_a, contact=cast.person_a, kind="call", notes="Second touch")
    ContactEvent.objects.create(
        contact=cast.person_a,
        kind=ContactEvent.Kind.EDITED,
        actor=cast.staff,
        summary="Changed the address",
        at=now - dt.timedelta(days=5),
    )

    kinds = [entry.kind for entry in person_timeline(cast.organizer_a, cast.person_a)]
    html = render_timeline(cast.organizer_a, cast.person_a)

    assert kinds[0] == "follow_up" or kinds[0] == "interaction"
    assert kinds[-1] == "event"
    assert html.index("Second touch") < html.index("First talk") < html.index("Changed the address")
    assert "Call back" in html and "3 · Undecided" in html
    assert str(cast.captain_a) in html and str(cast.staff) in html


def test_a_sensitive_note_is_hidden_from_other_organizers_of_the_hub(cast):
    from tests.factories import HubRoleFactory, UserFactory

    colleague = UserFactory(role="organizer")
    HubRoleFactory(hub=cast.hub_a, user=colleague)
    one_on_one_log(
        by=cast.organizer_a,
        contact=cast.person_a,
        notes="Boss is watching the union chat",
        ask="Sign the card?",
        is_sensitive=True,
    )

    for reader in (colleague, cast.captain_a):
        html = render_timeline(reader, cast.person_a)
        assert "Sensitive note (hidden)" in html
        assert "Boss is watching" not in html and "Sign the card" not in html
    for reader in (cast.organizer_a, cast.staff):
        html = render_timeline(reader, cast.person_a)
        assert "Boss is watching" in html and "Sensitive note (hidden)" not in html


def test_a_sensitive_note_is_hidden_on_the_person_page(cast, client_for):
    one_on_one_log(
        by=cast.organizer_a, contact=cast.person_a, notes="Secret plans", is_sensitive=True
    )
    url = reverse("contacts:detail", args=[cast.person_a.pk])
    captain_view = client_for(cast.captain_a).get(url).content.decode()
    author_view = client_for(cast.organizer_a).get(url).content.decode()
    assert "Secret plans" not in captain_view and "Sensitive note (hidden)" in captain_view
    assert "Secret plans" in author_view


def test_html_in_notes_is_escaped(cast):
    one_on_one_log(
        by=cast.organizer_a,
        contact=cast.person_a,
        notes='<script>alert("x")</script>\nsecond line',
        commitment="<b>bold</b>",
    )
    html = render_timeline(cast.organizer_a, cast.person_a)
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<br>second line" in html


def test_the_timeline_uses_a_fixed_number_of_queries(cast, django_assert_max_num_queries):
    issue = Issue.objects.create(name="Transit", slug="transit")
    for n in range(15):
        one_on_one_log(
            by=cast.organizer_a,
            contact=cast.person_a,
            notes=f"talk {n}",
            issues=[issue],
            assessment=2,
            follow_up_on=timezone.localdate(),
        )
    with django_assert_max_num_queries(7):
        html = render_timeline(cast.organizer_a, cast.person_a)
    assert html.count("talk ") == 15


def test_the_timeline_shows_only_this_persons_history(cast):
    other = ContactFactory()
    interaction_log(by=cast.staff, contact=other, kind="call", notes="elsewhere")
    html = render_timeline(cast.staff, cast.person_a)
    assert "elsewhere" not in html


def test_the_timeline_shows_ladder_moves_and_door_results_where_they_live(cast, default_ladder):
    from contacts.models import LadderMove
    from hubs.models import Building, DoorResult, Residence, Unit

    unit = Unit.objects.create(
        building=Building.objects.create(street_number="12", street="Wilson Ave"), label="3F"
    )
    Residence.objects.create(contact=cast.person_a, unit=unit)
    DoorResult.objects.create(
        unit=unit, result=DoorResult.Result.NOT_HOME, by=cast.volunteer_a, note="Dog barked"
    )
    LadderMove.objects.create(
        contact=cast.person_a,
        from_stage=default_ladder["Supporter"],
        to_stage=default_ladder["Volunteer"],
        reason="score 9 ≥ 8 and milestones met: has had a one-on-one",
    )
    other_unit = Unit.objects.create(building=unit.building, label="4R")
    DoorResult.objects.create(unit=other_unit, result=DoorResult.Result.REFUSED)

    kinds = {entry.kind for entry in person_timeline(cast.organizer_a, cast.person_a)}
    html = render_timeline(cast.organizer_a, cast.person_a)

    assert {"ladder_move", "door_result"} <= kinds
    assert "Supporter → <strong>Volunteer</strong>" in html and "score 9" in html
    assert "Not home" in html and "Dog barked" in html and "12 Wilson Ave 3F" in html
    assert "Refused" not in html  # a neighbour's door is not this person's history


def test_the_follow_up_shortcuts_include_in_3_days_and_in_2_weeks(cast, client_for):
    from contacts.forms.conversations import quick_dates

    today = dt.date(2026, 12, 1)
    dates = quick_dates(today)
    assert dates["in_3_days"] == dt.date(2026, 12, 4)
    assert dates["in_2_weeks"] == dt.date(2026, 12, 15)
    html = client_for(cast.organizer_a).get(LOG).content.decode()
    assert ">In 3 days</button>" in html and ">In 2 weeks</button>" in html


def test_a_failed_save_keeps_the_picked_person_and_the_typed_search(cast, client_for):
    future = local(timezone.now() + dt.timedelta(days=3))
    response = client_for(cast.organizer_a).post(
        LOG, {"contact": cast.person_a.pk, "q": "alv", "happened_at": future}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'name="contact" value="{cast.person_a.pk}" checked' in html
    assert 'name="q" value="alv"' in html


def test_people_of_the_same_name_are_told_apart_by_hub_and_last_contact(cast, client_for):
    from tests.factories import HubMemberFactory

    twin = ContactFactory(first_name="Ana", last_name="Alvarez", neighborhood="Astoria")
    HubMemberFactory(contact=twin, hub=cast.hub_a)
    Contact.objects.filter(pk=cast.person_a.pk).update(
        last_contacted_at=timezone.make_aware(dt.datetime(2026, 11, 3, 12))
    )
    html = client_for(cast.organizer_a).get(reverse("contacts:log_people"), {"q": "ana"})
    html = html.content.decode()
    assert "Hub A · last contact Nov. 3, 2026" in html
    assert "Astoria · Hub A · never contacted" in html
