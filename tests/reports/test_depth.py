from __future__ import annotations

import pytest

from contacts.models import ExportLog
from reports import drill, metrics
from reports.models import Neighborhood
from reports.selectors import report_scope

pytestmark = pytest.mark.django_db


def _rows(depth):
    return {r.name: r for r in depth.rows}


def test_depth_counts_each_neighborhood_by_zip_and_by_shape(cast, town):
    depth = metrics.depth(report_scope(cast.staff))
    north, south = _rows(depth)["North"], _rows(depth)["South"]
    assert north.counts == {
        "members": 2,
        "active_30": 1,
        "active_90": 1,
        "leaders": 0,
        "organizers": 1,
    }
    assert south.counts == {
        "members": 0,
        "active_30": 0,
        "active_90": 1,
        "leaders": 1,
        "organizers": 0,
    }
    assert north.per_1000("members") == 1.0
    assert north.per_1000("organizers") == 0.5
    assert south.per_1000("active_90") == 1.0
    assert depth.unplaced.counts["members"] == 1
    # 3,000 residents, 2 members placed in a neighborhood: one per 1,500.
    assert depth.residents_per_member == 1500


def test_every_depth_number_is_the_count_of_its_drill_down(cast, town):
    scope = report_scope(cast.staff)
    depth = metrics.depth(scope)
    for row in [*depth.rows, depth.total, depth.unplaced]:
        for metric in metrics.PERSON_METRICS:
            spec = drill.Spec("depth", metric, row.key)
            assert drill.people(scope, spec).count() == row.counts[metric], (row.name, metric)
    north_members = drill.people(scope, drill.Spec("depth", "members", str(town.north.pk)))
    assert set(north_members.values_list("pk", flat=True)) == {town.p1.pk, town.p2.pk}


def test_a_captain_sees_only_their_hubs_slice(cast, town):
    depth = metrics.depth(report_scope(cast.captain_a))
    assert _rows(depth)["North"].counts["members"] == 2
    assert _rows(depth)["North"].counts["organizers"] == 0  # p5 is in no hub of theirs
    assert _rows(depth)["South"].counts["leaders"] == 0
    assert depth.unplaced.counts["members"] == 0


def test_an_organizer_of_another_hub_sees_only_theirs(cast, town):
    depth = metrics.depth(report_scope(cast.organizer_b))
    assert _rows(depth)["North"].counts["members"] == 0
    assert _rows(depth)["South"].counts["leaders"] == 1


def test_the_depth_page_links_each_number_to_its_people(client_for, cast, town):
    response = client_for(cast.staff).get("/reports/depth/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "One member per 1,500 residents" in html
    link = f"/reports/people/?report=depth&amp;metric=members&amp;key={town.north.pk}"
    assert link in html
    people = client_for(cast.staff).get(
        f"/reports/people/?report=depth&metric=members&key={town.north.pk}"
    )
    assert people.status_code == 200
    assert "2 people" in people.content.decode()


def test_a_drill_down_never_shows_people_outside_the_users_scope(client_for, cast, town):
    response = client_for(cast.organizer_b).get(
        f"/reports/people/?report=depth&metric=members&key={town.north.pk}"
    )
    assert response.status_code == 200
    assert town.p1.last_name not in response.content.decode()
    assert "0 people" in response.content.decode()


def test_a_hub_outside_the_users_slice_is_not_a_filter(client_for, cast, town):
    response = client_for(cast.captain_a).get("/reports/depth/?hub=hub-b")
    assert response.status_code == 200
    assert response.context["scope"].hub is None
    assert response.context["depth"].rows[1].counts["leaders"] == 0  # still only hub A's people


def test_the_hub_filter_narrows_staff_reports(client_for, cast, town):
    response = client_for(cast.staff).get("/reports/depth/?hub=hub-b")
    rows = {r.name: r for r in response.context["depth"].rows}
    assert rows["North"].counts["members"] == 0
    assert rows["South"].counts["leaders"] == 1


def test_the_filter_menus_list_the_users_hubs_and_organizers_escaped_and_keep_the_choice(
    client_for, cast, town
):
    from hubs.models import Hub

    Hub.objects.filter(slug="hub-b").update(name='B & <b>"Bold"</b>')
    html = client_for(cast.staff).get("/reports/depth/?hub=hub-b").content.decode()
    assert (
        '<option value="hub-b" selected>B &amp; &lt;b&gt;&quot;Bold&quot;&lt;/b&gt;</option>'
        in html
    )
    assert "<b>" not in html.split('name="hub"')[1].split("</select>")[0]
    organizer = cast.organizer_a
    assert f'<option value="{organizer.pk}">{organizer.name or organizer.email}</option>' in html
    captain_html = client_for(cast.captain_a).get("/reports/depth/").content.decode()
    menu = captain_html.split('name="hub"')[1].split("</select>")[0]
    assert 'value="hub-a"' in menu and 'value="hub-b"' not in menu


def test_a_bad_drill_down_is_a_400_not_a_500(client_for, cast):
    client = client_for(cast.staff)
    assert client.get("/reports/people/?report=depth&metric=nope").status_code == 400
    assert client.get("/reports/people/?report=depth&metric=members&key=x;1").status_code == 400


def test_anonymous_users_are_sent_to_sign_in(client):
    assert client.get("/reports/depth/").status_code == 302
    assert client.get("/reports/people/?report=depth&metric=members").status_code == 302


def test_the_depth_csv_escapes_cells_and_is_logged(client_for, cast, town):
    Neighborhood.objects.create(name="=HYPERLINK(1)", residents=10)
    response = client_for(cast.staff).get("/reports/depth/?format=csv")
    text = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK(1)" in text
    assert "North,2000,2,1.0,1,0.5,1,0.5,0,0.0,1,0.5" in text
    log = ExportLog.objects.get()
    assert log.what == "report:depth" and log.user == cast.staff


def test_staff_import_neighborhoods_by_csv(client_for, cast):
    content = (
        b"name,residents,zip_codes,shape\n"
        b'Astoria,"78,000",11102 11103,"{""type"":""Polygon"",""coordinates"":'
        b'[[[0,0],[1,0],[1,1],[0,0]]]}"\n'
        b"Nowhere,lots,,\n"
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("hoods.csv", content, content_type="text/csv")
    response = client_for(cast.staff).post("/reports/neighborhoods/", {"file": upload})
    assert response.status_code == 200
    assert "Line 3" in response.content.decode()
    hood = Neighborhood.objects.get()
    assert (hood.name, hood.residents, hood.zip_codes) == ("Astoria", 78000, ["11102", "11103"])
    assert hood.shape[1] == (1.0, 0.0)


def test_only_staff_import_neighborhoods(client_for, cast):
    assert client_for(cast.captain_a).get("/reports/neighborhoods/").status_code == 404
    assert client_for(cast.staff).get("/reports/neighborhoods/").status_code == 200


def test_the_depth_page_costs_the_same_queries_for_2_or_12_neighborhoods(client_for, cast, town):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(cast.staff)
    client.get("/reports/depth/")
    with CaptureQueriesContext(connection) as few:
        client.get("/reports/depth/")
    for i in range(10):
        Neighborhood.objects.create(name=f"Extra {i}", residents=100, zip_codes=[f"2{i:04d}"])
    with CaptureQueriesContext(connection) as many:
        client.get("/reports/depth/")
    assert len(many) == len(few)
