"""The import pages: upload → preview (adjustable mapping, dry-run counts) → job → report."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts import tasks
from contacts.models import Contact, ImportJob
from contacts.services.imports import import_create
from organizer.celery import app as celery_app

FIXTURES = Path(__file__).parent / "fixtures"


def upload_url() -> str:
    return reverse("contacts:import_upload")


def upload(client, name: str, content: bytes, **data):
    return client.post(upload_url(), {"file": SimpleUploadedFile(name, content), **data})


def job_urls(job: ImportJob) -> list[tuple[str, str]]:
    return [
        ("get", reverse("contacts:import_preview", args=[job.pk])),
        ("get", reverse("contacts:import_job", args=[job.pk])),
        ("get", reverse("contacts:import_rejected_csv", args=[job.pk])),
        ("post", reverse("contacts:import_start", args=[job.pk])),
    ]


@pytest.mark.parametrize("persona", ["captain_a", "organizer_a", "organizer_b", "volunteer_a"])
def test_import_pages_are_404_for_everyone_but_staff(cast, client_for, persona):
    job = import_create(by=cast.staff, filename="van.csv", content=b"name\nAna\n")
    client = client_for(getattr(cast, persona))

    assert client.get(upload_url()).status_code == 404
    assert upload(client, "x.csv", b"name\nAna\n").status_code == 404
    for method, url in job_urls(job):
        assert getattr(client, method)(url).status_code == 404
    assert ImportJob.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(cast, client):
    response = client.get(upload_url())

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_staff_upload_preview_run_and_read_the_report(
    cast, client_for, django_capture_on_commit_callbacks
):
    client = client_for(cast.staff)

    response = upload(client, "van.csv", (FIXTURES / "van_export.csv").read_bytes())
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:import_preview", args=[job.pk])

    page = client.get(response["Location"]).content.decode()
    assert "The preview is worked out as soon as a worker picks it up." in page
    tasks.import_contacts_task(str(job.pk))  # the worker works the preview out (a dry run)

    page = client.get(response["Location"]).content.decode()
    assert "VAN / EveryAction" in page
    assert '<label for="id_col_0">VANID</label>' in page
    assert '<option value="id:van" selected>' in page
    assert '<strong data-count="create">3</strong>' in page
    assert "12 Elm St" in page  # first rows shown
    job.refresh_from_db()
    assert job.dry_run and job.status == ImportJob.Status.DONE  # a finished dry run
    assert Contact.objects.count() == 2  # the cast's two people: nothing imported yet

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        data = {f"col_{i}": t for i, t in enumerate(job.mapping["columns"])}
        response = client.post(
            reverse("contacts:import_preview", args=[job.pk]), {**data, "run": "1"}
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:import_job", args=[job.pk])
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PENDING and not job.dry_run

    tasks.import_contacts_task(str(job.pk))  # what the worker does

    page = client.get(response["Location"]).content.decode()
    assert '<strong data-count="created">3</strong>' in page
    assert 'hx-trigger="every 1s"' not in page
    assert Contact.objects.filter(external_ids__value="100234", city="Albany").exists()
    assert Contact.objects.count() == 5


def test_the_person_can_adjust_the_mapping_before_running(cast, client_for):
    client = client_for(cast.staff)
    upload(client, "van.csv", (FIXTURES / "van_export.csv").read_bytes())
    job = ImportJob.objects.get()
    url = reverse("contacts:import_preview", args=[job.pk])
    data = {f"col_{i}": t for i, t in enumerate(job.mapping["columns"])}
    data["col_3"] = "neighborhood"  # "Address" holds the neighborhood in this file

    response = client.post(url, {**data, "preview": "1"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert '<option value="neighborhood" selected>' in page

    client.post(url, {**data, "run": "1"})
    job.refresh_from_db()
    assert job.mapping["columns"][3] == "neighborhood"
    tasks.import_contacts_task(str(job.pk))
    ana = Contact.objects.get(external_ids__value="100234")
    assert (ana.neighborhood, ana.street) == ("12 Elm St", "")


def test_a_mapping_without_name_phone_or_email_cannot_run(cast, client_for):
    client = client_for(cast.staff)
    upload(client, "van.csv", (FIXTURES / "van_export.csv").read_bytes())
    job = ImportJob.objects.get()
    data = {f"col_{i}": "ignore" for i in range(len(job.mapping["columns"]))}

    response = client.post(reverse("contacts:import_preview", args=[job.pk]), {**data, "run": "1"})

    assert response.status_code == 200
    assert "Map at least one column to a name, a phone or an email." in response.content.decode()
    job.refresh_from_db()
    assert job.dry_run


def test_an_oversized_file_gets_a_clear_message(cast, client_for, settings):
    settings.UPLOAD_MAX_BYTES = 100

    response = upload(client_for(cast.staff), "big.csv", b"name\n" + b"Ana Alvarez\n" * 20)

    assert response.status_code == 200
    assert "the largest file you can upload is 0.0 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_binary_file_gets_a_clear_message(cast, client_for):
    response = upload(client_for(cast.staff), "photo.csv", b"\x89PNG\x00\x00\x01" * 50)

    assert response.status_code == 200
    assert "This file is not a CSV text file" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_job_fragment_polls_while_running_and_stops_when_done(cast, client_for):
    job = import_create(by=cast.staff, filename="van.csv", content=b"name\nAna\n")
    ImportJob.objects.filter(pk=job.pk).update(
        dry_run=False, status=ImportJob.Status.RUNNING, total_rows=10, processed_rows=4
    )
    client = client_for(cast.staff)
    url = reverse("contacts:import_job", args=[job.pk])

    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in fragment
    assert '<progress id="import-progress" value="4" max="10">' in fragment
    assert "<html" not in fragment

    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.DONE, created_count=1)
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' not in fragment
    assert '<strong data-count="created">1</strong>' in fragment


def test_the_report_lists_rejections_and_offers_them_as_csv(cast, client_for):
    job = import_create(
        by=cast.staff,
        filename="list.csv",
        content=b"name,phone\nAna Alvarez,212-555-0130\nBo Baker,12345\n",
        dry_run=False,
    )
    tasks.import_contacts_task(str(job.pk))
    client = client_for(cast.staff)

    page = client.get(reverse("contacts:import_job", args=[job.pk])).content.decode()
    assert "<td>3</td><td>“12345” is not a valid phone number for US.</td>" in page
    assert "Download rejected rows (CSV)" in page

    response = client.get(reverse("contacts:import_rejected_csv", args=[job.pk]))
    assert response["Content-Type"] == "text/csv"
    assert 'filename="list-rejected.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [
        ["name", "phone", "line", "reason"],
        ["Bo Baker", "12345", "3", "“12345” is not a valid phone number for US."],
    ]


@pytest.fixture
def broker_down():
    """Point the Celery app at a port where nothing listens, as when Redis is down."""
    saved = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    yield
    celery_app.conf.broker_url = saved
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_when_the_queue_is_down_the_job_waits_and_the_page_says_so(
    cast, client_for, broker_down, django_capture_on_commit_callbacks
):
    client = client_for(cast.staff)
    upload(client, "van.csv", (FIXTURES / "van_export.csv").read_bytes())
    job = ImportJob.objects.get()
    data = {f"col_{i}": t for i, t in enumerate(job.mapping["columns"])}

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("contacts:import_preview", args=[job.pk]), {**data, "run": "1"})

    job.refresh_from_db()
    assert job.status == ImportJob.Status.PENDING and not job.dry_run
    page = client.get(reverse("contacts:import_job", args=[job.pk])).content.decode()
    assert "The job queue could not be reached" in page
    assert "Try starting it again" in page
    assert Contact.objects.count() == 2  # the cast's two people


def test_a_file_whose_unclosed_quote_would_merge_rows_is_refused_with_its_line(
    cast, client_for, upload_dir
):
    content = (
        b"first_name,last_name,phone,email\n"
        b"Ana,Alvarez,212-555-0101,ana@example.org\n"
        b'Bo,"Baker,212-555-0102,bo@example.org\n'
        b"Cy,Cruz,212-555-0103,cy@example.org\n"
        b'Di,Diaz",212-555-0104,di@example.org\n'
    )

    response = upload(client_for(cast.staff), "list.csv", content)

    assert response.status_code == 200
    assert "Line 3: a quoted cell runs across lines 3–5" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert not list(Path(upload_dir).rglob("*.csv"))  # nothing kept


def test_utf16_without_a_byte_order_mark_gets_a_message_saying_how_to_save_it(cast, client_for):
    content = "first_name,phone\nAna,212-555-0101\n".encode("utf-16-le")

    response = upload(client_for(cast.staff), "list.csv", content)

    page = response.content.decode()
    assert response.status_code == 200 and "UTF-16 text without a byte-order mark" in page
    assert "CSV UTF-8" in page and not ImportJob.objects.exists()


def test_the_upload_waits_on_disk_and_the_preview_shows_its_progress(cast, client_for, upload_dir):
    client = client_for(cast.staff)
    upload(client, "van.csv", (FIXTURES / "van_export.csv").read_bytes())
    job = ImportJob.objects.get()
    assert (Path(upload_dir) / job.path).is_file() and job.size > 0
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, processed_rows=2, total_rows=3
    )

    fragment = client.get(
        reverse("contacts:import_preview", args=[job.pk]), headers={"HX-Request": "true"}
    ).content.decode()

    assert '<progress id="preview-progress" value="2" max="3">' in fragment
    assert 'hx-trigger="every 1s"' in fragment and "<html" not in fragment


def test_the_file_is_removed_once_imported(cast, client_for, upload_dir):
    job = import_create(
        by=cast.staff, filename="list.csv", content=b"name\nAna Alvarez\n", dry_run=False
    )
    path = Path(upload_dir) / job.path
    assert path.is_file()

    tasks.import_contacts_task(str(job.pk))

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and not path.exists()
