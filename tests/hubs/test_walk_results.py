"""Recording results at the door: one tap, idempotent taps, door-knock interactions, the tap's
own time, a note or a new person met at the door, paper results and the printable list."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from contacts.models import Contact, HubMember, Interaction
from hubs.models import DoorResult, Residence, TurfDoor
from hubs.services.walk import NewPerson, door_result_record
from tests.factories import ContactFactory, PhoneFactory
from tests.hubs.test_walk import build_piece

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast):
    return build_piece(cast.hub_a, assigned_to=cast.volunteer_a)


def tap_url(world, door) -> str:
    return f"/hubs/pieces/{world.piece.pk}/doors/{door.pk}/result/"


# --- one tap ------------------------------------------------------------------------------------


def test_a_tap_records_the_result_and_redirects_back_to_the_door(cast, world, client_for):
    door = world.doors[2]
    response = client_for(cast.volunteer_a).post(
        tap_url(world, door), {"result": "not_home", "client_token": str(uuid.uuid4())}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/hubs/pieces/{world.piece.pk}/#door-{door.pk}"
    saved = DoorResult.objects.get()
    assert (saved.door, saved.unit, saved.piece, saved.by) == (
        door, door.unit, world.piece, cast.volunteer_a
    )  # fmt: skip
    assert saved.result == "not_home"


def test_an_htmx_tap_gets_the_updated_door_and_progress(cast, world, client_for):
    door = world.doors[0]
    response = client_for(cast.volunteer_a).post(
        tap_url(world, door),
        {"result": "talked", "client_token": str(uuid.uuid4())},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="door-{door.pk}"' in html and "walk-badge result-talked" in html
    assert 'id="walk-progress" class="walk-progress" hx-swap-oob="true"' in html
    assert "1 of 4 doors done" in html
    assert response["X-Door-Result"] == str(DoorResult.objects.get().pk)


def test_the_same_client_token_records_once(cast, world, client_for):
    client = client_for(cast.volunteer_a)
    token = str(uuid.uuid4())
    for _ in range(3):
        response = client.post(
            tap_url(world, world.doors[0]),
            {"result": "talked", "client_token": token},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
    assert DoorResult.objects.count() == 1
    assert Interaction.objects.count() == 1


def test_a_token_used_by_someone_else_is_refused(cast, world):
    token = uuid.uuid4()
    door = world.doors[0]
    door_result_record(by=cast.volunteer_a, piece=world.piece, door=door, result="talked",
                       client_token=token)  # fmt: skip
    with pytest.raises(ValidationError):
        door_result_record(by=cast.captain_a, piece=world.piece, door=door, result="talked",
                           client_token=token)  # fmt: skip
    assert DoorResult.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_sends_of_one_tap_racing_record_once(cast):
    world = build_piece(cast.hub_a, assigned_to=cast.volunteer_a)
    token = uuid.uuid4()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def send():
        try:
            barrier.wait()
            results.append(
                door_result_record(
                    by=cast.volunteer_a,
                    piece=world.piece,
                    door=world.doors[0],
                    result="talked",
                    client_token=token,
                )
            )
        except Exception as exc:  # pragma: no cover - shown by the assert below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len({r.pk for r in results}) == 1
    assert DoorResult.objects.count() == 1
    assert Interaction.objects.count() == 1


def test_a_result_that_is_not_in_the_list_is_refused(cast, world, client_for):
    response = client_for(cast.volunteer_a).post(
        tap_url(world, world.doors[0]), {"result": "bribed"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    assert not DoorResult.objects.exists()


def test_a_door_that_left_the_piece_answers_404(cast, world, client_for):
    door = world.doors[0]
    TurfDoor.objects.filter(pk=door.pk).update(piece=None)
    response = client_for(cast.volunteer_a).post(tap_url(world, door), {"result": "talked"})
    assert response.status_code == 404
    assert not DoorResult.objects.exists()


def test_a_captain_of_the_hub_may_record_results_too(cast, world, client_for):
    response = client_for(cast.captain_a).post(tap_url(world, world.doors[0]), {"result": "moved"})
    assert response.status_code == 302
    assert DoorResult.objects.get().by == cast.captain_a


# --- door-knock interactions --------------------------------------------------------------------


def test_talking_at_a_door_logs_a_door_knock_on_each_resident(cast):
    world = build_piece(cast.hub_a, assigned_to=cast.volunteer_a, residents=2)
    door = world.doors[0]
    saved = door_result_record(by=cast.volunteer_a, piece=world.piece, door=door,
                               result="talked", note="Rent up 20%")  # fmt: skip
    knocks = Interaction.objects.filter(kind=Interaction.Kind.DOOR_KNOCK)
    assert {i.contact for i in knocks} == set(world.residents[door.pk])
    assert all(i.notes == "Talked. Rent up 20%" and i.author == cast.volunteer_a for i in knocks)
    assert saved.interaction in knocks
    assert saved.contact is None  # two residents, nobody chosen
    for person in world.residents[door.pk]:
        person.refresh_from_db()
        assert person.last_contacted_at == saved.at


def test_a_chosen_resident_gets_the_door_knock_alone(cast, world, client_for):
    world = build_piece(cast.hub_a, assigned_to=cast.volunteer_a, residents=2, street="Ash St")
    door = world.doors[0]
    chosen = world.residents[door.pk][1]
    client_for(cast.volunteer_a).post(
        tap_url(world, door), {"result": "signed", "contact": chosen.pk, "note": "Signed!"}
    )
    saved = DoorResult.objects.get()
    assert saved.contact == chosen and saved.interaction.contact == chosen
    assert Interaction.objects.get().notes == "Signed. Signed!"


def test_a_contact_who_does_not_live_at_the_door_is_refused(cast, world, client_for):
    response = client_for(cast.volunteer_a).post(
        tap_url(world, world.doors[0]),
        {"result": "talked", "contact": cast.person_b.pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert "Pick someone who lives at this door." in response.content.decode()
    assert not DoorResult.objects.exists() and not Interaction.objects.exists()


def test_not_home_is_a_door_result_but_not_an_interaction(cast, world):
    saved = door_result_record(by=cast.volunteer_a, piece=world.piece, door=world.doors[0],
                               result="not_home")  # fmt: skip
    assert saved.interaction is None
    assert saved.contact == world.residents[world.doors[0].pk][0]
    assert not Interaction.objects.exists()


# --- the tap's own time -------------------------------------------------------------------------


def test_a_tap_sent_later_keeps_the_time_it_was_tapped(cast, world, client_for):
    tapped = timezone.now() - dt.timedelta(minutes=42)
    client_for(cast.volunteer_a).post(
        tap_url(world, world.doors[0]),
        {"result": "talked", "client_token": str(uuid.uuid4()),
         "at": tapped.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")},
    )  # fmt: skip
    saved = DoorResult.objects.get()
    assert abs((saved.at - tapped).total_seconds()) < 0.01
    assert abs((saved.interaction.happened_at - tapped).total_seconds()) < 0.01


def test_a_tap_from_the_future_is_taken_as_now(cast, world, client_for):
    before = timezone.now()
    client_for(cast.volunteer_a).post(
        tap_url(world, world.doors[0]),
        {"result": "not_home", "at": (before + dt.timedelta(hours=3)).isoformat()},
    )
    saved = DoorResult.objects.get()
    assert before <= saved.at <= timezone.now()


def test_a_phone_clock_a_little_ahead_is_honored(cast, world):
    ahead = timezone.now() + dt.timedelta(minutes=2)
    saved = door_result_record(by=cast.volunteer_a, piece=world.piece, door=world.doors[0],
                               result="not_home", at=ahead)  # fmt: skip
    assert saved.at == ahead


# --- a note or a new person met at the door -----------------------------------------------------


def test_a_new_person_met_at_the_door_becomes_a_resident(cast, world, client_for):
    door = world.doors[1]
    client_for(cast.volunteer_a).post(
        tap_url(world, door),
        {"result": "talked", "note": "Wants childcare", "first_name": "Nia",
         "last_name": "Noor", "phone": "(212) 555-0142", "client_token": str(uuid.uuid4())},
    )  # fmt: skip
    nia = Contact.objects.get(first_name="Nia")
    assert nia.phones.get().e164 == "+12125550142"
    assert nia.owner == cast.volunteer_a and nia.street == "100 Elm St" and nia.unit == "2A"
    assert HubMember.objects.filter(contact=nia, hub=cast.hub_a).exists()
    assert Residence.objects.filter(contact=nia, unit=door.unit).exists()
    saved = DoorResult.objects.get()
    assert saved.contact == nia and saved.note == "Wants childcare"
    assert Interaction.objects.get().contact == nia


def test_a_known_phone_the_volunteer_may_see_attaches_that_person(cast, world):
    mine = ContactFactory(first_name="Old", owner=cast.volunteer_a)
    PhoneFactory(contact=mine, raw="212-555-0142", e164="+12125550142")
    door = world.doors[0]
    door_result_record(by=cast.volunteer_a, piece=world.piece, door=door, result="talked",
                       new_person=NewPerson("Nia", "", "(212) 555-0142"))  # fmt: skip
    assert not Contact.objects.filter(first_name="Nia").exists()
    assert Residence.objects.filter(contact=mine, unit=door.unit).exists()
    assert DoorResult.objects.get().contact == mine


def test_a_known_phone_the_volunteer_may_not_see_creates_a_new_person(cast, world):
    PhoneFactory(contact=cast.person_b, raw="212-555-0142", e164="+12125550142")
    door_result_record(by=cast.volunteer_a, piece=world.piece, door=world.doors[0],
                       result="talked", new_person=NewPerson("Nia", "", "2125550142"))  # fmt: skip
    nia = Contact.objects.get(first_name="Nia")
    assert nia.pk != cast.person_b.pk
    assert not Residence.objects.filter(contact=cast.person_b).exists()


def test_a_bad_phone_saves_nothing(cast, world, client_for):
    response = client_for(cast.volunteer_a).post(
        tap_url(world, world.doors[0]),
        {"result": "talked", "first_name": "Nia", "phone": "12"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert not DoorResult.objects.exists() and not Contact.objects.filter(first_name="Nia")


def test_a_new_person_sent_twice_is_created_once(cast, world, client_for):
    client = client_for(cast.volunteer_a)
    data = {"result": "talked", "first_name": "Nia", "client_token": str(uuid.uuid4())}
    client.post(tap_url(world, world.doors[0]), data)
    client.post(tap_url(world, world.doors[0]), data)
    assert Contact.objects.filter(first_name="Nia").count() == 1
    assert DoorResult.objects.count() == 1


# --- paper results and the printable list -------------------------------------------------------


def test_paper_results_save_every_filled_row_and_skip_the_empty_ones(cast, world, client_for):
    client = client_for(cast.volunteer_a)
    page = client.get(f"/hubs/pieces/{world.piece.pk}/paper/").content.decode()
    batch = page.split('name="batch_token" value="')[1].split('"')[0]
    a, b, c, _d = world.doors
    data = {"batch_token": batch, f"result-{a.pk}": "talked", f"note-{a.pk}": "Nice",
            f"result-{c.pk}": "not_home", f"result-{b.pk}": "", f"note-{b.pk}": "ignored",
            "knocked_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat()}  # fmt: skip
    response = client.post(f"/hubs/pieces/{world.piece.pk}/paper/", data, follow=True)
    assert "2 results saved." in response.content.decode()
    saved = {r.door_id: r for r in DoorResult.objects.all()}
    assert set(saved) == {a.pk, c.pk}
    assert saved[a.pk].note == "Nice" and saved[c.pk].result == "not_home"
    assert timezone.localtime(saved[a.pk].at).date() == timezone.localdate() - dt.timedelta(1)
    client.post(f"/hubs/pieces/{world.piece.pk}/paper/", data)  # submitted twice
    assert DoorResult.objects.count() == 2


def test_paper_results_with_a_bad_value_save_nothing(cast, world, client_for):
    a, b = world.doors[:2]
    response = client_for(cast.captain_a).post(
        f"/hubs/pieces/{world.piece.pk}/paper/",
        {"batch_token": str(uuid.uuid4()), f"result-{a.pk}": "talked", f"result-{b.pk}": "??"},
        follow=True,
    )
    assert "Nothing was saved" in response.content.decode()
    assert not DoorResult.objects.exists()


def test_the_printable_list_has_buildings_units_residents_boxes_and_the_legend(
    cast, world, client_for
):
    html = client_for(cast.volunteer_a).get(f"/hubs/pieces/{world.piece.pk}/print/")
    html = html.content.decode()
    assert "100 Elm St" in html and "102 Elm St" in html
    assert "Res0x0 Elm" in html and '<th scope="row">2A</th>' in html
    assert html.count('class="result-box"') == 4
    assert "<dt>NH</dt><dd>Not home</dd>" in html and "<dt>CB</dt><dd>Come back later</dd>" in html
    assert 'class="topbar"' not in html and "nav" not in html.split("<body")[1].split(">")[0]


# --- a double tap ---------------------------------------------------------------------------


def test_a_double_tap_with_two_tokens_records_once(cast, world, client_for):
    client = client_for(cast.volunteer_a)
    now = timezone.now()
    for offset in (0, 0.3):
        response = client.post(
            tap_url(world, world.doors[0]),
            {"result": "talked", "client_token": str(uuid.uuid4()),
             "at": (now + dt.timedelta(seconds=offset)).isoformat()},
            headers={"HX-Request": "true"},
        )  # fmt: skip
        assert response.status_code == 200
    assert DoorResult.objects.count() == 1
    assert Interaction.objects.count() == 1


def test_the_same_result_again_later_is_a_second_visit(cast, world):
    door, now = world.doors[0], timezone.now()
    for at in (now - dt.timedelta(minutes=30), now):
        door_result_record(by=cast.volunteer_a, piece=world.piece, door=door, result="not_home",
                           client_token=uuid.uuid4(), at=at)  # fmt: skip
    assert DoorResult.objects.count() == 2


def test_a_different_result_right_after_is_a_correction_and_is_kept(cast, world):
    door = world.doors[0]
    for result in ("not_home", "talked"):
        door_result_record(by=cast.volunteer_a, piece=world.piece, door=door, result=result,
                           client_token=uuid.uuid4())  # fmt: skip
    assert sorted(DoorResult.objects.values_list("result", flat=True)) == ["not_home", "talked"]


def test_a_note_right_after_a_tap_is_kept(cast, world):
    door = world.doors[0]
    for note in ("", "Wants a call back"):
        door_result_record(by=cast.volunteer_a, piece=world.piece, door=door, result="talked",
                           note=note, client_token=uuid.uuid4())  # fmt: skip
    assert DoorResult.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_double_tap_racing_with_two_tokens_records_once(cast):
    world = build_piece(cast.hub_a, assigned_to=cast.volunteer_a)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def send():
        try:
            barrier.wait()
            results.append(
                door_result_record(
                    by=cast.volunteer_a,
                    piece=world.piece,
                    door=world.doors[0],
                    result="signed",
                    client_token=uuid.uuid4(),
                )
            )
        except Exception as exc:  # pragma: no cover - shown by the assert below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len({r.pk for r in results}) == 1
    assert DoorResult.objects.count() == 1
    assert Interaction.objects.count() == 1


def test_the_printable_list_shows_the_results_already_recorded(cast, world, client_for):
    at = timezone.make_aware(dt.datetime(2026, 3, 4, 14, 5))
    door_result_record(by=cast.volunteer_a, piece=world.piece, door=world.doors[1],
                       result="not_home", note="Dog in the yard", at=at)  # fmt: skip
    html = client_for(cast.volunteer_a).get(f"/hubs/pieces/{world.piece.pk}/print/")
    html = html.content.decode()
    assert "1 of 4 doors done" in html
    earlier = html.split('<td class="earlier">')[1:]
    assert len(earlier) == 4
    assert "<strong>NH</strong> Not home" in earlier[1] and "Mar 4 14:05" in earlier[1]
    assert "Dog in the yard" in earlier[1]
    assert "Not home" not in earlier[0] and "—" in earlier[0]
