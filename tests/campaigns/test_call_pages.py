"""Phone bank pages for every persona: captains and staff build, assign and watch; assigned
callers see their lists and one person at a time; everyone else gets 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import CallList, CallTarget
from contacts.models import Contact, FollowUp, Interaction
from tests.campaigns.calls_support import QUESTIONS, RecordingSender, make_list, person_with_phone

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(cast):
    return [person_with_phone(cast.hub_a, n, first_name=f"Pat{n}") for n in range(1, 5)]


@pytest.fixture
def calls(cast, campaign, people):
    return make_list(
        by=cast.captain_a, campaign=campaign, hub=cast.hub_a, questions=QUESTIONS,
        callers=[cast.organizer_a, cast.volunteer_a],
    )  # fmt: skip


def urls(call_list, campaign):
    return {
        "index": reverse("campaigns:call_lists"),
        "new": reverse("campaigns:call_list_new", args=[campaign.slug]),
        "detail": reverse("campaigns:call_list", args=[call_list.pk]),
        "work": reverse("campaigns:call_work", args=[call_list.pk]),
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("staff", {"index": 200, "new": 200, "detail": 200, "work": 200}),
        ("captain_a", {"index": 200, "new": 200, "detail": 200, "work": 200}),
        ("organizer_a", {"index": 200, "new": 404, "detail": 404, "work": 200}),
        ("volunteer_a", {"index": 200, "new": 404, "detail": 404, "work": 200}),
        ("organizer_b", {"index": 200, "new": 404, "detail": 404, "work": 404}),
    ],
)
def test_each_persona_sees_what_their_role_allows(cast, campaign, calls, client_for, who, expected):
    client = client_for(getattr(cast, who))
    got = {name: client.get(url).status_code for name, url in urls(calls, campaign).items()}
    assert got == expected


def test_signed_out_visitors_are_sent_to_sign_in(client, campaign, calls):
    for url in urls(calls, campaign).values():
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_an_unassigned_organizer_of_the_hub_gets_404_and_sees_no_list(cast, calls, client_for):
    calls.callers.remove(cast.organizer_a)
    client = client_for(cast.organizer_a)
    assert client.get(reverse("campaigns:call_work", args=[calls.pk])).status_code == 404
    assert calls.name not in client.get(reverse("campaigns:call_lists")).content.decode()


def test_the_caller_page_shows_one_person_with_a_tel_link_and_the_script(cast, calls, client_for):
    client = client_for(cast.volunteer_a)
    page = client.get(reverse("campaigns:call_work", args=[calls.pk])).content.decode()
    target = CallTarget.objects.get(claimed_by=cast.volunteer_a)
    assert f'href="tel:{target.phone}"' in page
    assert target.contact.display_name in page
    assert "this is" in page  # the script, with the caller's name filled in
    others = Contact.objects.filter(call_targets__call_list=calls).exclude(pk=target.contact_id)
    assert not any(c.display_name in page for c in others)


def test_the_caller_page_costs_the_same_queries_however_long_the_list(
    cast, campaign, calls, client_for, django_assert_max_num_queries
):
    client = client_for(cast.volunteer_a)
    url = reverse("campaigns:call_work", args=[calls.pk])
    client.get(url)
    for n in range(100, 140):
        person_with_phone(cast.hub_a, n)
    from campaigns.services.calls import call_list_build

    call_list_build(by=cast.captain_a, call_list=calls)
    with django_assert_max_num_queries(16):
        client.get(url)


def test_a_result_tap_records_it_and_hands_the_next_person(cast, calls, client_for):
    client = client_for(cast.volunteer_a)
    work = reverse("campaigns:call_work", args=[calls.pk])
    client.get(work)
    first = CallTarget.objects.get(claimed_by=cast.volunteer_a)
    q = calls.questions.first()
    response = client.post(
        reverse("campaigns:call_record", args=[calls.pk, first.pk]),
        {"result": "talked", f"q{q.pk}": "Yes", "notes": "Will bring a dish"},
    )
    assert response.status_code == 302 and response["Location"] == work
    first.refresh_from_db()
    assert first.result == "talked" and first.completed_by == cast.volunteer_a
    assert first.contact.survey_answers.get().choices == ["Yes"]
    client.get(work)
    assert (
        CallTarget.objects.filter(claimed_by=cast.volunteer_a, result="")
        .exclude(pk=first.pk)
        .exists()
    )


def test_call_back_without_a_day_answers_400_and_keeps_the_person(cast, calls, client_for):
    client = client_for(cast.organizer_a)
    client.get(reverse("campaigns:call_work", args=[calls.pk]))
    target = CallTarget.objects.get(claimed_by=cast.organizer_a)
    url = reverse("campaigns:call_record", args=[calls.pk, target.pk])
    response = client.post(url, {"result": "call_back", "notes": "x" * 50})
    assert response.status_code == 400
    assert "Pick the day to call back" in response.content.decode()
    assert CallTarget.objects.get(pk=target.pk).result == ""
    day = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(url, {"result": "call_back", "call_back_on": day})
    assert response.status_code == 302
    assert FollowUp.objects.get(contact=target.contact).assigned_to == cast.organizer_a


@pytest.mark.parametrize(
    "data",
    [
        {"result": "sing"},
        {"result": "talked", "notes": "x" * 1001},
        {"result": "talked", "call_back_on": "soon"},
    ],
)
def test_bad_input_answers_400_and_records_nothing(cast, calls, client_for, data):
    client = client_for(cast.organizer_a)
    client.get(reverse("campaigns:call_work", args=[calls.pk]))
    target = CallTarget.objects.get(claimed_by=cast.organizer_a)
    response = client.post(reverse("campaigns:call_record", args=[calls.pk, target.pk]), data)
    assert response.status_code == 400
    assert not Interaction.objects.exists()


def test_a_person_held_by_someone_else_cannot_be_recorded(cast, calls, client_for):
    client_for(cast.organizer_a).get(reverse("campaigns:call_work", args=[calls.pk]))
    target = CallTarget.objects.get(claimed_by=cast.organizer_a)
    other = client_for(cast.volunteer_a)
    response = other.post(
        reverse("campaigns:call_record", args=[calls.pk, target.pk]), {"result": "do_not_call"}
    )
    assert response.status_code == 302
    assert not Contact.objects.get(pk=target.contact_id).do_not_call
    outsider = client_for(cast.organizer_b)
    response = outsider.post(
        reverse("campaigns:call_record", args=[calls.pk, target.pk]), {"result": "talked"}
    )
    assert response.status_code == 404


def test_captains_build_a_list_from_the_page(cast, campaign, people, client_for):
    client = client_for(cast.captain_a)
    response = client.post(
        reverse("campaigns:call_list_new", args=[campaign.slug]),
        {
            "name": "No-shows", "kind": "call", "hub": cast.hub_a.pk, "source": "people",
            "source_query": "/people/?contacted=never", "script": "Hi {first_name}",
            "claim_minutes": 10, "callers": [cast.volunteer_a.pk],
            "q1_text": "Coming?", "q1_kind": "single", "q1_choices": "Yes\nNo",
        },
    )  # fmt: skip
    call_list = CallList.objects.get()
    assert response.status_code == 302
    assert call_list.source_query == "contacted=never"
    assert call_list.targets.count() == len(people)
    assert list(call_list.callers.all()) == [cast.volunteer_a]
    assert call_list.questions.get().choices == ["Yes", "No"]


def test_a_captain_cannot_build_for_another_hub_or_with_a_bad_form(cast, campaign, client_for):
    client = client_for(cast.captain_a)
    url = reverse("campaigns:call_list_new", args=[campaign.slug])
    base = {"name": "x", "kind": "call", "source": "people", "script": "s", "claim_minutes": 5}
    assert client.post(url, {**base, "hub": cast.hub_b.pk}).status_code == 400
    assert client.post(url, {**base, "hub": cast.hub_a.pk, "name": "x" * 121}).status_code == 400
    assert (
        client.post(
            url, {**base, "hub": cast.hub_a.pk, "q1_text": "Q", "q1_kind": "single"}
        ).status_code
        == 400
    )  # a choice question with no choices
    assert not CallList.objects.exists()


def test_captains_assign_only_people_of_the_hub(cast, calls, client_for):
    url = reverse("campaigns:call_list_assign", args=[calls.pk])
    assert client_for(cast.organizer_a).post(url, {"callers": []}).status_code == 404
    client = client_for(cast.captain_a)
    client.post(url, {"callers": [cast.organizer_b.pk]})  # not in hub A: refused
    assert set(calls.callers.all()) == {cast.organizer_a, cast.volunteer_a}
    client.post(url, {"callers": [cast.volunteer_a.pk]})
    assert list(calls.callers.all()) == [cast.volunteer_a]


def test_progress_page_shows_counts_and_survey_totals(cast, calls, client_for):
    client = client_for(cast.organizer_a)
    client.get(reverse("campaigns:call_work", args=[calls.pk]))
    target = CallTarget.objects.get(claimed_by=cast.organizer_a)
    q = calls.questions.first()
    client.post(reverse("campaigns:call_record", args=[calls.pk, target.pk]),
                {"result": "talked", f"q{q.pk}": "Yes"})  # fmt: skip
    page = client_for(cast.captain_a).get(reverse("campaigns:call_list", args=[calls.pk]))
    html = page.content.decode()
    assert "<td data-reached>1</td>" in html
    assert "<td data-remaining>3</td>" in html
    assert '<th scope="row">Yes</th><td>1</td>' in html


def test_rebuilding_adds_new_matches_only_for_managers(cast, calls, client_for):
    url = reverse("campaigns:call_list_build", args=[calls.pk])
    assert client_for(cast.volunteer_a).post(url).status_code == 404
    person_with_phone(cast.hub_a, 77)
    client_for(cast.captain_a).post(url)
    assert calls.targets.count() == 5


def test_a_text_bank_caller_sends_from_the_page(cast, campaign, people, client_for, settings):
    settings.SMS_BACKEND = "tests.campaigns.calls_support.RecordingSender"
    RecordingSender.sent = []
    RecordingSender.fail = False
    Contact.objects.filter(pk=people[0].pk).update(sms_ok=True)
    texts = make_list(by=cast.captain_a, campaign=campaign, hub=cast.hub_a,
                      kind=CallList.Kind.TEXT, callers=[cast.volunteer_a])  # fmt: skip
    client = client_for(cast.volunteer_a)
    page = client.get(reverse("campaigns:call_work", args=[texts.pk])).content.decode()
    assert "Hi Pat1" in page and "tel:" not in page
    target = CallTarget.objects.get(call_list=texts)
    url = reverse("campaigns:call_record", args=[texts.pk, target.pk])
    assert client.post(url, {"result": "texted", "body": ""}).status_code == 400
    assert client.post(url, {"result": "texted", "body": "Hi Pat1!"}).status_code == 302
    assert RecordingSender.sent == [(target.phone, "Hi Pat1!")]
    done = client.get(reverse("campaigns:call_work", args=[texts.pk]))
    assert "Nobody is left" in done.content.decode()


def test_do_not_call_shows_on_the_person_and_hides_my_days_call_button(cast, calls, client_for):
    client = client_for(cast.organizer_a)
    client.get(reverse("campaigns:call_work", args=[calls.pk]))
    target = CallTarget.objects.select_related("contact").get(claimed_by=cast.organizer_a)
    FollowUp.objects.create(
        contact=target.contact, assigned_to=cast.organizer_a, due_on=timezone.localdate(),
        what="Ask about the potluck",
    )  # fmt: skip
    before = client.get(reverse("contacts:my_day")).content.decode()
    assert f'href="tel:{target.phone}"' in before
    client.post(
        reverse("campaigns:call_record", args=[calls.pk, target.pk]), {"result": "do_not_call"}
    )
    detail = client.get(reverse("contacts:detail", args=[target.contact_id])).content.decode()
    assert "Asked not to be called or texted." in detail
    my_day = client.get(reverse("contacts:my_day")).content.decode()
    assert "Ask about the potluck" in my_day
    assert f'href="tel:{target.phone}"' not in my_day
    assert "Asked not to be called" in my_day


def test_a_wrong_number_shows_on_the_persons_page(cast, calls, client_for):
    client = client_for(cast.organizer_a)
    client.get(reverse("campaigns:call_work", args=[calls.pk]))
    target = CallTarget.objects.get(claimed_by=cast.organizer_a)
    client.post(
        reverse("campaigns:call_record", args=[calls.pk, target.pk]), {"result": "wrong_number"}
    )
    detail = client.get(reverse("contacts:detail", args=[target.contact_id])).content.decode()
    assert "wrong number" in detail


def test_the_results_csv_has_each_result_and_answer_for_managers_only(cast, calls, client_for):
    from contacts.models import ExportLog

    client = client_for(cast.organizer_a)
    client.get(reverse("campaigns:call_work", args=[calls.pk]))
    target = CallTarget.objects.select_related("contact").get(claimed_by=cast.organizer_a)
    Contact.objects.filter(pk=target.contact_id).update(first_name="=HYPERLINK(1)")
    q_single, q_multi, _q_text = calls.questions.all()
    client.post(
        reverse("campaigns:call_record", args=[calls.pk, target.pk]),
        {"result": "talked", f"q{q_single.pk}": "Yes", f"q{q_multi.pk}": ["Rent", "Transit"]},
    )
    url = reverse("campaigns:call_list_csv", args=[calls.pk])
    assert client.get(url).status_code == 404
    assert client_for(cast.volunteer_a).get(url).status_code == 404
    response = client_for(cast.captain_a).get(url)
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert lines[0].startswith("first_name,last_name,result,when,caller,Will you come")
    assert len(lines) == 2
    assert lines[1].startswith("'=HYPERLINK(1)")
    assert "Talked" in lines[1] and "Yes" in lines[1] and "Rent; Transit" in lines[1]
    assert target.phone not in body
    assert ExportLog.objects.get(what=f"call_list:{calls.pk}").row_count == 1
