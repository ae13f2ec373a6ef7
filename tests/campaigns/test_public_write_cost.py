"""What a public RSVP or signature costs in SQL statements, and that the fast path (the person in
one statement, the RSVP as one upsert, the ladder activity in one statement) keeps everything
the slow one wrote: the search index, history, hub, consent, recruiter credit, ladder.

The counts guard the speed target of issues #11 and #12 (bench/bench_event.py,
bench/bench_petition.py): each statement is a round trip, which on a loaded machine costs as
much as the SQL. They include the transaction's BEGIN and COMMIT (savepoints here, inside the
test's transaction) and not the request's statement timeout (set on the raw connection)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.models import Campaign, EventMessage, Petition, Rsvp, Shift, Signature
from campaigns.services.events import recruiter_code_for
from campaigns.services.rsvps import RsvpInput, rsvp_submit
from contacts.models import Activity, Contact, ContactEvent, HubMember, SearchDoc
from contacts.selectors.search import find_people
from contacts.services.people import DuplicateContact, NewContact, PhoneInput, contact_create
from tests.factories import ContactFactory, EmailFactory, PhoneFactory

pytestmark = pytest.mark.django_db

# Whether a webhook wants a new person, RSVP or signature is no statement: the process's copy of
# the hook table answers (api/webhooks/outbox.py; ``hooks_known`` below has read it).
# BEGIN, the event with its shifts, the locks and the match (three statements, one message),
# the person (one statement), the RSVP with its confirmation rows (one statement), COMMIT.
RSVP_NEW_PERSON = 5
# BEGIN, the event, locks and match, the RSVP (upsert), COMMIT.
RSVP_AGAIN = 4
# BEGIN, the petition (with its hub), locks and match, the person, the signature with its
# ladder activity (one statement), COMMIT.
SIGN_NEW_PERSON = 5
# BEGIN, petition, locks and match, signature (a no-op), the first signature read, COMMIT.
SIGN_AGAIN = 5


@pytest.fixture(autouse=True)
def hooks_known(db):
    """The process has read which webhooks want which event (as it has, most of the time)."""
    from api.webhooks.outbox import subscribed_hook_ids

    subscribed_hook_ids("person.created")


@pytest.fixture
def petition(cast):
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="Fix the heat",
        slug="fix-the-heat",
        starts_on=today - dt.timedelta(days=3),
        ends_on=today + dt.timedelta(days=6),
    )
    campaign.hubs.set([cast.hub_a])
    return Petition.objects.create(campaign=campaign, title="Heat", text="Fix the boilers.")


def post(client, url: str, **data) -> tuple[int, int]:
    """(status, statements) of one POST."""
    form = {"first_name": "Rosa", "last_name": "Luna", "phone": "(718) 555-0142"} | data
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, form)
    return response.status_code, len(queries)


def test_a_new_persons_rsvp_is_five_statements_and_writes_everything(event, cast, public_client):
    url = f"/e/{event.pk}/"
    status, statements = post(public_client(), url, email="Rosa@Example.org", sms_consent="on")
    assert (status, statements) == (302, RSVP_NEW_PERSON)
    person = Contact.objects.get(phones__e164="+17185550142")
    assert (person.first_name, person.last_name, person.source) == (
        "Rosa",
        "Luna",
        "RSVP: Childcare potluck",
    )
    assert person.sms_ok  # texts consented with the phone
    assert list(person.emails.values_list("address", "is_primary")) == [("rosa@example.org", True)]
    assert list(person.phones.values_list("raw", "is_primary")) == [("+17185550142", True)]
    assert HubMember.objects.filter(contact=person, hub=cast.hub_a).exists()
    history = ContactEvent.objects.get(contact=person)
    assert (history.kind, history.summary) == ("created", "Added from RSVP: Childcare potluck")
    # The search index saw the whole person: name, email and hub (one statement, its triggers).
    doc = SearchDoc.objects.get(contact=person).doc
    assert {"nrosa", "nluna", "erosa@example.org", f"h{cast.hub_a.pk}"} <= set(
        term.split(":")[0].strip("'") for term in doc.split()
    )
    assert [p.pk for p in find_people(cast.organizer_a, "rosa@exa")] == [person.pk]
    rsvp = Rsvp.objects.get(event=event, contact=person)
    assert rsvp.sms_consent and rsvp.consent_at and rsvp.recruited_by_id is None
    assert rsvp.consent_text.startswith("Yes, text me about this event")
    channels = set(EventMessage.objects.filter(contact=person).values_list("channel", "to"))
    assert channels == {("email", "rosa@example.org"), ("sms", "+17185550142")}


def test_a_recruiter_link_adds_three_statements_and_credits_the_recruiter(event, public_client):
    recruiter = ContactFactory()
    code = recruiter_code_for(contact=recruiter).code
    status, statements = post(public_client(), f"/e/{event.pk}/", r=code)
    # + the code's lookup, the recruiter's existence (validation) and their ladder credit
    assert (status, statements) == (302, RSVP_NEW_PERSON + 3)
    person = Contact.objects.get(phones__e164="+17185550142")
    assert person.recruited_by_id == recruiter.pk
    assert Rsvp.objects.get(contact=person).recruited_by_id == recruiter.pk
    credit = Activity.objects.get(contact=recruiter, kind=Activity.Kind.RECRUITED)
    assert credit.source_id == person.pk


def test_rsvping_again_is_four_statements_and_keeps_the_first_rsvp(event, public_client):
    url = f"/e/{event.pk}/"
    assert post(public_client(), url)[0] == 302
    first = Rsvp.objects.get()
    status, statements = post(public_client(), url, first_name="Other", sms_consent="on")
    assert (status, statements) == (302, RSVP_AGAIN)
    again = Rsvp.objects.get()
    assert (again.pk, again.created_at, again.source) == (first.pk, first.created_at, "public")
    assert again.sms_consent and again.consent_at is not None  # consent given the second time
    person = Contact.objects.get(phones__e164="+17185550142")
    assert person.first_name == "Rosa"  # the public form rewrites nobody
    assert EventMessage.objects.count() == 0  # no email, no consent the first time: no message


def test_the_rsvp_service_returns_the_stored_rsvp_and_whether_it_is_new(event):
    data = RsvpInput(first_name="Rosa", phone="718-555-0142")
    rsvp, created = rsvp_submit(event=event, data=data)
    assert created and rsvp.pk and rsvp.contact.first_name == "Rosa"
    again, created = rsvp_submit(event=event, data=data, now=timezone.now() + dt.timedelta(1))
    assert not created and again.pk == rsvp.pk and again.created_at == rsvp.created_at


def test_a_known_persons_first_rsvp_plans_the_confirmation(event, public_client):
    known = ContactFactory(first_name="Rosa")
    EmailFactory(contact=known, address="rosa@example.org")
    status, statements = post(
        public_client(), f"/e/{event.pk}/", phone="", email="rosa@example.org"
    )
    # The confirmation is in the RSVP's statement.
    assert (status, statements) == (302, RSVP_AGAIN)
    assert Rsvp.objects.get().contact == known
    assert EventMessage.objects.get().to == "rosa@example.org"


def test_a_new_signers_signature_is_five_statements_and_writes_everything(
    petition, cast, public_client
):
    url = f"/p/{petition.pk}/"
    status, statements = post(
        public_client(), url, email="rosa@example.org", street="1 Main St", zip_code="11237",
        consent="on",
    )  # fmt: skip
    assert (status, statements) == (302, SIGN_NEW_PERSON)
    person = Contact.objects.get(phones__e164="+17185550142")
    assert (person.street, person.zip_code, person.sms_ok) == ("1 Main St", "11237", True)
    assert HubMember.objects.filter(contact=person, hub=cast.hub_a).exists()
    assert ContactEvent.objects.filter(contact=person, kind="created").count() == 1
    signature = Signature.objects.get(petition=petition, contact=person)
    assert signature.consent_text and signature.consent_at == signature.signed_at
    activity = Activity.objects.get(contact=person, kind=Activity.Kind.PETITION_SIGNED)
    assert activity.source_id == signature.pk
    person.refresh_from_db()
    assert person.needs_rescore


def test_signing_again_is_five_statements_and_keeps_the_first(petition, public_client):
    known = ContactFactory()
    PhoneFactory(contact=known, raw="718-555-0142", e164="+17185550142")
    url = f"/p/{petition.pk}/"
    # A known person's first: no read of an earlier signature.
    assert post(public_client(), url) == (302, SIGN_AGAIN - 1)
    first = Signature.objects.get()
    assert post(public_client(), url, consent="on") == (302, SIGN_AGAIN)
    assert list(Signature.objects.values_list("pk", "consent_text")) == [(first.pk, "")]
    assert Activity.objects.filter(kind=Activity.Kind.PETITION_SIGNED).count() == 1


def test_shifts_come_with_the_event_and_a_bad_rsvp_shows_the_page_with_them(event, public_client):
    start = event.starts_at
    early = Shift.objects.create(event=event, label="Setup", starts_at=start, ends_at=start)
    late = Shift.objects.create(
        event=event, label="Cleanup", starts_at=start + dt.timedelta(hours=1),
        ends_at=start + dt.timedelta(hours=2), capacity=1,
    )  # fmt: skip
    url = f"/e/{event.pk}/"
    # A capacity adds its check (the event locked, the places counted).
    assert post(public_client(), url, shift=late.pk) == (302, RSVP_NEW_PERSON + 2)
    assert Rsvp.objects.get().shift == late
    # No shift picked: the page again, with both shifts, the full one marked, and the error.
    response = public_client().post(url, {"first_name": "Ana", "phone": "718-555-0199"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Setup" in page and "Cleanup (full)" in page and "Pick a shift" in page
    assert post(public_client(), url, phone="718-555-0198", shift=early.pk)[0] == 302
    assert Rsvp.objects.filter(shift=early).count() == 1


def test_creating_a_person_whose_phone_is_taken_writes_nothing_and_names_them(cast):
    known = ContactFactory(first_name="Rosa")
    PhoneFactory(contact=known, raw="718-555-0142", e164="+17185550142")
    before = (Contact.objects.count(), ContactEvent.objects.count(), HubMember.objects.count())
    data = NewContact(
        first_name="Other", phones=[PhoneInput(raw="(718) 555-0142")], hubs=[cast.hub_a]
    )
    with pytest.raises(DuplicateContact) as raised:
        contact_create(by=None, data=data)  # the check is inside the INSERT statement
    assert raised.value.matches == [known]
    after = (Contact.objects.count(), ContactEvent.objects.count(), HubMember.objects.count())
    assert after == before


def test_a_person_added_by_another_path_behind_the_match_is_matched_not_duplicated(
    event, public_client, monkeypatch
):
    """An import or a staff form takes no advisory lock: a person it commits after the match
    read its snapshot is caught by the check inside the INSERT."""
    import campaigns.services.rsvps as rsvps

    known = ContactFactory(first_name="Rosa")
    PhoneFactory(contact=known, raw="718-555-0142", e164="+17185550142")
    real, calls = rsvps.first_match_after, []

    def stale_first(statements, **kwargs):  # the match under the locks misses them, as a
        calls.append(kwargs)  # stale snapshot would (the event's rows come back as read)
        rows, _match = real(statements, **kwargs)
        return rows, None

    monkeypatch.setattr(rsvps, "first_match_after", stale_first)
    assert post(public_client(), f"/e/{event.pk}/", first_name="Other")[0] == 302
    assert Contact.objects.filter(phones__e164="+17185550142").count() == 1
    assert Rsvp.objects.get().contact == known
