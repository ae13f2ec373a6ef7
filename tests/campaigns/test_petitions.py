"""Petitions: who manages them, the public page, signatures from the doors, the kiosk and
paper sheets (one per person), the delivery list, and the signatures metric."""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading

import pytest
from django.db import connection
from django.utils import timezone

from campaigns.metrics import metric_counts
from campaigns.models import Campaign, Metric, Petition, Rsvp, Signature
from campaigns.services.events import recruiter_code_for
from campaigns.services.petitions import SignerInput, petition_sign
from contacts.models import Activity, Contact
from hubs.services.walk import NewPerson, door_result_record
from tests.factories import ContactFactory, PhoneFactory
from tests.hubs.test_walk import build_piece

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign_a(cast):
    """A campaign of hub A only (hub B's organizer is an outsider)."""
    today = timezone.localdate()
    c = Campaign.objects.create(
        name="Fix the heat",
        slug="fix-the-heat",
        starts_on=today - dt.timedelta(days=3),
        ends_on=today + dt.timedelta(days=6),
    )
    c.hubs.set([cast.hub_a])
    return c


@pytest.fixture
def petition(campaign_a):
    return Petition.objects.create(
        campaign=campaign_a,
        title="Heat for every apartment",
        text="We ask the landlord to fix the boilers.",
        title_es="Calefacción para cada apartamento",
        text_es="Pedimos al dueño que arregle las calderas.",
        target_name="Acme Realty",
        goal=100,
    )


def sign(client, petition, **data):
    form = {"first_name": "Rosa", "last_name": "Luna", "phone": "(718) 555-0142"} | data
    return client.post(f"/p/{petition.pk}/", form)


# --- staff and captain pages ---------------------------------------------------------------------


def test_staff_and_the_hub_captain_create_a_petition(cast, campaign_a, client_for):
    for n, user in enumerate([cast.staff, cast.captain_a]):
        response = client_for(user).post(
            f"/campaigns/{campaign_a.slug}/petitions/new/",
            {"title": f"Petition {n}", "text": "Fix it.", "target_name": "The mayor", "goal": 50},
        )
        assert response.status_code == 302
    assert Petition.objects.filter(campaign=campaign_a).count() == 2
    assert Petition.objects.get(title="Petition 1").created_by == cast.captain_a


def test_organizers_see_a_petition_but_only_captains_and_staff_edit_it(cast, petition, client_for):
    organizer = client_for(cast.organizer_a)
    assert organizer.get(f"/campaigns/petitions/{petition.pk}/").status_code == 200
    assert organizer.get(f"/campaigns/petitions/{petition.pk}/edit/").status_code == 404
    assert organizer.get("/campaigns/fix-the-heat/petitions/new/").status_code == 404
    captain = client_for(cast.captain_a)
    assert captain.get(f"/campaigns/petitions/{petition.pk}/edit/").status_code == 200


@pytest.mark.parametrize("persona", ["organizer_b", "volunteer_a"])
def test_outsiders_get_404_on_every_petition_page(cast, petition, client_for, persona):
    client = client_for(getattr(cast, persona))
    for url in ["", "edit/", "paper/", "delivery/", "delivery.csv"]:
        assert client.get(f"/campaigns/petitions/{petition.pk}/{url}").status_code == 404
    assert petition.title.encode() not in client.get("/campaigns/petitions/").content


def test_signed_out_visitors_are_sent_to_sign_in(client, petition):
    response = client.get(f"/campaigns/petitions/{petition.pk}/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_campaign_page_lists_its_petitions_with_their_counts(cast, petition, client_for):
    petition_sign(petition=petition, data=SignerInput(first_name="Ana", phone="7185550100"))
    page = client_for(cast.organizer_a).get("/campaigns/fix-the-heat/").content.decode()
    assert "Heat for every apartment" in page
    assert "1 signature" in page


# --- the public page ------------------------------------------------------------------------------


def test_anyone_reads_the_petition_and_its_live_count(petition, public_client):
    petition_sign(petition=petition, data=SignerInput(first_name="Ana", phone="7185550100"))
    page = public_client().get(f"/p/{petition.pk}/").content.decode()
    assert "Heat for every apartment" in page
    assert "To Acme Realty" in page
    assert 'id="petition-count"' in page and "<strong>1</strong>" in page
    count = public_client().get(f"/p/{petition.pk}/count/", HTTP_HX_REQUEST="true")
    assert b"<strong>1</strong>" in count.content


def test_the_page_is_in_spanish_for_spanish_readers(petition, public_client):
    page = public_client().get(f"/p/{petition.pk}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Calefacción para cada apartamento" in page
    assert "Pedimos al dueño" in page


def test_a_closed_petition_has_no_public_page(petition, public_client):
    petition.is_public = False
    petition.save()
    assert public_client().get(f"/p/{petition.pk}/").status_code == 404


def test_signing_a_closed_or_missing_petition_is_a_404_and_writes_nothing(petition, public_client):
    petition.is_public = False
    petition.save()
    assert sign(public_client(), petition).status_code == 404
    petition.pk += 1000
    assert sign(public_client(), petition, phone="718-555-0199").status_code == 404
    assert not Signature.objects.exists()
    assert not Contact.objects.filter(phones__e164__in=["+17185550142", "+17185550199"]).exists()


def test_signing_creates_the_person_with_address_and_consent(cast, petition, public_client):
    response = sign(public_client(), petition, street="12 Elm St", zip_code="11211", consent="on")
    assert response.status_code == 302
    person = Contact.objects.get(phones__e164="+17185550142")
    assert (person.street, person.zip_code, person.sms_ok) == ("12 Elm St", "11211", True)
    assert person.hub_memberships.filter(hub=cast.hub_a).exists()
    signature = Signature.objects.get()
    assert signature.contact == person and signature.source == "online"
    assert signature.consent_text.startswith("Yes, keep me posted")
    assert signature.consent_at == signature.signed_at
    assert Activity.objects.filter(contact=person, kind="petition_signed").count() == 1


def test_without_consent_no_consent_is_recorded(petition, public_client):
    sign(public_client(), petition)
    signature = Signature.objects.get()
    assert (signature.consent_text, signature.consent_at) == ("", None)
    assert signature.contact.sms_ok is False


def test_a_recruiter_link_credits_who_brought_the_signer(cast, petition, public_client):
    code = recruiter_code_for(contact=cast.person_a).code
    sign(public_client(), petition, r=code)
    assert Signature.objects.get().recruited_by == cast.person_a


def test_a_known_person_signing_is_matched_and_not_changed(petition, public_client):
    known = ContactFactory(first_name="Rosa", last_name="Original")
    PhoneFactory(contact=known, raw="718-555-0142", e164="+17185550142")
    sign(public_client(), petition, first_name="Someone", last_name="Else", zip_code="99999")
    known.refresh_from_db()
    assert known.last_name == "Original" and known.zip_code == ""
    assert Signature.objects.get().contact == known


def test_signing_twice_counts_once_and_looks_the_same(petition, public_client):
    first = sign(public_client(), petition)
    second = sign(public_client(), petition, email="rosa@example.org")
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]  # no enumeration
    assert Signature.objects.count() == 1


def test_the_honeypot_saves_nothing(petition, public_client):
    response = sign(public_client(), petition, website="http://spam.example")
    assert response.status_code == 302
    assert not Signature.objects.exists() and not Contact.objects.filter(last_name="Luna")


def test_bad_input_is_a_400_not_a_500(petition, public_client):
    assert sign(public_client(), petition, phone="", email="").status_code == 400
    assert sign(public_client(), petition, phone="12").status_code == 400
    assert sign(public_client(), petition, first_name="x" * 101).status_code == 400
    assert sign(public_client(), petition, zip_code="1" * 11).status_code == 400
    assert not Signature.objects.exists()


def test_one_address_is_limited(petition, public_client):
    client = public_client()
    codes = [sign(client, petition, phone=f"718555{n:04d}").status_code for n in range(11)]
    assert codes[:10] == [302] * 10
    assert codes[10] == 429
    assert Signature.objects.count() == 10


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("by_id", [False, True], ids=["petition", "petition_id (the public form)"])
def test_the_same_new_person_signing_at_once_is_one_person_and_one_signature(cast, by_id):
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="Race", slug="race", starts_on=today, ends_on=today + dt.timedelta(days=1)
    )
    campaign.hubs.set([cast.hub_a])
    petition = Petition.objects.create(campaign=campaign, title="T", text="x", target_name="Y")
    barrier = threading.Barrier(4)
    errors = []

    def go():
        try:
            barrier.wait()
            petition_sign(
                **({"petition_id": petition.pk} if by_id else {"petition": petition}),
                data=SignerInput(first_name="Rosa", phone="(718) 555-0142", consent=True),
            )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Contact.objects.filter(phones__e164="+17185550142").count() == 1
    assert Signature.objects.filter(petition=petition).count() == 1


# --- the doors ------------------------------------------------------------------------------------


@pytest.fixture
def door_world(cast, campaign_a):
    world = build_piece(cast.hub_a, assigned_to=cast.volunteer_a)
    campaign_a.turfs.set([world.piece.turf])
    return world


def test_signed_at_a_door_of_the_campaign_turf_is_a_signature(cast, petition, door_world):
    door = door_world.doors[0]
    resident = door_world.residents[door.pk][0]
    door_result_record(
        by=cast.volunteer_a, piece=door_world.piece, door=door, result="signed", contact=resident
    )
    signature = Signature.objects.get()
    assert (signature.contact, signature.source, signature.collected_by) == (
        resident, "door", cast.volunteer_a
    )  # fmt: skip


def test_a_new_person_met_at_the_door_signs_too(cast, petition, door_world):
    door = door_world.doors[1]
    door_result_record(
        by=cast.volunteer_a,
        piece=door_world.piece,
        door=door,
        result="signed",
        new_person=NewPerson(first_name="Neo", phone="7185550199"),
    )
    assert Signature.objects.get().contact.first_name == "Neo"


def test_talked_is_not_a_signature_and_signing_twice_counts_once(cast, petition, door_world):
    door = door_world.doors[0]
    resident = door_world.residents[door.pk][0]
    record = dict(by=cast.volunteer_a, piece=door_world.piece, door=door, contact=resident)
    door_result_record(result="talked", **record)
    assert not Signature.objects.exists()
    door_result_record(result="signed", **record)
    door_result_record(result="signed", **record)
    assert Signature.objects.count() == 1


def test_a_door_outside_the_campaign_turf_signs_nothing(cast, petition):
    world = build_piece(cast.hub_a, assigned_to=cast.volunteer_a, street="Oak St")
    door = world.doors[0]
    door_result_record(
        by=cast.volunteer_a,
        piece=world.piece,
        door=door,
        result="signed",
        contact=world.residents[door.pk][0],
    )
    assert not Signature.objects.exists()


# --- the kiosk ------------------------------------------------------------------------------------


def test_an_attendee_signs_at_the_kiosk(cast, petition, campaign_a, client_for):
    from campaigns.models import Event

    start = timezone.now() + dt.timedelta(hours=1)
    event = Event.objects.create(
        title="Tenant meeting",
        kind=Event.Kind.HUB_MEETING,
        hub=cast.hub_a,
        campaign=campaign_a,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    rsvp = Rsvp.objects.create(event=event, contact=cast.person_a)
    client = client_for(cast.organizer_a)
    page = client.get(f"/campaigns/events/{event.pk}/kiosk/").content.decode()
    assert "Signs the petition" in page
    url = f"/campaigns/events/{event.pk}/kiosk/sign-petition/"
    assert client.post(url, {"rsvp": rsvp.pk}).status_code == 302
    assert client.post(url, {"rsvp": rsvp.pk}).status_code == 302
    signature = Signature.objects.get()
    assert (signature.contact, signature.source) == (cast.person_a, "event")
    kiosk = client.get(f"/campaigns/events/{event.pk}/kiosk/").content.decode()
    assert "Signed the petition" in kiosk
    assert client.post(url, {"rsvp": "nope"}).status_code == 302
    assert Signature.objects.count() == 1


def test_outsiders_cannot_sign_someone_in_at_the_kiosk(cast, petition, campaign_a, client_for):
    from campaigns.models import Event

    start = timezone.now() + dt.timedelta(hours=1)
    event = Event.objects.create(
        title="Tenant meeting",
        kind=Event.Kind.HUB_MEETING,
        hub=cast.hub_a,
        campaign=campaign_a,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    rsvp = Rsvp.objects.create(event=event, contact=cast.person_a)
    for persona in (cast.organizer_b, cast.volunteer_a):
        response = client_for(persona).post(
            f"/campaigns/events/{event.pk}/kiosk/sign-petition/", {"rsvp": rsvp.pk}
        )
        assert response.status_code == 404
    assert not Signature.objects.exists()


# --- paper sheets ---------------------------------------------------------------------------------


def sheet(rows, **extra):
    data = {"row-TOTAL_FORMS": str(len(rows)), "row-INITIAL_FORMS": "0"} | extra
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"row-{i}-{key}"] = value
    return data


def test_a_paper_sheet_flags_possible_duplicates_before_saving(cast, petition, client_for):
    collector = ContactFactory(first_name="Olga", user=cast.organizer_a)
    PhoneFactory(contact=cast.person_a, raw="718-555-0100", e164="+17185550100")
    client = client_for(cast.organizer_a)
    rows = [
        {"name": "Ana Alvarez", "phone": "718 555 0100"},
        {"name": "Lou Reed", "street": "1 Elm St", "zip_code": "11211", "email": "lou@ex.org"},
        {"name": ""},
    ]
    preview = client.post(f"/campaigns/petitions/{petition.pk}/paper/", sheet(rows))
    assert preview.status_code == 200
    assert "Possible duplicate: already known as Ana Alvarez" in preview.content.decode()
    assert not Signature.objects.exists()
    saved = client.post(f"/campaigns/petitions/{petition.pk}/paper/", sheet(rows, save="1"))
    assert saved.status_code == 302
    signatures = Signature.objects.order_by("pk")
    assert [s.contact.first_name for s in signatures] == ["Ana", "Lou"]
    assert signatures[0].contact == cast.person_a
    assert {s.source for s in signatures} == {"paper"}
    assert {s.collected_by for s in signatures} == {cast.organizer_a}
    assert signatures[1].contact.zip_code == "11211"
    credit = Activity.objects.get(contact=collector, kind="signatures")
    assert credit.quantity == 2


def test_a_paper_sheet_is_bounded_and_a_bad_row_is_a_400(cast, petition, client_for):
    client = client_for(cast.organizer_a)
    url = f"/campaigns/petitions/{petition.pk}/paper/"
    too_many = sheet([{"name": f"P {n}", "phone": f"718555{n:04d}"} for n in range(61)], save="1")
    assert client.post(url, too_many).status_code == 400
    assert client.post(url, sheet([{"name": "No Contact"}], save="1")).status_code == 400
    assert client.post(url, sheet([{"street": "1 Elm"}], save="1")).status_code == 400
    assert not Signature.objects.exists()


# --- delivery -------------------------------------------------------------------------------------


def test_the_delivery_list_has_names_and_zips_never_phones_or_emails(cast, petition, client_for):
    petition_sign(
        petition=petition,
        data=SignerInput(
            first_name="=cmd()",
            last_name="Luna",
            phone="7185550142",
            email="r@ex.org",
            zip_code="11211",
        ),
    )
    petition_sign(
        petition=petition,
        data=SignerInput(first_name="Ana", phone="7185550143", zip_code="11211"),
    )
    client = client_for(cast.organizer_a)
    response = client.get(f"/campaigns/petitions/{petition.pk}/delivery.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "5550142" not in text and "r@ex.org" not in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["first_name", "last_name", "neighborhood", "zip_code", "signed_on"]
    assert rows[2][:4] == ["'=cmd()", "Luna", "", "11211"]
    page = client.get(f"/campaigns/petitions/{petition.pk}/delivery/").content.decode()
    assert "5550142" not in page and "r@ex.org" not in page
    assert "<td>11211</td><td>2</td>" in page


# --- the metric -----------------------------------------------------------------------------------


def test_the_signatures_metric_counts_signatures_per_hub_and_over_time(
    cast, petition, campaign_a, door_world
):
    petition_sign(petition=petition, data=SignerInput(first_name="Ana", phone="7185550100"))
    door = door_world.doors[0]
    door_result_record(
        by=cast.volunteer_a,
        piece=door_world.piece,
        door=door,
        result="signed",
        contact=door_world.residents[door.pk][0],
    )
    counts = metric_counts(campaign_a, Metric.SIGNATURES)
    assert counts.total == 2
    assert counts.hub_total(cast.hub_a.pk) == 2  # walk-list residents are members of its hub
    assert counts.daily == {timezone.localdate(): 2}


def test_a_burst_of_signatures_shares_one_rescore_task_which_scores_every_signer(
    petition, default_ladder, monkeypatch, django_capture_on_commit_callbacks
):
    from contacts.services import ladder
    from organizer.lib import tasks

    queued = []
    monkeypatch.setattr(tasks, "_queued_for", {})
    monkeypatch.setattr(tasks, "enqueue", lambda task, *a, **options: queued.append(task) or True)
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            petition_sign(petition=petition, data=SignerInput(first_name=f"S{n}",
                                                              phone=f"718555010{n}"))  # fmt: skip
    assert [task.name for task in queued] == ["contacts.tasks.ladder_catch_up_task"]
    signers = Contact.objects.filter(signatures__petition=petition)
    assert signers.filter(needs_rescore=True).count() == 3
    assert ladder.ladder_catch_up().scored == 3  # what the task does
    assert not signers.filter(needs_rescore=True).exists()
