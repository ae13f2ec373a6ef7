"""Consent follows the channel: no "Email OK" without an email, no "Texts OK" without a phone."""

from __future__ import annotations

from contacts.models import Contact, ContactEvent
from contacts.services.imports import import_create, import_run
from contacts.services.people import (
    NewContact,
    PhoneInput,
    contact_create,
    contact_update,
)


def test_a_person_added_from_the_log_form_with_only_a_phone_is_not_email_ok(cast, client_for):
    client_for(cast.organizer_a).post("/people/log/", {"first_name": "Nia", "phone": "2125550142"})
    nia = Contact.objects.get(first_name="Nia")
    assert (nia.email_ok, nia.sms_ok) == (False, False)


def test_the_add_form_keeps_email_ok_only_with_an_email(cast, client_for):
    from tests.contacts.test_people_pages import _form

    client = client_for(cast.organizer_a)
    client.post("/people/new/", _form())
    client.post(
        "/people/new/",
        _form(
            first_name="Noemail",
            sms_ok="on",
            **{"emails-0-address": "", "phones-0-raw": "", "phones-1-raw": ""},
        ),
    )
    with_email = Contact.objects.get(first_name="Rosa")
    without = Contact.objects.get(first_name="Noemail")
    assert with_email.email_ok is True
    assert (without.email_ok, without.sms_ok) == (False, False)


def test_texts_ok_needs_a_phone_and_stays_with_one(cast):
    data = NewContact(first_name="A", extra={"sms_ok": True})
    assert contact_create(by=cast.staff, data=data).sms_ok is False
    data = NewContact(first_name="B", phones=[PhoneInput("2125550100")], extra={"sms_ok": True})
    assert contact_create(by=cast.staff, data=data).sms_ok is True


def test_removing_the_last_email_clears_email_ok_and_says_so(cast):
    person = contact_create(by=cast.staff, data=NewContact(first_name="Ana", emails=["a@x.org"]))
    assert person.email_ok is True

    contact_update(by=cast.staff, contact=person, fields={}, emails=[])

    person.refresh_from_db()
    assert person.email_ok is False
    event = person.events.get(kind=ContactEvent.Kind.EDITED)
    assert event.changes["email_ok"] == [True, False]


def test_an_import_gives_email_ok_only_to_people_with_an_email(db):
    content = b"first_name,phone,email\nWith,212-555-0101,w@example.org\nWithout,212-555-0102,\n"
    job = import_create(by=None, filename="p.csv", content=content, dry_run=False)
    import_run(job_id=job.pk)
    assert Contact.objects.get(first_name="With").email_ok is True
    assert Contact.objects.get(first_name="Without").email_ok is False
