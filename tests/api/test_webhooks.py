"""Outgoing webhooks against a real local receiver: signatures, retries, no duplicate
delivery, stale claims, disabled hooks, each event from the service that does the write, the
SSRF rules and the staff pages for every persona."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from api.models import Webhook, WebhookAttempt, WebhookDelivery, WebhookEvent
from api.models.webhooks import Event
from api.webhooks import delivery as sender
from api.webhooks.delivery import MAX_ATTEMPTS, deliver, due_ids
from api.webhooks.outbox import subscribed_hook_ids
from api.webhooks.safety import url_problem
from campaigns.models import Campaign, Petition
from campaigns.models import Event as CampaignEvent
from campaigns.services.petitions import signature_record
from campaigns.services.rsvps import RsvpInput, checkin_mark, rsvp_submit
from contacts.models import Contact, Interaction
from contacts.services.conversations import one_on_one_log
from contacts.services.ladder import ladder_rescore, ladder_stage_hold
from contacts.services.people import NewContact, PhoneInput, contact_create, contact_update
from tests.api import receiver as http
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def local_hooks(settings):
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_PRIVATE = True


@pytest.fixture
def receiver():
    r = http.start()
    yield r
    r.server.shutdown()


def make_hook(receiver, events=(Event.PERSON_CREATED,), **fields) -> Webhook:
    return Webhook.objects.create(
        name="Data team", url=f"{receiver.url}/hook", events=list(events), **fields
    )


def create_person(staff, first="Rosa", phone="718-555-0101") -> object:
    return contact_create(
        by=staff,
        data=NewContact(first_name=first, last_name="Luxemburg", phones=[PhoneInput(phone)]),
    )


def only_delivery() -> WebhookDelivery:
    (d,) = WebhookDelivery.objects.all()
    return d


# --- delivery --------------------------------------------------------------------------------


def test_a_delivery_is_signed_with_the_hook_secret_and_verifies(cast, receiver):
    hook = make_hook(receiver)
    person = create_person(cast.staff)
    d = only_delivery()

    assert deliver(delivery_id=d.pk) == WebhookDelivery.Status.DELIVERED

    (req,) = receiver.requests
    h = {k.lower(): v for k, v in req.headers.items()}
    assert h["x-organizer-event"] == "person.created"
    assert h["x-organizer-delivery"] == str(d.pk)
    expected = hmac.new(
        hook.secret.encode(), h["x-organizer-timestamp"].encode() + b"." + req.body, hashlib.sha256
    ).hexdigest()
    assert h["x-organizer-signature"] == f"sha256={expected}"
    body = req.json()
    assert body["id"] == d.pk and body["event"] == "person.created"
    assert body["data"]["id"] == person.pk and body["data"]["first_name"] == "Rosa"
    assert body["data"]["phones"][0]["e164"] == "+17185550101"
    d.refresh_from_db()
    assert (d.status, d.attempts, d.last_status_code) == ("delivered", 1, 200)


def test_a_500_then_a_200_gives_one_success_after_a_retry(cast, receiver):
    receiver.answers = [(500, "down for a minute"), (200, "thanks")]
    make_hook(receiver)
    create_person(cast.staff)
    d = only_delivery()

    assert deliver(delivery_id=d.pk) == WebhookDelivery.Status.PENDING
    d.refresh_from_db()
    assert d.attempts == 1 and d.last_status_code == 500
    assert d.last_response == "down for a minute"
    assert d.next_attempt_at > timezone.now() + dt.timedelta(seconds=40)  # backoff, jittered
    assert deliver(delivery_id=d.pk) is None  # not due yet
    later = d.next_attempt_at + dt.timedelta(seconds=1)
    assert due_ids(now=later) == [d.pk]
    assert deliver(delivery_id=d.pk, now=later) == WebhookDelivery.Status.DELIVERED

    assert [r.headers["X-Organizer-Delivery"] for r in receiver.requests] == [str(d.pk)] * 2
    codes = sorted(WebhookAttempt.objects.filter(delivery=d).values_list("status_code", flat=True))
    assert codes == [200, 500]
    assert deliver(delivery_id=d.pk, now=later + dt.timedelta(days=2)) is None
    assert len(receiver.requests) == 2


def test_a_receiver_that_never_answers_2xx_is_given_up_after_the_last_attempt(cast, receiver):
    receiver.answers = [(503, "no")]
    make_hook(receiver)
    create_person(cast.staff)
    d = only_delivery()
    now = timezone.now()
    for _ in range(MAX_ATTEMPTS):
        deliver(delivery_id=d.pk, now=now)
        now += dt.timedelta(days=1)
    d.refresh_from_db()
    assert (d.status, d.attempts, d.next_attempt_at) == ("failed", MAX_ATTEMPTS, None)
    assert deliver(delivery_id=d.pk, now=now) is None
    assert len(receiver.requests) == MAX_ATTEMPTS


def test_an_unreachable_receiver_is_logged_and_retried(cast, receiver):
    make_hook(receiver)
    Webhook.objects.update(url="http://127.0.0.1:9/nothing-listens")
    create_person(cast.staff)
    d = only_delivery()
    assert deliver(delivery_id=d.pk) == WebhookDelivery.Status.PENDING
    (attempt,) = WebhookAttempt.objects.all()
    assert attempt.status_code is None and "refused" in attempt.error.lower()


def test_a_long_response_is_kept_as_a_bounded_excerpt(cast, receiver):
    receiver.answers = [(200, "x" * 100_000)]
    make_hook(receiver)
    create_person(cast.staff)
    d = only_delivery()
    deliver(delivery_id=d.pk)
    d.refresh_from_db()
    assert len(d.last_response) == sender.EXCERPT


@pytest.mark.django_db(transaction=True)
def test_a_delivery_that_succeeded_is_never_sent_again_even_by_two_workers_at_once(receiver):
    from tests.factories import UserFactory

    staff = UserFactory(email="s@example.org", role="staff")
    receiver.delay = 0.3  # both workers are in flight together
    make_hook(receiver)
    create_person(staff)
    d = only_delivery()
    results = []
    barrier = threading.Barrier(2)

    def work():
        from django.db import connection

        barrier.wait()
        try:
            results.append(deliver(delivery_id=d.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(results, key=str) == [None, "delivered"]
    assert len(receiver.requests) == 1
    assert deliver(delivery_id=d.pk) is None  # the task run a third time: still nothing sent
    assert len(receiver.requests) == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_died_mid_send_is_taken_up_once_its_claim_is_stale(receiver):
    from tests.factories import UserFactory

    make_hook(receiver)
    create_person(UserFactory(email="s@example.org", role="staff"))
    d = only_delivery()
    now = timezone.now()
    assert sender._claim(d.pk, now) == 1  # a worker claimed it, then died before the POST

    assert deliver(delivery_id=d.pk, now=now + dt.timedelta(minutes=1)) is None  # still fresh
    assert due_ids(now=now + dt.timedelta(minutes=1)) == []
    stale = now + sender.STALE_AFTER + dt.timedelta(seconds=1)
    assert due_ids(now=stale) == [d.pk]
    assert deliver(delivery_id=d.pk, now=stale) == "delivered"
    d.refresh_from_db()
    assert d.attempts == 2
    assert len(receiver.requests) == 1


def test_the_dead_workers_late_outcome_cannot_overwrite_the_new_claim(cast, receiver):
    receiver.answers = [(500, "no")]
    make_hook(receiver)
    create_person(cast.staff)
    d = only_delivery()
    now = timezone.now()
    sender._claim(d.pk, now)  # attempt 1, "dead"
    stale = now + sender.STALE_AFTER + dt.timedelta(seconds=1)
    sender._claim(d.pk, stale)  # attempt 2 is the live claim
    # The first worker comes back and writes with its old claim: nothing changes.
    assert not WebhookDelivery.objects.filter(pk=d.pk, attempts=1).update(status="delivered")
    d.refresh_from_db()
    assert (d.status, d.attempts) == ("sending", 2)


def test_disabled_hooks_get_nothing(cast, receiver, client_for):
    make_hook(receiver, active=False)
    create_person(cast.staff)
    assert not WebhookDelivery.objects.exists() and not WebhookEvent.objects.exists()

    hook = Webhook.objects.get()
    hook.active = True
    hook.save()
    create_person(cast.staff, first="Lucy", phone="718-555-0102")
    d = only_delivery()
    # Turned off before the delivery went out: it is given up, never sent, not even later.
    form = {"name": hook.name, "url": hook.url, "events": hook.events}
    client_for(cast.staff).post(f"/webhooks/{hook.pk}/", form)  # "active" unticked
    hook.refresh_from_db()
    assert hook.active is False
    assert deliver(delivery_id=d.pk) is None
    assert due_ids(now=timezone.now() + dt.timedelta(days=2)) == []
    assert receiver.requests == []


def test_hooks_only_get_the_events_they_chose(cast, receiver):
    make_hook(receiver, events=[Event.ONE_ON_ONE_LOGGED])
    create_person(cast.staff)
    assert not WebhookDelivery.objects.exists()


def test_an_event_is_written_in_the_same_transaction_as_its_cause(cast, receiver):
    make_hook(receiver)
    with pytest.raises(RuntimeError), transaction.atomic():
        create_person(cast.staff)
        assert WebhookDelivery.objects.count() == 1
        raise RuntimeError("the request failed after the save")
    assert not WebhookDelivery.objects.exists() and not WebhookEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_person_is_not_created_without_their_event_when_the_outbox_write_fails(
    cast, receiver, monkeypatch
):
    """No caller's transaction around it (the add-person page, the API): the person and the
    outbox row still commit together or not at all."""
    from api.webhooks import receivers

    make_hook(receiver)

    def broken(*args, **kwargs):
        raise RuntimeError("the outbox write failed")

    monkeypatch.setattr(receivers, "emit", broken)
    with pytest.raises(RuntimeError):
        create_person(cast.staff)
    assert not Contact.objects.filter(first_name="Rosa").exists()


def test_each_subscribed_hook_gets_its_own_delivery(cast, receiver):
    make_hook(receiver)
    make_hook(receiver)
    create_person(cast.staff)
    (event,) = WebhookEvent.objects.all()
    assert event.deliveries.count() == 2


def test_a_new_hook_hears_the_next_event_though_the_process_knew_there_were_none(cast, receiver):
    create_person(cast.staff)  # reads the (empty) hook table once
    assert not WebhookDelivery.objects.exists()
    make_hook(receiver)  # saved here: this process reads the table again
    create_person(cast.staff, first="Lucy", phone="718-555-0102")
    assert only_delivery().event.event == Event.PERSON_CREATED


def test_who_wants_what_is_read_once_not_per_event(cast, receiver, django_assert_num_queries):
    create_person(cast.staff)
    with django_assert_num_queries(0):
        assert subscribed_hook_ids(Event.PERSON_CREATED) == []
        assert subscribed_hook_ids(Event.RSVP_CREATED) == []


def test_a_hook_switched_off_or_deleted_elsewhere_a_moment_ago_gets_nothing(cast, receiver):
    off, gone = make_hook(receiver), make_hook(receiver)
    assert sorted(subscribed_hook_ids(Event.PERSON_CREATED)) == sorted([off.pk, gone.pk])
    # Another web worker's writes (no signal here): this process's copy is a moment old.
    Webhook.objects.filter(pk=off.pk).update(active=False)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM api_webhook WHERE id = %s", [gone.pk])
        # Foreign keys checked at once, as the person's transaction's COMMIT would.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    create_person(cast.staff)
    assert not WebhookDelivery.objects.exists() and not WebhookEvent.objects.exists()


def test_deliveries_are_queued_on_commit(cast, receiver, django_capture_on_commit_callbacks):
    make_hook(receiver)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        create_person(cast.staff)
    assert callbacks  # the delivery task is queued once the person is saved


# --- each event from the real service --------------------------------------------------------


def events_of(kind: str) -> list[dict]:
    return list(
        WebhookEvent.objects.filter(event=kind).order_by("pk").values_list("data", flat=True)
    )


@pytest.fixture
def all_events_hook(receiver):
    return make_hook(receiver, events=Event.values)


@pytest.fixture
def consistent_people(cast):
    """The factory's people say "Email OK" without an email; the first edit would fix that."""
    Contact.objects.update(email_ok=False, sms_ok=False)


def test_person_updated_says_what_changed(cast, all_events_hook, consistent_people):
    contact_update(by=cast.staff, contact=cast.person_a, fields={"city": "Brooklyn"})
    (data,) = events_of("person.updated")
    assert data["changed"] == ["city"]
    assert data["person"]["city"] == "Brooklyn" and data["person"]["id"] == cast.person_a.pk
    assert data["person"]["hubs"] == [{"id": cast.hub_a.pk, "name": "Hub A"}]


def test_an_edit_that_changes_nothing_sends_nothing(cast, all_events_hook, consistent_people):
    contact_update(by=cast.staff, contact=cast.person_a, fields={"first_name": "Ana"})
    assert events_of("person.updated") == []


def test_a_one_on_one_is_sent_without_its_notes(cast, all_events_hook):
    one_on_one_log(
        by=cast.organizer_a,
        contact=cast.person_a,
        notes="Her landlord threatens her",
        ask="Come to the meeting",
        commitment="Will bring two neighbors",
        assessment=2,
        is_sensitive=True,
    )
    (data,) = events_of("one_on_one.logged")
    interaction = Interaction.objects.get()
    assert data["id"] == interaction.pk and data["person"]["id"] == cast.person_a.pk
    assert data["assessment"] == 2 and data["by"]["id"] == cast.organizer_a.pk
    text = str(WebhookEvent.objects.values_list("data", flat=True)[::1])
    for secret in ("landlord", "Come to the meeting", "two neighbors"):
        assert secret not in text


def test_a_one_on_one_with_someone_new_sends_the_new_person_too(cast, all_events_hook):
    one_on_one_log(by=cast.organizer_a, new_contact=NewContact(first_name="Nova"))
    assert [d["first_name"] for d in events_of("person.created")] == ["Nova"]
    assert len(events_of("one_on_one.logged")) == 1


def test_a_stage_set_by_hand_is_sent(cast, all_events_hook, default_ladder):
    ladder_stage_hold(
        by=cast.staff, contact=cast.person_a, stage=default_ladder["Leader"], reason="Runs it"
    )
    (data,) = events_of("stage.changed")
    assert data["to_stage"] == "Leader" and data["manual"] is True
    assert data["person"] == {"id": cast.person_a.pk, "first_name": "Ana", "last_name": "Alvarez"}


def test_a_rescore_sends_one_event_per_move_in_one_statement(
    cast, all_events_hook, default_ladder, django_assert_max_num_queries
):
    people = [ContactFactory() for _ in range(30)]
    with django_assert_max_num_queries(12):  # not one query per person
        result = ladder_rescore(contact_ids=[p.pk for p in people])
    assert result.moves == 30
    moved = events_of("stage.changed")
    assert sorted(d["person"]["id"] for d in moved) == sorted(p.pk for p in people)
    assert {d["to_stage"] for d in moved} == {"Contact"}
    assert WebhookDelivery.objects.count() == 30


@pytest.fixture
def event(cast):
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="Heat", slug="heat", starts_on=today, ends_on=today + dt.timedelta(days=9)
    )
    campaign.hubs.set([cast.hub_a])
    start = timezone.now() + dt.timedelta(days=1)
    return CampaignEvent.objects.create(
        title="Potluck",
        kind=CampaignEvent.Kind.POTLUCK,
        hub=cast.hub_a,
        campaign=campaign,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )


def test_an_rsvp_and_its_attendance_are_sent(cast, all_events_hook, event):
    rsvp, _created = rsvp_submit(
        event=event, data=RsvpInput(first_name="Pat", phone="718-555-0199")
    )
    checkin_mark(by=cast.organizer_a, event=event, rsvp_id=rsvp.pk)
    checkin_mark(by=cast.organizer_a, event=event, rsvp_id=rsvp.pk)  # a second tap: once
    (created,) = events_of("rsvp.created")
    assert created["id"] == rsvp.pk and created["event"]["title"] == "Potluck"
    assert created["person"]["first_name"] == "Pat"
    (attended,) = events_of("attendance.recorded")
    assert attended["attended_at"] is not None
    rsvp_submit(event=event, data=RsvpInput(first_name="Pat", phone="718-555-0199"))
    assert len(events_of("rsvp.created")) == 1  # the same person again is the same RSVP


def test_a_signature_is_sent_once(cast, all_events_hook, event):
    petition = Petition.objects.create(campaign=event.campaign, title="Fix the boiler")
    signature_record(petition=petition, contact=cast.person_a, source="online")
    signature_record(petition=petition, contact=cast.person_a, source="online")
    (data,) = events_of("signature.created")
    assert data["petition"] == {"id": petition.pk, "title": "Fix the boiler"}
    assert data["person"]["id"] == cast.person_a.pk


# --- where we send ---------------------------------------------------------------------------


def test_private_and_loopback_addresses_are_refused_in_production(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    for url in ("https://127.0.0.1/x", "https://10.1.2.3/", "https://169.254.169.254/latest"):
        assert "private" in url_problem(url)
    assert url_problem("https://[::1]/hook")


def test_plain_http_is_refused_in_production(settings):
    settings.WEBHOOKS_ALLOW_HTTP = False
    assert "https" in url_problem("http://example.org/hook")
    assert url_problem("ftp://example.org/") and url_problem("https://user:pw@example.org/")


def test_a_hook_re_pointed_at_a_private_address_is_not_sent_to(cast, receiver, settings):
    make_hook(receiver)
    create_person(cast.staff)
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    d = only_delivery()
    assert deliver(delivery_id=d.pk) == "pending"
    assert receiver.requests == []
    assert "private" in WebhookAttempt.objects.get().error


def test_a_redirect_is_not_followed(cast, receiver):
    receiver.answers = [(302, "elsewhere")]
    make_hook(receiver)
    create_person(cast.staff)
    assert deliver(delivery_id=only_delivery().pk) == "pending"
    assert len(receiver.requests) == 1


# --- staff pages -----------------------------------------------------------------------------


def test_staff_add_a_hook_see_its_secret_test_it_and_delete_it(cast, receiver, client_for):
    c = client_for(cast.staff)
    response = c.post(
        "/webhooks/new/",
        {
            "name": "Data team",
            "url": f"{receiver.url}/in",
            "events": ["person.created", "rsvp.created"],
            "active": "on",
        },
    )
    hook = Webhook.objects.get()
    assert response.status_code == 302 and hook.created_by == cast.staff
    assert hook.events == ["person.created", "rsvp.created"]
    page = c.get(f"/webhooks/{hook.pk}/").content.decode()
    assert hook.secret in page and "Send test" in page

    assert c.post(f"/webhooks/{hook.pk}/test/").status_code == 302
    d = only_delivery()
    assert d.event.event == "ping"
    deliver(delivery_id=d.pk)
    page = c.get(f"/webhooks/{hook.pk}/").content.decode()
    assert "ping" in page and "delivered" in page
    assert c.get(f"/webhooks/{hook.pk}/deliveries/{d.pk}/").status_code == 200

    old = hook.secret
    c.post(f"/webhooks/{hook.pk}/secret/")
    hook.refresh_from_db()
    assert hook.secret != old

    assert c.post(f"/webhooks/{hook.pk}/delete/").status_code == 302
    assert not Webhook.objects.exists()


def test_bad_input_is_a_form_error_not_a_500(cast, client_for, settings):
    settings.WEBHOOKS_ALLOW_HTTP = False
    c = client_for(cast.staff)
    for url in ("http://example.org/", "not a url", "https://e.org/" + "a" * 600, ""):
        response = c.post("/webhooks/new/", {"name": "x", "url": url, "events": ["ping"]})
        assert response.status_code == 200
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("persona", ["captain_a", "organizer_a", "organizer_b", "volunteer_a"])
def test_only_staff_see_webhooks(cast, receiver, client_for, persona):
    hook = make_hook(receiver)
    c = client_for(getattr(cast, persona))
    for url in ("/webhooks/", "/webhooks/new/", f"/webhooks/{hook.pk}/"):
        assert c.get(url).status_code == 404
    for url in ("test", "secret", "delete"):
        assert c.post(f"/webhooks/{hook.pk}/{url}/").status_code == 404
    assert Webhook.objects.filter(pk=hook.pk).exists() and not WebhookDelivery.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/webhooks/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_finished_events_are_forgotten_after_30_days_but_waiting_ones_are_kept(cast, receiver):
    receiver.answers = [(200, "ok"), (500, "no")]
    make_hook(receiver)
    create_person(cast.staff)
    create_person(cast.staff, first="Lucy", phone="718-555-0102")
    done, waiting = WebhookDelivery.objects.order_by("pk")
    deliver(delivery_id=done.pk)
    deliver(delivery_id=waiting.pk)
    later = timezone.now() + dt.timedelta(days=31)

    assert sender.forget_old(now=later) == 1
    assert list(WebhookDelivery.objects.values_list("pk", flat=True)) == [waiting.pk]
    assert WebhookAttempt.objects.filter(delivery=waiting).count() == 1
    assert sender.forget_old(now=timezone.now()) == 0


def test_the_webhook_page_costs_the_same_queries_for_5_or_50_deliveries(
    cast, receiver, client_for, django_assert_max_num_queries
):
    hook = make_hook(receiver)
    c = client_for(cast.staff)
    for n in range(5):
        create_person(cast.staff, first=f"P{n}", phone=f"718-555-02{n:02d}")
    with django_assert_max_num_queries(20) as few:
        c.get(f"/webhooks/{hook.pk}/")
    for n in range(5, 50):
        create_person(cast.staff, first=f"P{n}", phone=f"718-555-02{n:02d}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert c.get(f"/webhooks/{hook.pk}/").content.decode().count("person.created #") == 50


def test_the_tasks_are_a_quiet_no_op_for_rows_that_are_gone(db):
    from api import tasks

    tasks.deliver_webhook_task(987654)
    tasks.sync_run_task(987654)
    tasks.webhooks_sweep_task()
    tasks.sync_sweep_task()
    assert not WebhookDelivery.objects.exists()
