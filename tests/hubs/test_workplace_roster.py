"""Placing a whole roster on a workplace map: the preview says what happens to every row and
writes nothing; placing matches known people by phone and email (never revealing people the
user may not see), creates the others, adds new departments and shifts, and is bounded."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contacts.models import Contact, HubMember
from hubs.models import Department, Placement, Shift
from hubs.services.roster import ROSTER_MAX_ROWS
from tests.factories import ContactFactory, EmailFactory, HubMemberFactory, PhoneFactory
from tests.hubs.test_workplace_map import build_workplace

pytestmark = pytest.mark.django_db

URL = "/hubs/hub-a/workplace/place/roster/"


@pytest.fixture
def shop(cast):
    """Hub A's warehouse map, plus people with phones and emails in and out of the hub."""
    place = build_workplace(cast.hub_a)
    known = ContactFactory(first_name="Kim", last_name="Known")
    HubMemberFactory(contact=known, hub=cast.hub_a)
    PhoneFactory(contact=known, raw="(212) 555-0101", e164="+12125550101")
    packer = place.people[("Packing", "Day")][0]
    EmailFactory(contact=packer, address="packer@example.org")
    shipper = place.people[("Shipping", "Day")][0]
    PhoneFactory(contact=shipper, raw="212-555-0102", e164="+12125550102")
    PhoneFactory(contact=cast.person_b, raw="212-555-0199", e164="+12125550199")  # hub B
    return place, known, packer, shipper


ROSTER = "\n".join(
    [
        "Name\tPhone\tEmail\tDepartment\tShift",
        "Kim Known\t(212) 555-0101\t\tpacking\tday",  # 2: known by phone → placed
        "Whoever\t\tpacker@example.org\tPacking\tDay",  # 3: on the map, same place → unchanged
        "Shipper\t212 555 0102\t\tReceiving\tNight",  # 4: on the map → moved
        "Nia Njoku\t(718) 555-0142\t\tLoading dock\tSwing",  # 5: new, new department and shift
        "Bad Phone\t555\t\tPacking\tDay",  # 6: rejected, bad phone
        "Nia again\t718-555-0142\t\tPacking\tDay",  # 7: rejected, same person as line 5
        "\t\t\tPacking\tDay",  # 8: rejected, nobody
        "\t212-555-0199\t\tPacking\tDay",  # 9: someone outside the captain's view, no name
        "Bo Baker\t212-555-0199\t\tPacking\tNight",  # 10: the same, named → a new person
    ]
)


def worksite_post(shop, **extra) -> dict:
    return {"worksite": shop[0].site.pk, "roster": ROSTER, **extra}


def test_the_preview_says_what_happens_to_every_row_and_writes_nothing(cast, client_for, shop):
    before = (Contact.objects.count(), Placement.objects.count(), Department.objects.count())
    response = client_for(cast.captain_a).post(URL, worksite_post(shop, preview="1"))
    assert response.status_code == 200
    html = response.content.decode()
    rows = {
        int(chunk.split("</th>")[0].split(">")[-1]): chunk
        for chunk in html.split('<th scope="row">')[1:]
    }
    assert "Known person, placed" in rows[2] and "Kim Known" in rows[2]
    assert "Packing" in rows[2] and "Day" in rows[2]  # spelled as the worksite spells them
    assert "Already there, unchanged" in rows[3]
    assert "Already on the map, moved" in rows[4]
    assert "New person, placed" in rows[5] and "Loading dock" in rows[5]
    assert "Rejected:" in rows[6]
    assert "Same person as line 5." in rows[7]
    assert "No name, phone or email." in rows[8]
    assert "Nobody you can see has this phone or email: add a name." in rows[9]
    assert "New person, placed" in rows[10] and "Bo Baker" in rows[10]
    assert "Baker" not in rows[9]  # the match outside the captain's view is never named
    assert "New departments: Loading dock" in html and "New shifts: Swing" in html
    assert "4 rows rejected" in html and "Place 4 coworkers at Warehouse DBK4" in html
    after = (Contact.objects.count(), Placement.objects.count(), Department.objects.count())
    assert after == before


def test_placing_the_roster_matches_creates_moves_and_is_idempotent(cast, client_for, shop):
    place, known, _packer, shipper = shop
    client = client_for(cast.captain_a)
    contacts = Contact.objects.count()
    response = client.post(URL, worksite_post(shop, place="1"))
    assert response.status_code == 200 and "Roster placed" in response.content.decode()

    assert Contact.objects.count() == contacts + 2  # Nia Njoku and a new Bo Baker
    kim = Placement.objects.get(hub=cast.hub_a, contact=known)
    assert (kim.department.name, kim.shift.name) == ("Packing", "Day")
    moved = Placement.objects.get(hub=cast.hub_a, contact=shipper)
    assert (moved.department.name, moved.shift.name) == ("Receiving", "Night")
    nia = Placement.objects.get(hub=cast.hub_a, contact__first_name="Nia")
    assert (nia.department.name, nia.shift.name) == ("Loading dock", "Swing")
    assert nia.contact.phones.get().e164 == "+17185550142"
    assert HubMember.objects.filter(hub=cast.hub_a, contact=nia.contact).exists()
    assert not Placement.objects.filter(contact=cast.person_b).exists()
    assert Department.objects.filter(worksite=place.site, name="Loading dock").count() == 1
    assert Shift.objects.filter(worksite=place.site, name="Swing").count() == 1

    placements = Placement.objects.count()
    again = client.post(URL, worksite_post(shop, place="1")).content.decode()
    assert Contact.objects.count() == contacts + 2 and Placement.objects.count() == placements
    assert "0 new people" in again and "4 already there, unchanged" in again


def test_a_hub_organizer_places_a_csv_file(cast, client_for, shop):
    place = shop[0]
    csv = b"First name,Last name,Email,Department\nLu,Lopez,lu@example.org,Shipping\n"
    upload = SimpleUploadedFile("roster.csv", csv, content_type="text/csv")
    response = client_for(cast.organizer_a).post(
        URL, {"worksite": place.site.pk, "file": upload, "place": "1"}
    )
    assert response.status_code == 200
    lu = Placement.objects.get(hub=cast.hub_a, contact__first_name="Lu")
    assert lu.department == place.departments["Shipping"] and lu.contact.last_name == "Lopez"


def test_a_volunteer_cannot_place_a_roster(cast, client_for, shop):
    response = client_for(cast.volunteer_a).post(URL, worksite_post(shop, place="1"))
    assert response.status_code == 404
    assert not Placement.objects.filter(contact__first_name="Nia").exists()


@pytest.mark.parametrize(
    ("roster", "message"),
    [
        ("", "Paste the roster or choose a file."),
        ("Department\tShift\nPacking\tDay", "No name, phone or email column was found."),
        ("Ana\t212-555-0100", "should hold column names"),
        ("Name\n" + "Someone\n" * (ROSTER_MAX_ROWS + 1), "place at most 1000 at a time"),
        ("Name\n" + "x" * 600_000, "larger than 512 KB"),
    ],
)
def test_a_roster_that_cannot_be_read_is_refused_with_a_message(
    cast, client_for, shop, roster, message
):
    response = client_for(cast.captain_a).post(
        URL, {"worksite": shop[0].site.pk, "roster": roster, "place": "1"}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Placement.objects.filter(contact__first_name="Someone").exists()


def test_a_worksite_of_another_hub_is_refused(cast, client_for, shop):
    other = build_workplace(cast.hub_b).site
    response = client_for(cast.captain_a).post(URL, {"worksite": other.pk, "roster": ROSTER})
    assert response.status_code == 400


def test_the_only_worksite_is_chosen_and_a_map_without_one_says_so(cast, client_for, shop):
    html = client_for(cast.organizer_a).get(URL).content.decode()
    assert f'<option value="{shop[0].site.pk}" selected>' in html
    shop[0].site.delete()
    html = client_for(cast.organizer_a).get(URL).content.decode()
    assert "ask a captain of the hub to add one" in html and "Paste the roster" not in html
