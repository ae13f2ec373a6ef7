"""Phone and text banks through their services: who a list takes in, one person at a time,
results that land everywhere (history, flags, follow-ups, survey, goals, ladder)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns.metrics import metric_counts
from campaigns.models import CallList, CallTarget, Metric, SurveyAnswer
from campaigns.selectors.calls import call_list_progress
from campaigns.services.calls import ClaimLost, call_list_build, call_next, call_record, text_send
from contacts.models import Activity, Contact, FollowUp, Interaction, Phone
from tests.campaigns.calls_support import (
    QUESTIONS,
    RecordingSender,
    make_list,
    person_with_phone,
)
from tests.factories import ContactFactory, HubMemberFactory

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def people(cast):
    return [person_with_phone(cast.hub_a, n, first_name=f"P{n}") for n in range(1, 6)]


@pytest.fixture
def calls(cast, campaign, people):
    return make_list(
        by=cast.captain_a,
        campaign=campaign,
        hub=cast.hub_a,
        questions=QUESTIONS,
        callers=[cast.organizer_a, cast.volunteer_a],
    )


def held(user, call_list) -> CallTarget:
    return CallTarget.objects.select_related("contact").get(
        pk=call_next(user=user, call_list=call_list)
    )


def test_building_takes_the_hubs_callable_people_once(cast, campaign, people):
    no_phone = ContactFactory()
    HubMemberFactory(contact=no_phone, hub=cast.hub_a)
    Contact.objects.filter(pk=people[0].pk).update(do_not_call=True)
    Contact.objects.filter(pk=people[1].pk).update(do_not_contact=True)
    Phone.objects.filter(contact=people[2]).update(wrong_number_at=timezone.now())
    person_with_phone(cast.hub_b, 99)  # another hub

    call_list = make_list(by=cast.captain_a, campaign=campaign, hub=cast.hub_a)

    on_list = set(call_list.targets.values_list("contact_id", flat=True))
    assert on_list == {people[3].pk, people[4].pk, cast.person_a.pk} - {cast.person_a.pk}
    assert call_list_build(by=cast.captain_a, call_list=call_list) == 0  # nothing twice


def test_building_from_a_people_filter_takes_only_the_matching_people(cast, campaign, people):
    from contacts.models import Tag

    tag = Tag.objects.create(name="potluck")
    people[0].tags.add(tag)
    call_list = make_list(
        by=cast.captain_a, campaign=campaign, hub=cast.hub_a,
        source_query="https://x.test/people/?tag=potluck",
    )  # fmt: skip
    assert list(call_list.targets.values_list("contact_id", flat=True)) == [people[0].pk]


def test_an_unreadable_people_filter_builds_nothing_and_says_why(cast, campaign, people):
    with pytest.raises(ValidationError, match="People filter"):
        make_list(by=cast.captain_a, campaign=campaign, hub=cast.hub_a, source_query="hub=nope")
    assert not CallList.objects.exists()


def test_building_from_a_petitions_signers_and_an_events_no_shows(cast, campaign, event, people):
    from campaigns.models import Petition, Rsvp, Signature

    petition = Petition.objects.create(campaign=campaign, title="Heat", text="t", target_name="x")
    Signature.objects.create(petition=petition, contact=people[0], source="online")
    Rsvp.objects.create(event=event, contact=people[1], status=Rsvp.Status.GOING)
    Rsvp.objects.create(
        event=event, contact=people[2], status=Rsvp.Status.GOING, attended_at=timezone.now()
    )
    signers = make_list(
        by=cast.captain_a, campaign=campaign, hub=cast.hub_a,
        source=CallList.Source.SIGNERS, source_petition=petition,
    )  # fmt: skip
    no_shows = make_list(
        by=cast.captain_a, campaign=campaign, hub=cast.hub_a,
        source=CallList.Source.NO_SHOWS, source_event=event,
    )  # fmt: skip
    assert list(signers.targets.values_list("contact_id", flat=True)) == [people[0].pk]
    assert list(no_shows.targets.values_list("contact_id", flat=True)) == [people[1].pk]


def test_a_caller_gets_one_person_and_the_same_one_again_until_they_record(cast, calls):
    first = call_next(user=cast.organizer_a, call_list=calls)
    assert call_next(user=cast.organizer_a, call_list=calls) == first
    other = call_next(user=cast.volunteer_a, call_list=calls)
    assert other != first


def test_an_expired_claim_is_handed_to_the_next_caller_and_the_first_loses_it(cast, calls):
    first = held(cast.organizer_a, calls)
    CallTarget.objects.filter(pk=first.pk).update(
        claimed_until=timezone.now() - dt.timedelta(seconds=1)
    )
    assert call_next(user=cast.volunteer_a, call_list=calls) == first.pk

    with pytest.raises(ClaimLost):
        call_record(by=cast.organizer_a, call_list=calls, target_id=first.pk, result="talked")
    call_record(by=cast.volunteer_a, call_list=calls, target_id=first.pk, result="talked")
    assert CallTarget.objects.get(pk=first.pk).completed_by == cast.volunteer_a


def test_a_caller_goes_on_after_their_last_person_and_comes_back_for_one_left_behind(cast, calls):
    ids = list(calls.targets.order_by("pk").values_list("pk", flat=True))  # five people
    left = call_next(user=cast.volunteer_a, call_list=calls)  # the volunteer walks away
    assert left == ids[0]
    mine = []
    for _ in range(4):
        mine.append(call_next(user=cast.organizer_a, call_list=calls))
        call_record(by=cast.organizer_a, call_list=calls, target_id=mine[-1], result="talked")
        if len(mine) == 1:  # the volunteer's claim runs out behind the organizer
            CallTarget.objects.filter(pk=left).update(claimed_until=timezone.now() - HOUR)
    # In list order after where they were; the row behind them once nothing is left after.
    assert mine == [ids[1], ids[2], ids[3], ids[4]]
    assert call_next(user=cast.organizer_a, call_list=calls) == left
    call_record(by=cast.organizer_a, call_list=calls, target_id=left, result="talked")
    assert call_next(user=cast.organizer_a, call_list=calls) is None


def test_the_callers_claim_is_prepared_once_per_connection_and_survives_a_reset(cast, calls):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from campaigns.services.calls import call_next_target
    from organizer.lib import prepared

    with connection.cursor() as cursor:  # a fresh connection (earlier tests prepared on this one)
        cursor.execute("DEALLOCATE ALL")
    prepared.reset(connection)
    with CaptureQueriesContext(connection) as first:
        held_first = call_next_target(user=cast.organizer_a, call_list=calls)
    with CaptureQueriesContext(connection) as again:
        assert call_next_target(user=cast.organizer_a, call_list=calls).pk == held_first.pk
    assert len(first) == len(again) == 1
    assert "PREPARE" in first[0]["sql"] and again[0]["sql"].startswith("EXECUTE")
    # Something dropped the connection's prepared statements after a failed message: the
    # claim asks which ones exist and prepares again.
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    prepared.forget(connection)
    other = call_next_target(user=cast.volunteer_a, call_list=calls)
    assert other.pk != held_first.pk and other.contact.first_name.startswith("P")


def test_a_result_is_an_interaction_in_the_persons_history(cast, calls):
    target = held(cast.organizer_a, calls)
    call_record(
        by=cast.organizer_a, call_list=calls, target_id=target.pk, result="talked",
        notes="Coming with her sister",
    )  # fmt: skip
    interaction = Interaction.objects.get(contact=target.contact)
    assert interaction.kind == Interaction.Kind.CALL
    assert interaction.outcome == Interaction.Outcome.TALKED
    assert "Coming with her sister" in interaction.notes
    assert interaction.author == cast.organizer_a
    target.refresh_from_db()
    assert target.result == "talked" and target.interaction == interaction
    assert target.contact.__class__.objects.get(pk=target.contact_id).last_contacted_at
    assert Activity.objects.filter(contact=target.contact, kind="phone_conversation").exists()


def test_recording_twice_records_once(cast, calls):
    target = held(cast.organizer_a, calls)
    call_record(by=cast.organizer_a, call_list=calls, target_id=target.pk, result="no_answer")
    with pytest.raises(ClaimLost):
        call_record(by=cast.organizer_a, call_list=calls, target_id=target.pk, result="talked")
    assert Interaction.objects.filter(contact=target.contact).count() == 1
    assert CallTarget.objects.get(pk=target.pk).result == "no_answer"


def test_do_not_call_is_honoured_on_every_list_at_once_and_on_lists_built_later(
    cast, campaign, calls
):
    second = make_list(by=cast.captain_a, campaign=campaign, hub=cast.hub_a, name="Second")
    target = held(cast.organizer_a, calls)
    call_record(by=cast.organizer_a, call_list=calls, target_id=target.pk, result="do_not_call")

    assert Contact.objects.get(pk=target.contact_id).do_not_call
    handed = {call_next(user=u, call_list=second) for u in (cast.organizer_a, cast.volunteer_a,
                                                           cast.captain_a, cast.staff)}  # fmt: skip
    handed_people = set(
        CallTarget.objects.filter(pk__in=handed).values_list("contact_id", flat=True)
    )
    assert target.contact_id not in handed_people
    later = make_list(by=cast.captain_a, campaign=campaign, hub=cast.hub_a, name="Later")
    assert not later.targets.filter(contact_id=target.contact_id).exists()
    assert call_list_progress(second).skipped == 1


def test_a_wrong_number_marks_that_phone_bad_for_every_list(cast, campaign, calls):
    target = held(cast.organizer_a, calls)
    call_record(by=cast.organizer_a, call_list=calls, target_id=target.pk, result="wrong_number")
    phone = Phone.objects.get(contact=target.contact)
    assert phone.wrong_number_at is not None
    assert not Contact.objects.get(pk=target.contact_id).last_contacted_at
    later = make_list(by=cast.captain_a, campaign=campaign, hub=cast.hub_a, name="Later")
    assert not later.targets.filter(contact_id=target.contact_id).exists()


def test_a_built_list_passes_over_people_and_numbers_blocked_since_and_no_one_else(
    cast, calls, people
):
    """The claim checks the person and the number of every row it reaches, when it hands it."""
    from tests.factories import PhoneFactory

    Phone.objects.filter(contact=people[0]).update(wrong_number_at=timezone.now())
    Contact.objects.filter(pk=people[1].pk).update(do_not_contact=True)
    Contact.objects.filter(pk=people[2].pk).update(do_not_call=True)
    # another of their numbers is wrong, not the one on the list: still called
    PhoneFactory(contact=people[3], raw="(212) 555-9999", e164="+12125559999", is_primary=False,
                 wrong_number_at=timezone.now())  # fmt: skip

    handed = []
    while (target_id := call_next(user=cast.organizer_a, call_list=calls)) is not None:
        call_record(by=cast.organizer_a, call_list=calls, target_id=target_id, result="talked")
        handed.append(CallTarget.objects.get(pk=target_id).contact_id)
    assert handed == [people[3].pk, people[4].pk]
    assert call_list_progress(calls).skipped == 3


def test_call_back_becomes_a_follow_up_for_the_caller(cast, calls):
    target = held(cast.organizer_a, calls)
    day = timezone.localdate() + dt.timedelta(days=2)
    call_record(
        by=cast.organizer_a, call_list=calls, target_id=target.pk, result="call_back",
        call_back_on=day, call_back_at=dt.time(18, 30),
    )  # fmt: skip
    follow_up = FollowUp.objects.get(contact=target.contact)
    assert follow_up.assigned_to == cast.organizer_a
    assert follow_up.due_on == day
    assert "18:30" in follow_up.what


def test_a_volunteers_call_back_goes_to_the_lists_captain(cast, calls):
    target = held(cast.volunteer_a, calls)
    call_record(
        by=cast.volunteer_a, call_list=calls, target_id=target.pk, result="call_back",
        call_back_on=timezone.localdate(),
    )  # fmt: skip
    assert FollowUp.objects.get(contact=target.contact).assigned_to == cast.captain_a


def test_call_back_needs_a_day_and_nothing_is_saved_without_one(cast, calls):
    target = held(cast.organizer_a, calls)
    with pytest.raises(ValidationError):
        call_record(by=cast.organizer_a, call_list=calls, target_id=target.pk, result="call_back")
    assert CallTarget.objects.get(pk=target.pk).result == ""
    assert not Interaction.objects.exists()


def test_survey_answers_are_stored_on_the_person_and_counted(cast, calls):
    q_single, q_multi, q_text = calls.questions.all()
    answers = [
        {q_single.pk: "Yes", q_multi.pk: ["Rent", "Childcare"], q_text.pk: "Bring kids"},
        {q_single.pk: "Yes", q_multi.pk: ["Rent"], q_text.pk: ""},
        {q_single.pk: "Maybe?", q_multi.pk: []},  # not a choice: not stored
    ]
    for given in answers:
        target = held(cast.organizer_a, calls)
        call_record(
            by=cast.organizer_a, call_list=calls, target_id=target.pk, result="talked",
            answers=given,
        )  # fmt: skip

    assert SurveyAnswer.objects.filter(question=q_single).count() == 2
    totals = {t.question.pk: t for t in call_list_progress(calls).questions}
    assert totals[q_single.pk].choices == [("Yes", 2), ("No", 0)]
    assert totals[q_multi.pk].choices == [("Childcare", 1), ("Rent", 2), ("Transit", 0)]
    assert totals[q_text.pk].latest_texts == ["Bring kids"]


def test_answering_again_on_another_list_updates_the_one_answer(cast, campaign, calls):
    q = calls.questions.first()
    target = held(cast.organizer_a, calls)
    call_record(by=cast.organizer_a, call_list=calls, target_id=target.pk, result="talked",
                answers={q.pk: "Yes"})  # fmt: skip
    target.result = ""
    CallTarget.objects.filter(pk=target.pk).update(result="", claimed_by=cast.organizer_a,
                                                   claimed_until=timezone.now()
                                                   + dt.timedelta(minutes=5))  # fmt: skip
    call_record(by=cast.organizer_a, call_list=calls, target_id=target.pk, result="talked",
                answers={q.pk: "No"})  # fmt: skip
    assert list(SurveyAnswer.objects.filter(question=q).values_list("choices", flat=True)) == [
        ["No"]
    ]


def test_progress_counts_reached_remaining_and_results(cast, calls):
    for result in ("talked", "no_answer", "call_back"):
        target = held(cast.organizer_a, calls)
        call_record(
            by=cast.organizer_a, call_list=calls, target_id=target.pk, result=result,
            call_back_on=timezone.localdate(),
        )  # fmt: skip
    progress = call_list_progress(calls)
    assert (progress.total, progress.worked, progress.reached, progress.remaining) == (5, 3, 2, 2)
    by_result = {value: n for value, _label, n in progress.by_result}
    assert by_result["talked"] == by_result["no_answer"] == by_result["call_back"] == 1


def test_calls_made_and_phone_conversations_move_the_campaigns_goals(cast, campaign, calls):
    for result in ("talked", "no_answer", "left_message"):
        target = held(cast.organizer_a, calls)
        call_record(by=cast.organizer_a, call_list=calls, target_id=target.pk, result=result)
    made = metric_counts(campaign, Metric.CALLS_MADE)
    talked = metric_counts(campaign, Metric.PHONE_CONVERSATIONS)
    assert made.total == 3 and made.hub_total(cast.hub_a.pk) == 3
    assert talked.total == 1
    assert call_list_progress(calls).reached == talked.total


def test_the_callers_own_person_gets_a_calls_made_activity(cast, calls):
    me = ContactFactory(user=cast.volunteer_a)
    target = held(cast.volunteer_a, calls)
    call_record(by=cast.volunteer_a, call_list=calls, target_id=target.pk, result="no_answer")
    assert Activity.objects.filter(contact=me, kind="calls_made", source_id=target.pk).exists()


# --- Text banks -----------------------------------------------------------------------------------


@pytest.fixture
def texts(cast, campaign, people, settings):
    settings.SMS_BACKEND = "tests.campaigns.calls_support.RecordingSender"
    RecordingSender.sent = []
    RecordingSender.fail = False
    Contact.objects.filter(pk__in=[p.pk for p in people[:3]]).update(sms_ok=True)
    return make_list(
        by=cast.captain_a, campaign=campaign, hub=cast.hub_a, kind=CallList.Kind.TEXT,
        callers=[cast.organizer_a],
    )  # fmt: skip


def test_a_text_bank_takes_only_people_who_agreed_to_texts(texts, people):
    assert set(texts.targets.values_list("contact_id", flat=True)) == {p.pk for p in people[:3]}


def test_a_caller_sends_one_text_through_the_sender_and_it_is_logged(cast, texts):
    target = held(cast.organizer_a, texts)
    text_send(by=cast.organizer_a, call_list=texts, target_id=target.pk, body="Hi! Potluck Sat?")
    assert RecordingSender.sent == [(target.phone, "Hi! Potluck Sat?")]
    assert Interaction.objects.get(contact=target.contact).kind == Interaction.Kind.TEXT
    assert CallTarget.objects.get(pk=target.pk).result == "texted"
    with pytest.raises(ClaimLost):  # a double tap sends once
        text_send(by=cast.organizer_a, call_list=texts, target_id=target.pk, body="Hi again")
    assert len(RecordingSender.sent) == 1


def test_a_text_to_someone_who_withdrew_consent_is_not_sent(cast, texts):
    target = held(cast.organizer_a, texts)
    Contact.objects.filter(pk=target.contact_id).update(sms_ok=False)
    with pytest.raises(ValidationError, match="agreed"):
        text_send(by=cast.organizer_a, call_list=texts, target_id=target.pk, body="Hi")
    assert RecordingSender.sent == []
    # and the next "next" passes over them
    CallTarget.objects.filter(pk=target.pk).update(claimed_until=None, claimed_by=None)
    assert call_next(user=cast.organizer_a, call_list=texts) != target.pk


def test_a_refused_text_records_nothing_and_the_caller_keeps_the_person(cast, texts):
    RecordingSender.fail = True
    target = held(cast.organizer_a, texts)
    with pytest.raises(ValidationError, match="not sent"):
        text_send(by=cast.organizer_a, call_list=texts, target_id=target.pk, body="Hi")
    assert CallTarget.objects.get(pk=target.pk).result == ""
    assert not Interaction.objects.exists()
    assert call_next(user=cast.organizer_a, call_list=texts) == target.pk


def test_a_text_list_takes_no_call_results(cast, texts):
    target = held(cast.organizer_a, texts)
    with pytest.raises(ValidationError):
        call_record(by=cast.organizer_a, call_list=texts, target_id=target.pk, result="talked")
