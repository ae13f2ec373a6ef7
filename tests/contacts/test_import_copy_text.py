"""CSV import: values with the characters COPY's text format escapes are stored as typed."""

from __future__ import annotations

from contacts.models import Contact, ContactEvent, ImportJob
from contacts.services.imports import import_create, import_run


def run(content: bytes) -> ImportJob:
    job = import_create(by=None, filename="people.csv", content=content, dry_run=False)
    return import_run(job_id=job.pk)


def test_it_stores_tabs_backslashes_newlines_and_quotes_exactly(db):
    content = (
        "first_name,last_name,street,languages,email\r\n"
        'Ana,"O\\Brien","12 Main St\nApt 4\tRear","Spanish, ""Creole"" \\x",ana@example.org\r\n'
        "Zoë,Ståhl,,,zoe@example.org\r\n"
    ).encode()

    job = run(content)

    assert (job.status, job.created_count, job.rejected_count) == (ImportJob.Status.DONE, 2, 0)
    ana = Contact.objects.get(emails__address="ana@example.org")
    assert ana.last_name == "O\\Brien"
    assert ana.street == "12 Main St\nApt 4\tRear"
    assert ana.languages == ["Spanish", '"Creole" \\x']
    assert ana.name_search == Contact(first_name="Ana", last_name="O\\Brien").build_name_search()
    zoe = Contact.objects.get(emails__address="zoe@example.org")
    assert (zoe.first_name, zoe.last_name, zoe.languages) == ("Zoë", "Ståhl", [])
    assert zoe.name_search == "zoe stahl"
    assert ContactEvent.objects.filter(contact=zoe, changes={}).count() == 1
