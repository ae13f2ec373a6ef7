"""CSV import: new people written in chunks while the file is read (triage.py, spool.py) end
up exactly as the rules say — also when a later row takes an already written person back."""

from __future__ import annotations

import pytest
from django.db import connection

from contacts.models import Contact, ContactEvent, Email, ImportJob, Phone, Tag
from contacts.services.imports import import_create, import_run
from contacts.services.imports import spool as import_spool
from contacts.services.imports import triage as import_triage
from tests.factories import ContactFactory, PhoneFactory

HEADER = "first_name,last_name,phone,email,tags"
ROWS = [
    "Ana,Diaz,212-555-0101,ana@example.org,Tenants",  # line 2
    "Ben,Ortiz,212-555-0102,,",  # line 3: no email
    "Cy,Lee,,cy@example.org,Tenants;Nurses",  # line 4: no phone
    "Dee,Ray,212-555-0104,dee@example.org,",  # line 5: Old Ray already has this phone
    "Eve,Kim,212-555-0105,eve@example.org,Nurses",  # line 6
    "Fay,Wu,212-555-0106,fay@example.org,",  # line 7
    "Gus,Pi,212-555-0107,gus@example.org,",  # line 8
    "Ana,,(212) 555-0101,ana.work@example.org,Stewards",  # line 9: Ana again, by her phone
    "Hal,Bo,212-555-0109,hal@example.org,",  # line 10
]


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 3 people, batches of 2 rows triaged at once: the first chunks are written
    (by the worker thread) long before line 9 takes Ana back."""
    monkeypatch.setattr(import_spool, "CHUNK_ROWS", 3)
    monkeypatch.setattr(import_triage, "BATCH_ROWS", 2)
    monkeypatch.setattr(import_triage, "AHEAD_BATCHES", 0)


def _import(*, dry_run: bool = False) -> ImportJob:
    content = ("\n".join([HEADER, *ROWS]) + "\n").encode()
    job = import_create(by=None, filename="people.csv", content=content, dry_run=dry_run)
    return import_run(job_id=job.pk)


def _existing() -> Contact:
    old = ContactFactory(first_name="Old", last_name="Ray", pronouns="")
    PhoneFactory(contact=old, e164="+12125550104")
    return old


@pytest.mark.parametrize("chunks", ["small", "one"])
def test_people_written_while_the_file_is_read_follow_the_rules(db, request, chunks):
    if chunks == "small":
        request.getfixturevalue("small_chunks")
    old = _existing()

    job = _import()

    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.updated_count, job.unchanged_count) == (7, 1, 0)
    assert job.rejected_count == 0
    new = Contact.objects.exclude(pk=old.pk)
    assert new.count() == 7
    ana = Contact.objects.get(emails__address="ana@example.org")  # lines 2 and 9, merged once
    assert sorted(ana.emails.values_list("address", "is_primary")) == [
        ("ana.work@example.org", False),
        ("ana@example.org", True),
    ]
    assert list(ana.phones.values_list("e164", "is_primary")) == [("+12125550101", True)]
    assert sorted(ana.tags.values_list("name", flat=True)) == ["Stewards", "Tenants"]
    assert ContactEvent.objects.filter(contact=ana).count() == 1
    # Every new person: one history entry, a search document with their emails, consent that
    # follows their channels; nothing left behind by the person taken back.
    for person in new:
        assert ContactEvent.objects.filter(contact=person, kind="imported").count() == 1
        assert person.email_ok == person.emails.exists()
        assert not person.sms_ok
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM contacts_searchdoc d JOIN contacts_contact c "
            "ON c.id = d.contact_id WHERE d.doc @@ 'eana@example.org'::tsquery"
        )
        assert cursor.fetchone()[0] == 1
        cursor.execute("SELECT count(*) FROM contacts_searchdoc")
        assert cursor.fetchone()[0] == Contact.objects.count()
    assert Phone.objects.filter(contact__isnull=True).count() == 0
    assert Email.objects.count() == 8  # 6 new people's + Ana's second; Ben has none
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["Nurses", "Stewards", "Tenants"]
    cy = Contact.objects.get(emails__address="cy@example.org")
    assert sorted(cy.tags.values_list("name", flat=True)) == ["Nurses", "Tenants"]
    old.refresh_from_db()
    assert old.emails.filter(address="dee@example.org").exists()  # line 5 added to Old Ray


def _docs() -> dict[int, set[str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_id, tsvector_to_array(doc) FROM contacts_searchdoc")
        return {contact_id: set(words) for contact_id, words in cursor.fetchall()}


def _words(person: Contact) -> set[str]:
    """The search row's words, spelled out: the folded name's words and the emails."""
    return {f"n{w}" for w in person.name_search.split()} | {
        f"e{address}" for address in person.emails.values_list("address", flat=True)
    }


@pytest.mark.parametrize("chunks", ["small", "one"])
def test_the_new_people_get_their_search_rows_with_their_chunk(db, request, chunks):
    # Their rows are written set-based after each chunk's COPYs, with the triggers stepped
    # aside while the chunks go in; the matched person's new email still reaches their row
    # through the trigger.
    if chunks == "small":
        request.getfixturevalue("small_chunks")
    old = _existing()

    _import()

    docs = _docs()
    assert set(docs) == set(Contact.objects.values_list("pk", flat=True))
    for person in Contact.objects.exclude(pk=old.pk):
        assert docs[person.pk] == _words(person), person
    assert docs[old.pk] == {"nold", "nray", "edee@example.org"}
    assert docs[Contact.objects.get(first_name="Ana").pk] == {
        "nana", "ndiaz", "eana@example.org", "eana.work@example.org"
    }  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_after_an_import_commits_the_search_triggers_are_on_again(small_chunks):
    _import()
    assert connection.in_atomic_block is False

    late = ContactFactory(first_name="Zoe", last_name="Late", pronouns="")
    Email.objects.create(contact=late, address="zoe@example.org", is_primary=True)

    assert _docs()[late.pk] == {"nzoe", "nlate", "ezoe@example.org"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('organizer.search_deferred', true)")
        assert cursor.fetchone()[0] in (None, "", "off")


def test_a_dry_run_in_small_chunks_counts_the_same_and_writes_nothing(db, small_chunks):
    _existing()

    job = _import(dry_run=True)

    assert (job.created_count, job.updated_count, job.unchanged_count) == (7, 1, 0)
    assert Contact.objects.count() == 1 and not Tag.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_failure_while_a_chunk_is_written_leaves_the_database_as_it_was(
    monkeypatch, small_chunks
):
    _existing()
    written = []
    real_write_chunk = import_spool.NewPeople.write_chunk

    def failing(self, chunk, pg=None):
        if written:  # the second chunk, on the worker thread
            raise RuntimeError("disk on fire")
        written.append(chunk)
        return real_write_chunk(self, chunk, pg)

    monkeypatch.setattr(import_spool.NewPeople, "write_chunk", failing)

    job = _import()

    assert job.status == ImportJob.Status.FAILED and "disk on fire" in job.error
    assert written  # a chunk was in before the failure
    assert Contact.objects.count() == 1 and Phone.objects.count() == 1
    assert not Email.objects.exists() and not ContactEvent.objects.exists()
    assert not Tag.objects.exists()
    assert set(_docs()) == {Contact.objects.get().pk}
