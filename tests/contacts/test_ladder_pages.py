"""Ladder pages: configuration (staff only) with background rescore jobs, the person page's
explanation, setting a stage by hand; the catch-up after a one-on-one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import (
    Activity,
    ActivityWeight,
    Contact,
    LadderMove,
    LadderStage,
    RescoreJob,
    ScoringSettings,
)
from contacts.services.conversations import interaction_log, one_on_one_log
from contacts.services.ladder import rescore_job_run, rescore_jobs_sweep
from contacts.tasks import ladder_catch_up_task, ladder_rescore_job_task

pytestmark = pytest.mark.django_db


def test_only_staff_see_the_ladder_configuration(cast, client_for, default_ladder):
    page = client_for(cast.staff).get(reverse("contacts:ladder"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Active volunteer" in html and "Attended 2+ events in 90 days" in html
    assert "Save points" in html and "Half-life (days)" in html
    for user in (cast.captain_a, cast.organizer_a, cast.organizer_b, cast.volunteer_a):
        assert client_for(user).get(reverse("contacts:ladder")).status_code == 404
        post = client_for(user).post(reverse("contacts:ladder_half_life"), {"half_life_days": 5})
        assert post.status_code == 404
    assert ScoringSettings.load().half_life_days == 90
    anonymous = client_for(cast.staff).__class__().get(reverse("contacts:ladder"))
    assert anonymous.status_code == 302


def test_changing_the_points_records_a_job_that_rescores_everyone_with_progress(
    cast, client_for, default_ladder, django_capture_on_commit_callbacks
):
    Activity.objects.create(contact=cast.person_a, kind="shift", source="t", source_id=1)
    client = client_for(cast.staff)
    points = {w.kind: w.points for w in ActivityWeight.objects.all()} | {"shift": 10}

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("contacts:ladder_weights"), points)

    assert response.status_code == 302
    assert len(callbacks) == 1  # the enqueue, after commit (not run: no worker in this test)
    job = RescoreJob.objects.get()
    assert job.status == "pending" and job.requested_by == cast.staff
    page = client.get(reverse("contacts:ladder")).content.decode()
    assert "Waiting to start" in page and 'hx-trigger="every 1s"' in page

    ladder_rescore_job_task(job.pk)  # what the worker runs

    job.refresh_from_db()
    assert (job.status, job.total, job.processed) == ("done", 2, 2)
    cast.person_a.refresh_from_db()
    assert cast.person_a.score == pytest.approx(10, abs=0.01)
    fragment = client.get(reverse("contacts:ladder_job", args=[job.pk])).content.decode()
    assert "2 people rescored" in fragment and "every 1s" not in fragment


def test_a_claimed_job_runs_once(cast, default_ladder):
    job = RescoreJob.objects.create(reason="test")

    assert rescore_job_run(job_id=job.pk) is not None
    assert rescore_job_run(job_id=job.pk) is None  # already done: a no-op
    assert rescore_job_run(job_id=999999) is None  # missing: a quiet no-op
    RescoreJob.objects.filter(pk=job.pk).update(status="running", started_at=timezone.now())
    assert rescore_jobs_sweep() == 0  # running elsewhere (not stale): left alone
    assert LadderMove.objects.count() == 2  # the cast's two people placed once


def test_staff_add_edit_reorder_and_delete_stages(cast, client_for, default_ladder):
    client = client_for(cast.staff)
    response = client.post(
        reverse("contacts:ladder_stage_add"),
        {"stage-new-name": "Cadre", "stage-new-min_score": "150",
         "stage-new-milestones": ["led_action", "member_in_good_standing"]},
    )  # fmt: skip
    assert response.status_code == 302
    cadre = LadderStage.objects.get(name="Cadre")
    assert cadre.position == 6 and cadre.milestones == ["led_action", "member_in_good_standing"]

    leader = default_ladder["Leader"]
    client.post(
        reverse("contacts:ladder_stage_save", args=[leader.pk]),
        {f"stage-{leader.pk}-name": "Leader", f"stage-{leader.pk}-min_score": "45"},
    )
    leader.refresh_from_db()
    assert leader.min_score == 45 and leader.milestones == []

    client.post(reverse("contacts:ladder_stage_move", args=[cadre.pk]), {"direction": "down"})
    names = list(LadderStage.objects.values_list("name", flat=True))
    assert names[-2:] == ["Cadre", "Organizer"]

    client.post(reverse("contacts:ladder_stage_delete", args=[cadre.pk]))
    assert not LadderStage.objects.filter(name="Cadre").exists()
    assert RescoreJob.objects.count() == 4  # one per change

    bad = client.post(reverse("contacts:ladder_stage_add"), {"stage-new-min_score": "x"})
    assert bad.status_code == 400


def test_a_one_on_one_marks_the_person_and_the_catch_up_scores_them_once(cast, default_ladder):
    one_on_one_log(by=cast.organizer_a, contact=cast.person_a, notes="Rent is too high")
    cast.person_a.refresh_from_db()
    assert cast.person_a.needs_rescore
    assert Activity.objects.filter(contact=cast.person_a, kind="one_on_one").count() == 1

    ladder_catch_up_task()
    ladder_catch_up_task()

    cast.person_a.refresh_from_db()
    assert not cast.person_a.needs_rescore
    assert cast.person_a.score == pytest.approx(5, abs=0.01)
    assert cast.person_a.ladder_stage == default_ladder["Supporter"]
    assert LadderMove.objects.filter(contact=cast.person_a).count() == 1


def test_a_door_knock_counts_for_the_volunteer_who_knocked(cast, default_ladder):
    volunteer = Contact.objects.create(first_name="Vi", user=cast.volunteer_a)
    interaction_log(by=cast.volunteer_a, contact=cast.person_a, kind="door_knock")

    ladder_catch_up_task()

    volunteer.refresh_from_db()
    assert volunteer.score == pytest.approx(0.25, abs=0.01)
    assert Activity.objects.get(kind="door_knocked").contact == volunteer


def test_the_person_page_explains_the_stage(cast, client_for, default_ladder):
    person = cast.person_a
    now = timezone.now()
    Activity.objects.bulk_create(
        [
            Activity(contact=person, kind="one_on_one", source="t", source_id=1, occurred_at=now),
            Activity(contact=person, kind="shift", source="t", source_id=2, quantity=2,
                     occurred_at=now - dt.timedelta(days=90)),
        ]
    )  # fmt: skip
    from contacts.services.ladder import ladder_rescore

    ladder_rescore(contact_ids=[person.pk])

    html = client_for(cast.organizer_a).get(reverse("contacts:detail", args=[person.pk]))
    html = html.content.decode()
    assert "On the ladder: Volunteer" in html
    assert "Engagement score 9.0" in html
    assert (
        '<tr data-kind="shift"><td>Volunteered a shift</td><td>1</td><td>8</td><td>4</td></tr>'
        in html
    )
    assert "Milestones met: Has had a one-on-one" in html
    assert "To reach Active volunteer:" in html and "11 more points" in html
    assert "missing: Attended 2+ events in 90 days" in html
    assert "— → Volunteer" in html and "and milestones met: has had a one-on-one" in html
    assert "Set the stage by hand" not in html  # organizers may not


def test_captains_set_a_stage_by_hand_and_the_page_says_so(cast, client_for, default_ladder):
    url = reverse("contacts:stage_hold", args=[cast.person_a.pk])
    until = timezone.localdate() + dt.timedelta(days=30)
    client = client_for(cast.captain_a)
    assert client.get(url).status_code == 200
    assert client_for(cast.organizer_a).get(url).status_code == 404
    assert (
        client_for(cast.captain_a)
        .get(reverse("contacts:stage_hold", args=[cast.person_b.pk]))
        .status_code
        == 404
    )

    response = client.post(
        url, {"stage": default_ladder["Leader"].pk, "reason": "Chairs the building committee",
              "until": until.isoformat()}
    )  # fmt: skip

    assert response.status_code == 302
    html = client.get(reverse("contacts:detail", args=[cast.person_a.pk])).content.decode()
    assert "On the ladder: Leader" in html
    assert f"Stage set by hand by {cast.captain_a} on " in html
    assert ": Chairs the building committee (until " in html
    move = LadderMove.objects.get(contact=cast.person_a)
    assert move.manual and move.by == cast.captain_a and move.to_stage == default_ladder["Leader"]

    client.post(url, {"clear": "1"})
    cast.person_a.refresh_from_db()
    assert cast.person_a.stage_hold is None
    assert cast.person_a.ladder_stage == default_ladder["Contact"]
    assert LadderMove.objects.filter(contact=cast.person_a).count() == 2


def test_the_people_list_filters_by_ladder_stage(cast, client_for, default_ladder):
    Contact.objects.filter(pk=cast.person_a.pk).update(ladder_stage=default_ladder["Leader"])
    client = client_for(cast.staff)
    html = client.get(reverse("contacts:list"), {"stage": default_ladder["Leader"].pk})
    html = html.content.decode()
    assert reverse("contacts:detail", args=[cast.person_a.pk]) in html
    assert reverse("contacts:detail", args=[cast.person_b.pk]) not in html


def test_score_ladder_command_rescores_and_prints_what_changed(cast, default_ladder):
    from io import StringIO

    from django.core.management import call_command

    Activity.objects.create(contact=cast.person_a, kind="one_on_one", source="t", source_id=1)
    out = StringIO()
    call_command("score_ladder", "--contact", str(cast.person_a.pk), stdout=out)
    assert "Scored 1 people; 1 changed stage." in out.getvalue()
    assert "Ana Alvarez: — → Supporter (score 5 ≥ 1)" in out.getvalue()

    out = StringIO()
    call_command("score_ladder", "--all", stdout=out)
    assert "Scored 2 people; 1 changed stage." in out.getvalue()
    assert "Bo Baker: — → Contact" in out.getvalue()


def test_recruiting_someone_earns_the_recruiter_an_activity_and_merges_keep_the_ledger(
    cast, default_ladder
):
    from contacts.services.people import contact_merge, relationship_add

    relationship_add(by=cast.staff, contact=cast.person_b, other=cast.person_a, kind="recruited_by")
    assert Activity.objects.get(kind="recruited").contact == cast.person_a
    cast.person_a.refresh_from_db()
    assert cast.person_a.needs_rescore

    one_on_one_log(by=cast.staff, contact=cast.person_a)
    ladder_catch_up_task()
    duplicate = Contact.objects.create(first_name="Ana")
    Activity.objects.create(contact=duplicate, kind="event_led", source="t", source_id=9)

    keep = contact_merge(by=cast.staff, keep=duplicate, remove=cast.person_a)

    assert set(Activity.objects.filter(contact=keep).values_list("kind", flat=True)) == {
        "recruited", "one_on_one", "event_led"
    }  # fmt: skip
    assert LadderMove.objects.filter(contact=keep).count() == 1  # person_a's history came along
    ladder_catch_up_task()
    keep.refresh_from_db()
    assert keep.score == pytest.approx(23, abs=0.01)
