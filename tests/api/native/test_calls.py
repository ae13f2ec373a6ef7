"""Phone banks and pressure through /api/v1/: what each persona sees of a call list, the
caller's next person and result (as the caller page records them), and logging pressure
actions (as from the person page)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from campaigns.models import CallTarget, PressureAction, SurveyAnswer
from contacts.models import Contact, FollowUp, Interaction

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _questions(side):
    return {q.text: q for q in side.call_list.questions.all()}


def test_managers_get_the_progress_page_numbers_and_callers_only_the_script(
    world, cast, client_for
):
    url = f"/api/v1/call-lists/{world.a.call_list.pk}/"
    for user in (cast.staff, cast.captain_a):
        body = client_for(user).get(url).json()
        assert body["can_manage"] is True
        progress = body["progress"]
        assert progress["total"] == 1 and progress["remaining"] == 1 and progress["worked"] == 0
        assert {r["result"] for r in progress["by_result"]} >= {"talked", "do_not_call"}
        assert len(progress["questions"]) == 3
    for user in (cast.organizer_a, cast.volunteer_a):  # the list's callers
        body = client_for(user).get(url).json()
        assert body["can_manage"] is False and body["progress"] is None
        assert body["script"] and [q["kind"] for q in body["questions"]] == [
            "single", "multiple", "text",
        ]  # fmt: skip
    # The people and their results are the managers' (a caller only ever holds one).
    people = f"/api/v1/call-lists/{world.a.call_list.pk}/targets/"
    assert client_for(cast.organizer_a).get(people).status_code == 404
    rows = client_for(cast.captain_a).get(people).json()["results"]
    assert [r["contact"] for r in rows] == [world.a.person.pk]
    assert "phone" not in rows[0]


def _next(client, side):
    return client.post(f"/api/v1/call-lists/{side.call_list.pk}/next/")


def test_a_caller_gets_their_person_and_records_answers_and_a_call_back(world, cast, client_for):
    a = world.a
    client = client_for(cast.organizer_a)
    got = _next(client, a)
    assert got.status_code == 200
    held = got.json()
    assert held["id"] == a.call_target.pk and held["phone"] == "+17185559001"
    assert _next(client, a).json()["id"] == held["id"]  # asking again: the same person
    # Someone else on the list is not handed the held person: nobody is left for them.
    assert _next(client_for(cast.volunteer_a), a).status_code == 204
    q = _questions(a)
    body = {
        "result": "call_back",
        "notes": "Best after 6, secret detail",
        "call_back_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat(),
        "call_back_at": "18:30",
        "answers": [
            {"question": q["Will you come to the potluck?"].pk, "choices": ["Yes"]},
            {"question": q["Which issues?"].pk, "choices": ["Rent", "Transit"]},
            {"question": q["Anything else?"].pk, "text": "Bringing a neighbor"},
        ],
    }
    url = f"/api/v1/call-lists/{a.call_list.pk}/targets/{held['id']}/result/"
    done = client.post(url, body, content_type=JSON)
    assert done.status_code == 201, done.content
    assert done.json()["result"] == "call_back" and "notes" not in done.json()
    target = CallTarget.objects.get(pk=held["id"])
    assert target.result == "call_back" and target.completed_by == cast.organizer_a
    answers = {a_.question.text: a_ for a_ in SurveyAnswer.objects.filter(contact=a.person)}
    assert answers["Which issues?"].choices == ["Rent", "Transit"]
    assert answers["Anything else?"].text == "Bringing a neighbor"
    follow_up = FollowUp.objects.get(contact=a.person, what__startswith="Call back at 18:30")
    assert follow_up.assigned_to == cast.organizer_a
    assert Interaction.objects.filter(contact=a.person, kind="call", outcome="talked").exists()
    # Recorded: the same again is a 409 (the person is no longer held), nothing twice.
    again = client.post(url, {"result": "talked"}, content_type=JSON)
    assert again.status_code == 409 and again.json()["detail"]
    assert CallTarget.objects.get(pk=held["id"]).result == "call_back"
    # The managers' numbers move.
    progress = client_for(cast.captain_a).get(f"/api/v1/call-lists/{a.call_list.pk}/").json()
    progress = progress["progress"]
    assert progress["worked"] == 1 and progress["reached"] == 1
    yes = next(t for t in progress["questions"] if t["question"] == body["answers"][0]["question"])
    assert {"choice": "Yes", "count": 1} in yes["choices"]


def test_do_not_call_marks_the_person(world, cast, client_for):
    client = client_for(cast.volunteer_a)
    held = _next(client, world.a).json()
    url = f"/api/v1/call-lists/{world.a.call_list.pk}/targets/{held['id']}/result/"
    assert client.post(url, {"result": "do_not_call"}, content_type=JSON).status_code == 201
    assert Contact.objects.get(pk=world.a.person.pk).do_not_call is True


@pytest.mark.parametrize(
    "body,field",
    [
        ({"result": "call_back"}, "call_back_on"),
        ({"result": "call_back", "call_back_on": "2020-01-01"}, "call_back_on"),
        ({"result": "sang"}, "result"),
        ({"result": "talked", "answers": [{"question": 999999, "choices": ["Yes"]}]}, None),
        ({"result": "talked", "notes": "x" * 1001}, "notes"),
    ],
)
def test_a_result_that_does_not_fit_is_a_400_and_the_person_stays_held(
    world, cast, client_for, body, field
):
    client = client_for(cast.organizer_a)
    held = _next(client, world.a).json()
    url = f"/api/v1/call-lists/{world.a.call_list.pk}/targets/{held['id']}/result/"
    response = client.post(url, body, content_type=JSON)
    assert response.status_code == 400 and response.json()["detail"]
    if field:
        assert field in response.json()["errors"]
    target = CallTarget.objects.get(pk=held["id"])
    assert target.result == "" and target.claimed_by_id == cast.organizer_a.pk


def test_a_choice_the_question_does_not_offer_is_a_400(world, cast, client_for):
    client = client_for(cast.organizer_a)
    held = _next(client, world.a).json()
    q = _questions(world.a)["Will you come to the potluck?"]
    url = f"/api/v1/call-lists/{world.a.call_list.pk}/targets/{held['id']}/result/"
    for picks in (["Maybe"], ["Yes", "No"]):
        body = {"result": "talked", "answers": [{"question": q.pk, "choices": picks}]}
        response = client.post(url, body, content_type=JSON)
        assert response.status_code == 400 and "answers.0.choices" in response.json()["errors"]
    assert not SurveyAnswer.objects.exists()


def test_outsiders_can_neither_claim_nor_record(world, cast, client_for):
    b = world.b
    for user in (cast.organizer_a, cast.captain_a, cast.volunteer_a):
        assert _next(client_for(user), b).status_code == 404
    url = f"/api/v1/call-lists/{b.call_list.pk}/targets/{b.call_target.pk}/result/"
    assert client_for(cast.captain_a).post(url, {"result": "talked"}).status_code == 404
    # A caller of the list cannot record on a person someone else holds.
    _next(client_for(cast.organizer_b), b)
    stolen = client_for(cast.staff).post(url, {"result": "talked"}, content_type=JSON)
    assert stolen.status_code == 409
    assert CallTarget.objects.get(pk=b.call_target.pk).result == ""


def test_pressure_actions_never_send_notes_and_a_caller_sees_no_campaign_targets(
    world, cast, client_for
):
    rows = client_for(cast.organizer_a).get("/api/v1/pressure-actions/").json()["results"]
    assert [r["id"] for r in rows] == [world.a.action.pk]
    assert "notes" not in rows[0]
    assert client_for(cast.volunteer_a).get("/api/v1/targets/").json()["results"] == []
    filtered = client_for(cast.staff).get(
        "/api/v1/pressure-actions/", {"campaign": world.b.campaign.slug}
    )
    assert [r["id"] for r in filtered.json()["results"]] == [world.b.action.pk]
    bad = client_for(cast.staff).get("/api/v1/pressure-actions/", {"contact": "abc"})
    assert bad.status_code == 400


def test_an_organizer_logs_an_action_once_a_day(world, cast, client_for):
    a = world.a
    client = client_for(cast.organizer_a)
    body = {
        "campaign": a.campaign.slug,
        "target": a.official.pk,
        "contact": a.person.pk,
        "kind": "testimony",
        "notes": "Spoke at the hearing",
    }
    first = client.post("/api/v1/pressure-actions/", body, content_type=JSON)
    assert first.status_code == 201, first.content
    again = client.post("/api/v1/pressure-actions/", body, content_type=JSON)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    action = PressureAction.objects.get(pk=first.json()["id"])
    assert action.source == "organizer" and action.logged_by == cast.organizer_a
    earlier = {**body, "day": (timezone.localdate() - dt.timedelta(days=3)).isoformat()}
    logged = client.post("/api/v1/pressure-actions/", earlier, content_type=JSON)
    assert logged.status_code == 201 and logged.json()["day"] == earlier["day"]


def test_logging_an_action_outside_the_scope_is_refused(world, cast, client_for):
    a, b = world.a, world.b
    base = {"campaign": a.campaign.slug, "target": a.official.pk, "contact": a.person.pk}
    base["kind"] = "call"
    client = client_for(cast.organizer_a)
    post = lambda body: client.post("/api/v1/pressure-actions/", body, content_type=JSON)  # noqa: E731
    assert post({**base, "contact": b.person.pk}).status_code == 404
    assert post({**base, "campaign": b.campaign.slug}).status_code == 404
    wrong_target = post({**base, "target": b.official.pk, "kind": "email"})
    assert wrong_target.status_code == 400 and "target" in wrong_target.json()["errors"]
    future = post({**base, "day": (timezone.localdate() + dt.timedelta(days=1)).isoformat()})
    assert future.status_code == 400 and "day" in future.json()["errors"]
    volunteer = client_for(cast.volunteer_a).post("/api/v1/pressure-actions/", base)
    assert volunteer.status_code == 404
    assert PressureAction.objects.count() == 2  # the fixture's two


@pytest.mark.django_db(transaction=True)
def test_callers_racing_through_the_api_never_get_the_same_person(cast):
    """Four callers ask for their next person at once, again and again, recording each one:
    every person is handed to exactly one caller."""
    from django.test import Client

    from accounts.models import Role
    from campaigns.services.campaigns import campaign_create
    from tests.campaigns.calls_support import make_list, person_with_phone
    from tests.conftest import login
    from tests.factories import UserFactory

    people = [person_with_phone(cast.hub_a, n) for n in range(1, 13)]
    callers = [UserFactory(email=f"racer{i}@example.org", role=Role.STAFF) for i in range(4)]
    campaign = campaign_create(
        by=cast.staff,
        name="Race",
        hubs=[cast.hub_a],
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + dt.timedelta(days=5),
    )
    call_list = make_list(by=cast.staff, campaign=campaign, hub=cast.hub_a, callers=callers)
    barrier = threading.Barrier(len(callers))
    got: list[list[int]] = [[] for _ in callers]
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            client = login(Client(), callers[i])
            barrier.wait(timeout=10)
            while True:
                response = client.post(f"/api/v1/call-lists/{call_list.pk}/next/")
                if response.status_code == 204:
                    break
                assert response.status_code == 200, response.content
                target_id = response.json()["id"]
                got[i].append(target_id)
                url = f"/api/v1/call-lists/{call_list.pk}/targets/{target_id}/result/"
                done = client.post(url, {"result": "no_answer"}, content_type=JSON)
                assert done.status_code == 201, done.content
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(callers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    everyone = [t for mine in got for t in mine]
    assert len(everyone) == len(set(everyone)) == len(people)
    assert not CallTarget.objects.filter(call_list=call_list, result="").exists()


def test_the_managers_filter_the_people_by_result(world, cast, client_for):
    client = client_for(cast.captain_a)
    url = f"/api/v1/call-lists/{world.a.call_list.pk}/targets/"
    assert [r["id"] for r in client.get(url, {"result": "open"}).json()["results"]] == [
        world.a.call_target.pk
    ]
    assert client.get(url, {"result": "talked"}).json()["results"] == []
    bad = client.get(url, {"result": "sang"})
    assert bad.status_code == 400 and "result" in bad.json()["errors"]
