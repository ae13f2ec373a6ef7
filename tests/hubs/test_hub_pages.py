"""The hub list, creating and editing hubs, and the hub page, per persona."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from contacts.models import FollowUp, LadderStage
from hubs.models import Hub, Turf
from hubs.selectors.hubs import members_by_stage
from tests.factories import ContactFactory, HubMemberFactory

pytestmark = pytest.mark.django_db


def test_the_hub_list_shows_my_hubs_with_member_count_and_captains(cast, client_for):
    cast.hub_a.meeting_time = "Tuesdays 7pm"
    cast.hub_a.save()
    html = client_for(cast.captain_a).get("/hubs/").content.decode()
    assert "Hub A" in html and "Hub B" not in html
    assert "1 member" in html
    assert cast.captain_a.name in html
    assert "Tuesdays 7pm" in html
    assert "New hub" not in html


def test_staff_see_every_hub_and_can_create_one(cast, client_for):
    client = client_for(cast.staff)
    html = client.get("/hubs/").content.decode()
    assert "Hub A" in html and "Hub B" in html and "New hub" in html
    response = client.post(
        "/hubs/new/",
        {
            "name": "Amazon JFK8",
            "kind": "workplace",
            "description": "Staten Island warehouse",
            "meeting_time": "Sundays noon",
            "meeting_place": "Break room",
            "majority_threshold": 60,
            "leader_span": 10,
        },
    )
    hub = Hub.objects.get(name="Amazon JFK8")
    assert response.status_code == 302 and response.url == "/hubs/amazon-jfk8/"
    assert (hub.kind, hub.majority_threshold, hub.meeting_place) == ("workplace", 60, "Break room")


def test_a_new_hub_with_a_taken_name_gets_a_fresh_slug(cast, client_for):
    data = {"name": "Hub A", "kind": "neighborhood", "majority_threshold": 50, "leader_span": 10}
    client_for(cast.staff).post("/hubs/new/", data)
    assert Hub.objects.filter(name="Hub A").count() == 2
    assert Hub.objects.filter(slug="hub-a-2").exists()


@pytest.mark.parametrize("who", ["captain_a", "organizer_a", "volunteer_a"])
def test_only_staff_create_hubs(cast, client_for, who):
    client = client_for(getattr(cast, who))
    assert client.get("/hubs/new/").status_code == 404
    data = {"name": "X", "kind": "neighborhood", "majority_threshold": 50, "leader_span": 10}
    assert client.post("/hubs/new/", data).status_code == 404
    assert not Hub.objects.filter(name="X").exists()


def test_a_captain_edits_only_the_meeting_description_threshold_and_span(cast, client_for):
    response = client_for(cast.captain_a).post(
        "/hubs/hub-a/edit/",
        {
            "name": "Renamed",
            "kind": "workplace",
            "description": "We meet weekly",
            "meeting_time": "Thursdays",
            "meeting_place": "Library",
            "majority_threshold": 65,
            "leader_span": 8,
        },
    )
    assert response.status_code == 302
    cast.hub_a.refresh_from_db()
    assert (cast.hub_a.name, cast.hub_a.kind) == ("Hub A", "neighborhood")
    assert (cast.hub_a.description, cast.hub_a.meeting_time) == ("We meet weekly", "Thursdays")
    assert (cast.hub_a.majority_threshold, cast.hub_a.leader_span) == (65, 8)


def test_it_rejects_a_threshold_over_100(cast, client_for):
    response = client_for(cast.captain_a).post(
        "/hubs/hub-a/edit/", {"majority_threshold": 120, "leader_span": 10}
    )
    assert response.status_code == 200
    cast.hub_a.refresh_from_db()
    assert cast.hub_a.majority_threshold == 50


def test_staff_can_rename_a_hub(cast, client_for):
    data = {"name": "Hub A+", "kind": "neighborhood", "majority_threshold": 50, "leader_span": 10}
    assert client_for(cast.staff).post("/hubs/hub-a/edit/", data).status_code == 302
    cast.hub_a.refresh_from_db()
    assert cast.hub_a.name == "Hub A+" and cast.hub_a.slug == "hub-a"


@pytest.mark.parametrize(
    "who,slug,status",
    [
        ("staff", "hub-a", 200),
        ("captain_a", "hub-a", 200),
        ("captain_a", "hub-b", 404),
        ("organizer_a", "hub-a", 404),
        ("volunteer_a", "hub-a", 404),
        ("organizer_b", "hub-b", 404),
    ],
)
def test_only_captains_of_the_hub_and_staff_edit_it(cast, client_for, who, slug, status):
    assert client_for(getattr(cast, who)).get(f"/hubs/{slug}/edit/").status_code == status


@pytest.mark.parametrize(
    "who,slug,status",
    [
        ("staff", "hub-a", 200),
        ("staff", "hub-b", 200),
        ("captain_a", "hub-a", 200),
        ("captain_a", "hub-b", 404),
        ("organizer_a", "hub-a", 200),
        ("organizer_b", "hub-a", 404),
        ("organizer_b", "hub-b", 200),
        ("volunteer_a", "hub-a", 200),
        ("volunteer_a", "hub-b", 404),
    ],
)
def test_the_hub_page_is_for_the_hubs_people_and_staff(cast, client_for, who, slug, status):
    assert client_for(getattr(cast, who)).get(f"/hubs/{slug}/").status_code == status


def test_signed_out_visitors_are_sent_to_sign_in(client, cast):
    for url in ("/hubs/", "/hubs/hub-a/", "/hubs/hub-a/members/", "/hubs/new/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_a_volunteer_sees_the_hub_but_not_its_people(cast, client_for):
    FollowUp.objects.create(
        contact=cast.person_a,
        assigned_to=cast.organizer_a,
        due_on=timezone.localdate(),
        what="Call about the potluck",
    )
    html = client_for(cast.volunteer_a).get("/hubs/hub-a/").content.decode()
    assert "Hub A" in html and "Upcoming events" in html
    assert "Ana Alvarez" not in html
    assert "Call about the potluck" not in html
    assert "Manage members" not in html


def test_the_hub_page_shows_members_by_ladder_stage_new_quiet_and_follow_ups(
    cast, client_for, default_ladder
):
    now = timezone.now()
    leader, supporter = default_ladder["Leader"], default_ladder["Supporter"]
    cast.person_a.ladder_stage = leader
    cast.person_a.last_contacted_at = now - dt.timedelta(days=3)
    cast.person_a.save()
    old = ContactFactory(first_name="Olga", last_name="Old", ladder_stage=supporter)
    HubMemberFactory(hub=cast.hub_a, contact=old, since=timezone.localdate() - dt.timedelta(90))
    quiet = ContactFactory(
        first_name="Quinn", last_name="Quiet", last_contacted_at=now - dt.timedelta(days=61)
    )
    HubMemberFactory(hub=cast.hub_a, contact=quiet, since=timezone.localdate() - dt.timedelta(60))
    FollowUp.objects.create(
        contact=old, assigned_to=cast.organizer_a, due_on=timezone.localdate(), what="Ask Olga"
    )
    FollowUp.objects.create(
        contact=old,
        assigned_to=cast.organizer_a,
        due_on=timezone.localdate(),
        what="Done already",
        status=FollowUp.Status.DONE,
    )
    response = client_for(cast.captain_a).get("/hubs/hub-a/")
    page = response.context["page"]
    stages = {s.label: [m.contact.first_name for m in s.members] for s in page.stages}
    assert stages == {
        "Organizer": [],
        "Leader": ["Ana"],
        "Active volunteer": [],
        "Volunteer": [],
        "Supporter": ["Olga"],
        "Contact": [],
        "No stage yet": ["Quinn"],
    }
    assert [m.contact.first_name for m in page.new_members] == ["Ana"]
    # Olga was never contacted, Quinn 61 days ago; Ana 3 days ago is not quiet.
    assert sorted(m.contact.first_name for m in page.quiet_members) == ["Olga", "Quinn"]
    assert [f.what for f in page.follow_ups] == ["Ask Olga"]
    html = response.content.decode()
    assert "Ask Olga" in html and "Done already" not in html
    assert "Events arrive with campaigns" in html
    assert "Manage members" in html


def test_the_hub_page_lists_its_turf(cast, client_for):
    Turf.objects.create(hub=cast.hub_a, name="Ridgewood North")
    Turf.objects.create(hub=cast.hub_b, name="Elsewhere")
    html = client_for(cast.organizer_a).get("/hubs/hub-a/").content.decode()
    assert "Ridgewood North" in html and "Elsewhere" not in html
    assert "0 / 0 doors" in html


def test_members_by_stage_follows_the_ladder_top_first(cast, default_ladder):
    stages = members_by_stage(cast.hub_a)
    assert [str(s.label) for s in stages] == [
        *LadderStage.objects.order_by("-position").values_list("name", flat=True),
        "No stage yet",
    ]
    assert [m.contact for m in stages[-1].members] == [cast.person_a]


def test_the_hub_page_query_count_does_not_grow_with_members(
    cast, client_for, django_assert_max_num_queries
):
    client = client_for(cast.captain_a)
    client.get("/hubs/hub-a/")  # warm the session and second-factor lookups

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/hubs/hub-a/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for _ in range(30):
        member = HubMemberFactory(hub=cast.hub_a)
        FollowUp.objects.create(
            contact=member.contact,
            assigned_to=cast.organizer_a,
            due_on=timezone.localdate(),
            what="Call",
        )
    assert count() == few


@pytest.mark.parametrize(
    ("persona", "sees"),
    [("staff", True), ("captain_a", True), ("organizer_a", False), ("volunteer_a", False)],
)
def test_the_hub_page_links_to_cutting_turf_for_those_who_may_cut(cast, client_for, persona, sees):
    html = client_for(getattr(cast, persona)).get("/hubs/hub-a/").content.decode()
    assert ('href="/hubs/hub-a/turf/new/"' in html) is sees
    assert ('href="/hubs/hub-a/turf/"' in html) is sees
    if sees:
        assert client_for(getattr(cast, persona)).get("/hubs/hub-a/turf/new/").status_code == 200
