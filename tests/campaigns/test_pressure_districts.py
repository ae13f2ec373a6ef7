"""Districts: looking a supporter's ZIP or address up against hand-made shapes and the ZIP
table, importing the table and the shapes, and petition delivery by district."""

from __future__ import annotations

import csv
import io
import json

import pytest

from campaigns.models import District, DistrictZip, Petition, Signature
from campaigns.selectors.pressure import districts_at, lookup, parse_place, targets_for
from campaigns.services.pressure import (
    DistrictImportError,
    district_shapes_import,
    district_zips_import,
)
from contacts.models import ExportLog
from hubs.models import Building
from tests.campaigns.pressure_world import World, box
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def names(districts) -> list[str]:
    return [d.name for d in districts]


# --- lookup ---------------------------------------------------------------------------------------


def test_a_point_inside_a_shape_is_in_that_district_only(world: World):
    assert names(districts_at(point=(-73.94, 40.70))) == ["West"]
    assert names(districts_at(point=(-73.90, 40.70))) == ["East"]


def test_a_point_outside_every_shape_and_no_zip_finds_nothing(world: World):
    assert districts_at(point=(-74.20, 40.50)) == []


def test_a_point_on_the_shared_border_is_in_both_districts(world: World):
    found = districts_at(point=(-73.92, 40.70))
    assert sorted(names(found)) == ["East", "West"]


def test_a_zip_that_crosses_the_line_gives_both_districts_and_says_so(world: World):
    result = lookup("11237")
    assert sorted(names(result.districts)) == ["East", "West"]
    assert result.ambiguous


def test_a_zip_inside_one_district_gives_that_one(world: World):
    result = lookup("11206")
    assert names(result.districts) == ["West"]
    assert not result.ambiguous


def test_an_address_at_a_known_door_narrows_a_crossing_zip_by_its_point(world: World):
    Building.objects.create(
        street_number="120",
        street="Knickerbocker Ave",
        zip_code="11237",
        latitude=40.70,
        longitude=-73.90,
    )
    result = lookup("120 Knickerbocker Ave, Brooklyn NY 11237")
    assert result.point == pytest.approx((-73.90, 40.70))
    assert names(result.districts) == ["East"]
    assert not result.ambiguous


def test_kinds_without_a_shape_still_come_from_the_zip_table(world: World):
    # 11221: East by its shape … and the assembly district, which has only a ZIP row.
    Building.objects.create(
        street_number="5",
        street="Palmetto St",
        zip_code="11221",
        latitude=40.69,
        longitude=-73.91,
    )
    result = lookup("5 Palmetto St 11221")
    assert sorted((d.kind, d.name) for d in result.districts) == [
        ("assembly", "54"),
        ("state_senate", "East"),
    ]


def test_an_unknown_address_falls_back_to_its_zip(world: World):
    result = lookup("999 Nowhere Street 11206")
    assert result.point is None
    assert names(result.districts) == ["West"]


def test_typed_places_are_read_and_bounded():
    assert parse_place("11237").zip_code == "11237"
    assert parse_place("11237-1234").zip_code == "11237"
    place = parse_place("  120   Knickerbocker Ave , Brooklyn 11237 ")
    assert (place.number, place.street, place.zip_code) == ("120", "Knickerbocker Ave", "11237")
    assert parse_place("x" * 10_000).text == "x" * 200
    assert parse_place("no digits here").empty
    assert parse_place("123456789").zip_code == ""  # nine digits are not a ZIP


def test_the_supporter_sees_their_district_targets_then_the_statewide_ones(world: World):
    found = lookup("11206").districts
    assert targets_for(world.campaign, found) == [world.senator_west, world.governor]
    # a target of no campaign, or one out of office, is never shown
    world.senator_west.is_active = False
    world.senator_west.save()
    assert targets_for(world.campaign, found) == [world.governor]


# --- imports --------------------------------------------------------------------------------------


def test_staff_load_a_zip_table_and_every_row_is_accounted_for():
    content = (
        b"ZIP,District kind,District\n"
        b"11237,State senate,18\n"
        b"11237,state_senate,17\n"
        b"11206-1234,SD,18\n"
        b"11237,State senate,18\n"  # repeats line 2
        b"1123,assembly,53\n"  # bad ZIP
        b"11221,school board,4\n"  # unknown kind
        b"11221,assembly,\n"  # no district
    )
    report = district_zips_import(content=content)
    assert report.added == 3
    assert report.districts_created == 2
    assert [line for line, _reason in report.rejected] == [5, 6, 7, 8]
    assert "repeats line 2" in report.rejected[0][1]
    assert report.rows == 7
    assert set(DistrictZip.objects.values_list("zip_code", "district__name")) == {
        ("11237", "18"),
        ("11237", "17"),
        ("11206", "18"),
    }
    again = district_zips_import(content=content)
    assert (again.added, again.existing, again.districts_created) == (0, 3, 0)


def test_a_zip_table_without_the_columns_or_unreadable_is_refused_whole():
    with pytest.raises(DistrictImportError, match="columns"):
        district_zips_import(content=b"zip,name\n11237,18\n")
    with pytest.raises(DistrictImportError):
        district_zips_import(content=b"\x00\x01\x02binary")
    assert not District.objects.exists()


def _feature(name, ring, **props):
    return {
        "type": "Feature",
        "properties": {"name": name, **props},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def test_staff_load_geojson_shapes_and_lookups_use_them():
    ring = [list(p) for p in box(-73.96, 40.68, -73.92, 40.72)]
    collection = {
        "type": "FeatureCollection",
        "features": [
            _feature("59", ring),
            _feature("60", [[0, 0], [1, 1]]),  # two points: rejected
            {"type": "Feature", "properties": {}, "geometry": None},  # no name, no shape
            _feature("59", ring),  # repeats feature 1
        ],
    }
    report = district_shapes_import(
        content=json.dumps(collection).encode(), kind="council", name_property="name"
    )
    assert report.added == 1
    assert [n for n, _reason in report.rejected] == [2, 3, 4]
    district = District.objects.get(kind="council", name="59")
    assert len(district.shape) == 4
    assert names(districts_at(point=(-73.94, 40.70))) == ["59"]
    # loading it again replaces the shape
    moved = [list(p) for p in box(-74.0, 40.0, -73.99, 40.01)]
    collection["features"] = [_feature("59", moved)]
    again = district_shapes_import(content=json.dumps(collection).encode(), kind="council")
    assert (again.added, again.updated) == (0, 1)
    assert districts_at(point=(-73.94, 40.70)) == []


def test_a_file_that_is_not_geojson_is_refused_whole():
    for content in [b"not json", b"[]", b'{"type": "FeatureCollection", "features": []}']:
        with pytest.raises(DistrictImportError):
            district_shapes_import(content=content, kind="council")
    assert not District.objects.exists()


def test_the_districts_page_imports_and_reports(cast, client_for):
    client = client_for(cast.staff)
    upload = io.BytesIO(b"zip,district_kind,district\n11237,assembly,53\n11237,bogus,1\n")
    upload.name = "zips.csv"
    response = client.post("/campaigns/districts/", {"which": "zips", "file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 ZIP row added" in page
    assert "unknown kind" in page
    bad = io.BytesIO(b"nothing useful")
    bad.name = "x.csv"
    response = client.post("/campaigns/districts/", {"which": "zips", "file": bad})
    assert response.status_code == 400


# --- petition delivery by district ----------------------------------------------------------------


def test_the_delivery_list_and_csv_show_each_signers_district_and_counts(
    cast, world: World, client_for
):
    petition = Petition.objects.create(
        campaign=world.campaign,
        title="T",
        text="x",
        target_name="Senate",
        target=world.senator_west,
    )
    signers = [
        ContactFactory(first_name="Wes", zip_code="11206"),  # West by ZIP
        ContactFactory(first_name="Eva", zip_code="11237", latitude=40.7, longitude=-73.90),  # East
        ContactFactory(first_name="Zed", zip_code="11237"),  # both: the ZIP crosses
        ContactFactory(first_name="Out", zip_code="10001"),  # nowhere
    ]
    for person in signers:
        Signature.objects.create(petition=petition, contact=person, source="online")
    client = client_for(cast.organizer_a)
    page = client.get(f"/campaigns/petitions/{petition.pk}/delivery/").content.decode()
    assert "Signatures by district" in page
    assert "East / West" in page
    assert "Not in any district" in page
    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(client.get(f"/campaigns/petitions/{petition.pk}/delivery.csv")).decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert rows[0][4] == "district (state_senate)"
    by_name = {r[0]: r[4] for r in rows[1:]}
    assert by_name == {"Wes": "West", "Eva": "East", "Zed": "East / West", "Out": ""}
    assert not any("@" in cell for row in rows for cell in row)
    assert ExportLog.objects.filter(what=f"petition:{petition.pk}").exists()
    from campaigns.selectors.pressure import count_by_district

    assert {r["district"]: r["n"] for r in count_by_district(petition, "state_senate")} == {
        "West": 1,
        "East": 1,
        "East / West": 1,
        "": 1,
    }


def test_the_districts_page_loads_geojson_shapes(cast, client_for):
    ring = [list(p) for p in box(-73.96, 40.68, -73.92, 40.72)]
    upload = io.BytesIO(
        json.dumps({"type": "FeatureCollection", "features": [_feature("7", ring)]}).encode()
    )
    upload.name = "council.geojson"
    response = client_for(cast.staff).post(
        "/campaigns/districts/",
        {
            "which": "shapes",
            "shapes-file": upload,
            "shapes-kind": "council",
            "shapes-name_property": "name",
        },
    )
    assert response.status_code == 200
    assert "1 new district shape" in response.content.decode()
    assert District.objects.get(kind="council", name="7").shape


def test_a_persons_districts_come_from_their_own_map_point(cast, world: World, client_for):
    cast.person_a.zip_code = "11237"
    cast.person_a.latitude, cast.person_a.longitude = 40.70, -73.94
    cast.person_a.save()
    html = client_for(cast.organizer_a).get(f"/campaigns/pressure/people/{cast.person_a.pk}/")
    html = html.content.decode()
    assert "State senate West" in html and "State senate East" not in html


def test_a_petition_names_a_target(cast, world: World, client_for):
    response = client_for(cast.staff).post(
        f"/campaigns/{world.campaign.slug}/petitions/new/",
        {
            "title": "Fund it",
            "text": "Please.",
            "target_name": "Senator West",
            "target": world.senator_west.pk,
            "is_public": "on",
        },
    )
    assert response.status_code == 302
    assert Petition.objects.get(title="Fund it").target == world.senator_west
