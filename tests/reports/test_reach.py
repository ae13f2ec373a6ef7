from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contacts.models import Contact
from reports import metrics
from reports.models import Reach
from reports.selectors import report_scope
from reports.services import person_facts_refresh
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _upload(client, text: bytes, source="2025 primary"):
    f = SimpleUploadedFile("result.csv", text, content_type="text/csv")
    return client.post("/reports/reach/import/", {"source": source, "file": f})


def test_reach_against_depth_lists_the_widest_shallowest_first(cast, town, client_for):
    client = client_for(cast.staff)
    response = _upload(client, b"neighborhood,votes\nnorth,1000\nSouth,500\nAtlantis,9\n")
    assert response.status_code == 200  # a row was not imported: the page says which and why
    html = response.content.decode()
    assert "2 neighborhoods imported. 1 row not imported." in html
    assert "Line 4: no neighborhood with this name" in html
    assert Reach.objects.count() == 2
    rows = metrics.reach(report_scope(cast.staff), "2025 primary")
    assert [r.name for r in rows] == ["South", "North"]
    north = rows[1]
    assert (north.supporters, north.members, north.members_per_1000) == (1000, 2, 2.0)
    assert north.supporters_per_member == 500.0
    assert rows[0].supporters_per_member is None  # no member at all: reach without depth
    page = client.get("/reports/reach/").content.decode()
    assert "2025 primary" in page and "North" in page


def test_only_staff_import_results_and_bad_files_are_a_400(cast, town, client_for):
    assert _upload(client_for(cast.captain_a), b"neighborhood,votes\nNorth,1\n").status_code == 404
    refused = _upload(client_for(cast.staff), b"name,count\nNorth,1\n")
    assert refused.status_code == 400  # the form again, with the reason beside the file
    assert "The file needs the columns “neighborhood” and “votes”" in refused.content.decode()
    assert 'action="/reports/reach/import/"' in refused.content.decode()
    assert _upload(client_for(cast.staff), b"neighborhood,votes\nNorth,1\n", "").status_code == 400


def test_a_clean_file_goes_back_to_the_report_with_a_message(cast, town, client_for):
    client = client_for(cast.staff)
    response = _upload(client, b"neighborhood,supporters\nNorth,10\n", source="Doors 2026")
    assert response.status_code == 302
    assert response["Location"] == "/reports/reach/?source=Doors+2026"
    assert "1 neighborhood imported." in client.get(response["Location"]).content.decode()


def test_concentration_over_time_by_hand(cast, town):
    today = timezone.localdate()
    Contact.objects.filter(pk=town.p1.pk).update(member_since=today - dt.timedelta(days=70))
    Contact.objects.filter(pk=town.p2.pk).update(member_since=today - dt.timedelta(days=2))
    ContactFactory(
        longitude=5.0,
        latitude=5.0,
        membership_status=Contact.Membership.GOOD_STANDING,
        member_since=today - dt.timedelta(days=1),
    )
    person_facts_refresh()  # the new member is placed (South) from the next refresh on
    scope = report_scope(cast.staff, start=today - dt.timedelta(days=45), end=today)
    points = metrics.concentration(scope)
    last = points[-1]
    assert last.day == today
    # North 2 (p1, p2), South 1: the top 10 % of two neighborhoods is one, North: 2 of 3
    assert (last.members, last.in_top, last.top_count, last.share) == (3, 2, 1, 66.7)
    first = points[0]
    assert first.day < today - dt.timedelta(days=2)
    assert (first.members, first.share) == (1, 100.0)  # only p1 had joined
