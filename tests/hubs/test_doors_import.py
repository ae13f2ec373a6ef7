"""Doors: address list imports (service, command, staff pages) and doors from people's addresses."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from hubs.models import Building, Residence, Unit
from hubs.services.turf import DoorsFileError, doors_from_contacts, doors_import, read_doors
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def doors(tmp_path):
    """Write ``content`` to a file and give its path, as an upload saved to disk."""

    def write(content: bytes | str, name: str = "doors.csv"):
        path = tmp_path / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path

    return write


CSV = (
    "Street number,Street,Unit,City,State,Zip,Lat,Lon,Election district,Building ID\n"
    "31-10,31st St,1A,Astoria,NY,11103,40.7651,-73.9201,36-012,B1\n"
    "31-10,31st St,2A,Astoria,NY,11103,40.7651,-73.9201,36-012,B1\n"
    "12,Ditmars Blvd,,Astoria,NY,11105,,,,\n"
    ",Nowhere St,,,,11105,,,,\n"
    "14,Ditmars Blvd,,,,1110,,,,\n"
    "16,Ditmars Blvd,,,,11105,40.77,,,\n"
)


def test_an_address_list_creates_buildings_and_units_with_walking_keys(doors):
    report = doors_import(path=doors(CSV))

    assert (report.buildings_created, report.units_created, report.unchanged) == (2, 3, 0)
    b = Building.objects.get(street="31st St")
    assert (b.street_key, b.number_value, b.location) == ("31st st", 3110, (-73.9201, 40.7651))
    assert (b.election_district, b.building_ref, b.city) == ("36-012", "B1", "Astoria")
    assert sorted(b.units.values_list("label", flat=True)) == ["1A", "2A"]
    assert Building.objects.get(street="Ditmars Blvd").units.get().label == ""


def test_rejected_rows_carry_their_line_and_reason(doors):
    report = doors_import(path=doors(CSV))

    assert [(r.line, r.reason.split(" ")[1]) for r in report.rejections] == [
        (5, "street"),
        (6, "ZIP"),
        (7, "and"),
    ]
    assert "longitude" in report.rejections[2].reason


def test_importing_the_same_list_twice_changes_nothing(doors):
    doors_import(path=doors(CSV))

    report = doors_import(path=doors(CSV))

    assert (report.buildings_created, report.units_created, report.unchanged) == (0, 0, 3)
    assert (Building.objects.count(), Unit.objects.count()) == (2, 3)


def test_a_dry_run_reports_without_writing(doors):
    report = doors_import(path=doors(CSV), dry_run=True)

    assert (report.buildings_created, report.units_created) == (2, 3)
    assert not Building.objects.exists()


def test_a_full_address_column_is_split_into_number_and_street(doors):
    content = b"Address;Apt;ZIP\n123 W. 37th St.;4B;10018\nMain St;;10018\n"

    report = doors_import(path=doors(content))

    b = Building.objects.get()
    assert (b.street_number, b.street, b.street_key) == ("123", "W. 37th St.", "w 37th st")
    assert b.units.get().label == "4B"
    assert report.rejections[0].line == 3


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "cp1252"], ids=["utf8", "utf8-bom", "cp1252"]
)
def test_encodings_are_detected(encoding, doors):
    content = "address,zip\n5 Calle Peña,11372\n".encode(encoding)

    report, rows = read_doors(doors(content))

    assert rows[0].street == "Calle Peña"
    assert report.columns["address"] == "address"


def test_a_file_without_address_columns_is_refused(doors):
    with pytest.raises(DoorsFileError, match="No address columns"):
        read_doors(doors(b"name,phone\nAna,555\n"))


def test_the_command_imports_and_dry_runs(tmp_path, capsys):
    path = tmp_path / "doors.csv"
    path.write_text(CSV, encoding="utf-8")

    call_command("import_doors", str(path), "--dry-run")
    assert not Building.objects.exists()
    call_command("import_doors", str(path), "--rejections", str(tmp_path / "bad.csv"))

    out = capsys.readouterr().out
    assert "would create 2 buildings" in out and "created 2 buildings and 3 units" in out
    assert Building.objects.count() == 2
    assert "line,reason" in (tmp_path / "bad.csv").read_text(encoding="utf-8").splitlines()[0]


def test_people_addresses_become_doors_and_residences_once():
    ana = ContactFactory(street="31-10 31st St", unit="1A", zip_code="11103", latitude=40.7651,
                         longitude=-73.9201)  # fmt: skip
    bo = ContactFactory(street="31-10 31st St", unit="1A", zip_code="11103")
    cy = ContactFactory(street="12 Ditmars Blvd", zip_code="11105")
    ContactFactory(street="PO Box 7", zip_code="11105")  # not a door
    ContactFactory(street="")

    assert doors_from_contacts() == (2, 2, 3)
    assert doors_from_contacts() == (0, 0, 0)

    unit = Unit.objects.get(label="1A")
    assert set(unit.residences.values_list("contact_id", flat=True)) == {ana.pk, bo.pk}
    assert unit.building.location == (-73.9201, 40.7651)
    assert Residence.objects.get(contact=cy).unit.building.street == "Ditmars Blvd"


def test_doors_from_some_people_only():
    ana = ContactFactory(street="1 Elm St", zip_code="11211")
    ContactFactory(street="2 Elm St", zip_code="11211")

    doors_from_contacts(contact_ids=[ana.pk])

    assert list(Building.objects.values_list("street_number", flat=True)) == ["1"]


# --- Pages --------------------------------------------------------------------------------


def _upload(client, content: bytes, name: str = "doors.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("hubs:doors_import"), {"file": SimpleUploadedFile(name, content, "text/csv")}
    )


def test_only_staff_may_import_addresses(cast, client_for):
    for user in (cast.captain_a, cast.organizer_a, cast.volunteer_a):
        assert client_for(user).get(reverse("hubs:doors_import")).status_code == 404
        assert _upload(client_for(user), CSV.encode()).status_code == 404
        assert client_for(user).post(reverse("hubs:doors_from_people")).status_code == 404
    assert client_for(cast.staff).get(reverse("hubs:doors_import")).status_code == 200


def test_staff_preview_then_import_then_download_the_rejections(cast, client_for):
    client = client_for(cast.staff)

    response = _upload(client, CSV.encode("cp1252"))
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert "Preview of the address import" in preview.content.decode()
    assert not Building.objects.exists()

    done = client.post(response["Location"], follow=True)
    html = done.content.decode()
    assert "Address import report" in html and "Download rejected rows" in html
    assert Building.objects.count() == 2
    rejected = client.get(response["Location"] + "rejections.csv")
    lines = rejected.content.decode().splitlines()
    assert lines[0].endswith("line,reason") and lines[1].startswith(",Nowhere St")
    assert client_for(cast.captain_a).get(response["Location"]).status_code == 404


def test_an_unreadable_file_shows_why(cast, client_for):
    response = _upload(client_for(cast.staff), b"name,phone\nAna,555\n")

    assert response.status_code == 200
    assert "No address columns found" in response.content.decode()


def test_staff_make_doors_from_people_with_one_button(cast, client_for):
    ContactFactory(street="1 Elm St", zip_code="11211")

    response = client_for(cast.staff).post(reverse("hubs:doors_from_people"), follow=True)

    assert "1 new buildings" in response.content.decode()
    assert Residence.objects.count() == 1


def test_an_upload_waits_on_disk_not_in_the_cache(cast, client_for, upload_dir):
    from django.core.cache import cache

    client = client_for(cast.staff)
    response = _upload(client, CSV.encode())
    token = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    saved = Path(upload_dir) / "doors" / f"{token}.csv"
    assert saved.read_bytes() == CSV.encode()
    cache.clear()  # Redis restarted, or down: the upload is not there anyway

    assert "Preview of the address import" in client.get(response["Location"]).content.decode()
    done = client.post(response["Location"], follow=True).content.decode()

    assert "Address import report" in done and Building.objects.count() == 2
    assert not saved.exists()  # imported: the file is gone, its report kept
    again = client.post(response["Location"], follow=True).content.decode()
    assert "Address import report" in again and Building.objects.count() == 2


def test_an_oversized_address_list_gets_the_one_size_limit_message(cast, client_for, settings):
    settings.UPLOAD_MAX_BYTES = 100

    response = _upload(client_for(cast.staff), CSV.encode())

    assert response.status_code == 200
    assert "the largest file you can upload is 0.0 MB" in response.content.decode()


def test_an_address_list_with_an_unclosed_quote_is_refused_with_its_line(cast, client_for):
    content = b'Address,Zip\n1 Elm St,11211\n"2 Elm St,11211\n3 Elm St,11211\n'

    response = _upload(client_for(cast.staff), content)

    assert response.status_code == 200
    assert "Line 3: a quoted cell starts here and is never closed" in response.content.decode()
    assert not Building.objects.exists()


def test_another_staff_member_cannot_open_someone_elses_upload(cast, client_for):
    from tests.factories import UserFactory

    response = _upload(client_for(cast.staff), CSV.encode())
    other = UserFactory(role="staff")

    assert client_for(other).get(response["Location"]).status_code == 404
