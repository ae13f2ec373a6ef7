"""Reach against depth by election district, on the small fixed town (conftest) and three
assembly districts and a council district worked out by hand:

- AD 53: a square shape around (5, 5) → p3 (active 60 days ago) and p6 (member, ZIP 11111 too,
  but a shape of that kind holds their point, so the ZIP does not count for assemblies);
- AD 54 and AD 55: ZIP 11111, which crosses their line → p1 (member, active), p2 (member, ZIP+4)
  and p5, in both;
- CC 7: ZIP 11111 (no council shape) → p1, p2, p5 and p6.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns.models import District, DistrictZip
from contacts.models import Contact, ExportLog
from reports import drill, metrics
from reports.models import DistrictReach, PersonDistrict
from reports.selectors import report_scope
from reports.services import person_facts_refresh
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

ASSEMBLY = District.Kind.ASSEMBLY


@pytest.fixture
def districts(town):
    ad53 = District.objects.create(
        kind=ASSEMBLY, name="53", shape=[(0, 0), (10, 0), (10, 10), (0, 10)]
    )
    ad54 = District.objects.create(kind=ASSEMBLY, name="54")
    ad55 = District.objects.create(kind=ASSEMBLY, name="55")
    cc7 = District.objects.create(kind=District.Kind.COUNCIL, name="7")
    for d in (ad54, ad55, cc7):
        DistrictZip.objects.create(zip_code="11111", district=d)
    p6 = ContactFactory(
        zip_code="11111",
        longitude=5.0,
        latitude=5.0,
        membership_status=Contact.Membership.GOOD_STANDING,
    )
    person_facts_refresh()  # who lives where is worked out at each refresh
    return {"53": ad53, "54": ad54, "55": ad55, "cc7": cc7, "p6": p6}


def _upload(client, text: bytes, source="2025 primary", kind="assembly"):
    f = SimpleUploadedFile("result.csv", text, content_type="text/csv")
    return client.post(
        "/reports/reach/districts/import/", {"source": source, "kind": kind, "file": f}
    )


RESULT = b'district,votes\n53,400\n54,"1,000"\n55,3000\n'


def _rows(user, source="2025 primary"):
    return {r.label: r for r in metrics.district_reach(report_scope(user), source)}


def test_reach_by_district_by_hand_widest_shallowest_first(cast, town, districts, client_for):
    assert _upload(client_for(cast.staff), RESULT).status_code == 302
    rows = metrics.district_reach(report_scope(cast.staff), "2025 primary")
    # 55: 2 members / 3,000 = 0.67 per 1,000; 54: 2 / 1,000 = 2.0; 53: 1 / 400 = 2.5
    assert [r.name for r in rows] == ["55", "54", "53"]
    assert rows[0].label == "State assembly 55"
    ad55, ad54, ad53 = rows
    assert (ad55.supporters, ad55.members, ad55.active_90, ad55.members_per_1000) == (
        3000,
        2,
        1,
        0.67,
    )
    assert (ad54.supporters, ad54.members, ad54.active_90, ad54.members_per_1000) == (
        1000,
        2,
        1,
        2.0,
    )
    # p6 is in 53 by the shape only; p3 is the active one
    assert (ad53.members, ad53.active_90, ad53.supporters_per_member) == (1, 1, 400.0)


def test_every_district_number_lists_exactly_its_people(cast, town, districts, client_for):
    _upload(client_for(cast.staff), RESULT)
    scope = report_scope(cast.staff)
    for row in metrics.district_reach(scope, "2025 primary"):
        for metric in metrics.DISTRICT_REACH_METRICS:
            listed = drill.people(scope, drill.Spec("districts", metric, row.key))
            assert listed.count() == getattr(row, metric), (row.name, metric)
    key = str(districts["53"].pk)
    members = drill.people(scope, drill.Spec("districts", "members", key))
    assert set(members.values_list("pk", flat=True)) == {districts["p6"].pk}
    active = drill.people(scope, drill.Spec("districts", "active_90", key))
    assert set(active.values_list("pk", flat=True)) == {town.p3.pk}
    crossing = drill.people(scope, drill.Spec("districts", "members", str(districts["55"].pk)))
    assert set(crossing.values_list("pk", flat=True)) == {town.p1.pk, town.p2.pk}


def test_the_refresh_writes_each_persons_districts_by_the_campaigns_rule(cast, town, districts):
    d = districts
    found = set(PersonDistrict.objects.values_list("contact_id", "district_id"))
    # AD 53 by shape (p3, p6; p6's ZIP does not count for assemblies), AD 54 and 55 by ZIP
    # (p1, p2 by ZIP+4, p5), council 7 by ZIP (p1, p2, p5, p6); p4 lives in none
    expected = {(town.p3.pk, d["53"].pk), (d["p6"].pk, d["53"].pk)}
    for person in (town.p1, town.p2, town.p5):
        expected |= {(person.pk, d["54"].pk), (person.pk, d["55"].pk), (person.pk, d["cc7"].pk)}
    expected.add((d["p6"].pk, d["cc7"].pk))
    assert found == expected


def test_people_and_districts_changed_after_the_refresh_count_from_the_next_one(
    cast, town, districts, client_for
):
    _upload(client_for(cast.staff), RESULT)
    scope = report_scope(cast.staff)
    key = str(districts["54"].pk)
    newcomer = ContactFactory(zip_code="11111", membership_status=Contact.Membership.GOOD_STANDING)
    DistrictZip.objects.filter(district=districts["55"]).delete()

    def cell(name: str) -> tuple[int, int]:
        row = _rows(cast.staff)[name]
        listed = drill.people(scope, drill.Spec("districts", "members", row.key))
        return row.members, listed.count()

    # As of the refresh: the newcomer in no district yet, 55 still holding ZIP 11111
    assert cell("State assembly 54") == (2, 2)
    assert cell("State assembly 55") == (2, 2)
    person_facts_refresh()
    assert cell("State assembly 54") == (3, 3)
    assert cell("State assembly 55") == (0, 0)
    listed = drill.people(scope, drill.Spec("districts", "members", key))
    assert newcomer.pk in set(listed.values_list("pk", flat=True))


def test_a_kind_column_and_a_council_district_use_that_kinds_rule(
    cast, town, districts, client_for
):
    text = b"district,kind,supporters\n7,City council,100\n53,AD,10\n"
    assert _upload(client_for(cast.staff), text, "Doors 2026", kind="").status_code == 302
    rows = _rows(cast.staff, "Doors 2026")
    # No council shape: p6 counts in council 7 by ZIP, with p1 and p2 (p5 is no member)
    assert rows["City council 7"].members == 3
    assert rows["State assembly 53"].members == 1


def test_the_page_links_each_number_and_captains_see_their_slice(cast, town, districts, client_for):
    _upload(client_for(cast.staff), RESULT)
    html = client_for(cast.staff).get("/reports/reach/districts/").content.decode()
    key = districts["55"].pk
    assert f"/reports/people/?report=districts&amp;metric=members&amp;key={key}" in html
    assert "State assembly 55" in html
    # Captain of hub A: p1 and p2 (hub A); p6 and p3 are not theirs
    captain = _rows(cast.captain_a)
    assert (captain["State assembly 55"].members, captain["State assembly 53"].members) == (2, 0)
    people = client_for(cast.captain_a).get(
        f"/reports/people/?report=districts&metric=members&key={districts['53'].pk}"
    )
    assert people.status_code == 200
    assert districts["p6"].last_name not in people.content.decode()
    assert "0 people" in people.content.decode()
    # Organizer of hub B: p3 only
    organizer = _rows(cast.organizer_b)
    assert (organizer["State assembly 53"].active_90, organizer["State assembly 55"].members) == (
        1,
        0,
    )


def test_unknown_districts_and_bad_counts_are_reported_per_row_and_the_rest_saved(
    cast, town, districts, client_for
):
    text = b"district,votes\n53,400\n99,50\n54,many\n53,7\n 55 ,3000\n"
    response = _upload(client_for(cast.staff), text)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Line 3: no district of this kind with this name" in html
    assert "Line 4: the count is not a number" in html
    assert "Line 5: this district is already on line 2" in html
    saved = dict(DistrictReach.objects.values_list("district__name", "supporters"))
    assert saved == {"53": 400, "55": 3000}


def test_importing_a_result_again_replaces_its_numbers(cast, town, districts, client_for):
    client = client_for(cast.staff)
    _upload(client, RESULT)
    _upload(client, b"district,votes\n53,500\n")
    assert DistrictReach.objects.count() == 3
    assert DistrictReach.objects.get(district=districts["53"]).supporters == 500


def test_files_refused_whole_say_why(cast, town, districts, client_for):
    client = client_for(cast.staff)
    no_kind = _upload(client, RESULT, kind="")
    assert no_kind.status_code == 400
    assert "kind" in no_kind.content.decode()
    assert _upload(client, b"name,count\n53,1\n").status_code == 400
    assert _upload(client, RESULT, source="").status_code == 400
    assert _upload(client, b"\x00\x01binary").status_code == 400
    assert not DistrictReach.objects.exists()


def test_only_staff_import_results(cast, town, districts, client_for):
    assert _upload(client_for(cast.captain_a), RESULT).status_code == 404
    assert _upload(client_for(cast.organizer_a), RESULT).status_code == 404
    assert not DistrictReach.objects.exists()


def test_the_csv_export_is_escaped_and_logged(cast, town, districts, client_for):
    District.objects.filter(pk=districts["53"].pk).update(name="=HYPERLINK(1)")
    _upload(client_for(cast.staff), b"district,votes\n=HYPERLINK(1),400\n")
    response = client_for(cast.staff).get("/reports/reach/districts/?format=csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "State assembly,'=HYPERLINK(1),400," in body
    assert ExportLog.objects.filter(what="report:reach-districts").count() == 1


def test_signed_out_people_are_sent_to_sign_in(client, districts):
    assert client.get("/reports/reach/districts/").status_code == 302
