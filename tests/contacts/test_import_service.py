"""CSV import: reading files, detecting columns, matching, the report, all-or-nothing."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from contacts import tasks
from contacts.models import Contact, ContactEvent, Email, ExternalId, ImportJob, Phone, Tag
from contacts.services import imports
from contacts.services.imports import ImportFileError, import_create, import_run
from contacts.services.imports import plan as import_plan
from contacts.services.imports import spool as import_spool
from contacts.services.imports import write as import_write
from contacts.services.imports.read import count_rows, open_people_file
from organizer.lib.csvfiles import csv_lines
from tests.factories import ContactFactory, EmailFactory, PhoneFactory, UserFactory

FIXTURES = Path(__file__).parent / "fixtures"


def run(content: bytes, *, by=None, filename="people.csv", dry_run=False, **kwargs) -> ImportJob:
    job = import_create(by=by, filename=filename, content=content, dry_run=dry_run, **kwargs)
    return import_run(job_id=job.pk)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def read_csv(content: bytes, tmp_path: Path) -> int:
    """Read a file as the import does (header checks, then every row); its row count."""
    path = tmp_path / "people.csv"
    path.write_bytes(content)
    return count_rows(open_people_file(path))


def counts(job: ImportJob) -> tuple[int, int, int, int]:
    return job.created_count, job.updated_count, job.unchanged_count, job.rejected_count


# --- Reading ----------------------------------------------------------------------------------


def test_it_reads_utf8_with_a_byte_order_mark(db):
    job = run(fixture("spreadsheet_bom.csv"))

    assert job.status == ImportJob.Status.DONE and job.encoding == "utf-8-sig"
    hana = Contact.objects.get()
    assert (hana.first_name, hana.last_name, hana.employer) == ("Hana", "Ito", "City Hospital")
    assert hana.phones.get().e164 == "+16465550108"
    assert hana.emails.get().address == "hana@example.org"
    assert sorted(hana.tags.values_list("name", flat=True)) == ["housing", "nurses"]


def test_it_reads_windows_1252_and_keeps_accents(db):
    job = run(fixture("spreadsheet_cp1252.csv"))

    assert job.encoding == "cp1252"
    jose = Contact.objects.get()
    assert (jose.first_name, jose.last_name) == ("José", "Muñoz")
    assert jose.neighborhood == "Washington Heights"
    assert jose.name_search == "jose munoz"  # searchable without accents


def test_it_reads_crlf_quoted_newlines_and_ignores_extra_columns(db):
    content = (
        b"first_name,last_name,phone,note\r\n"
        b'Ana,Alvarez,212-555-0111,"Met at the potluck.\r\nWants to host one."\r\n'
        b"Bo,Baker,212-555-0112,short,extra,columns,here\r\n"
    )

    job = run(content)

    assert counts(job) == (2, 0, 0, 0)
    assert Phone.objects.get(contact__first_name="Bo").e164 == "+12125550112"


def test_it_rejects_a_binary_file_with_a_clear_message(tmp_path):
    with pytest.raises(ImportFileError, match="not a CSV text file"):
        read_csv(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00" * 20, tmp_path)


def test_it_rejects_an_excel_workbook_with_a_clear_message(tmp_path):
    with pytest.raises(ImportFileError, match="Excel workbook"):
        read_csv(b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 100, tmp_path)


def test_it_rejects_an_oversized_file_with_a_clear_message(db, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024

    with pytest.raises(ImportFileError, match=r"largest file you can upload is 1\.0 MB"):
        import_create(by=None, filename="big.csv", content=b"name\n" + b"Ana\n" * 300_000)
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \r\n", "empty"),
        (b"first_name,phone\n", "no rows"),
        (b"Ana,ana@example.org,212-555-0100\n", "looks like data"),
        (b"Lorem ipsum dolor sit amet\nconsectetur adipiscing\n", "no column names"),
    ],
)
def test_it_explains_why_a_file_cannot_be_read(content, message, tmp_path):
    with pytest.raises(ImportFileError, match=message):
        read_csv(content, tmp_path)


# --- Column detection ---------------------------------------------------------------------------


def test_it_detects_a_van_export(db):
    job = run(fixture("van_export.csv"))

    assert job.source_format == "VAN / EveryAction"
    assert counts(job) == (3, 0, 0, 0)
    ana = ExternalId.objects.get(system="van", value="100234").contact
    assert (ana.first_name, ana.street, ana.city, ana.state, ana.zip_code) == (
        "Ana",
        "12 Elm St",
        "Albany",
        "NY",
        "12207",
    )
    assert list(ana.phones.order_by("-is_primary").values_list("e164", "is_primary")) == [
        ("+15185550101", True),
        ("+15185550102", False),
    ]


def test_it_detects_an_action_network_export(db):
    job = run(fixture("action_network_export.csv"))

    assert job.source_format == "Action Network"
    dee = ExternalId.objects.get(
        system="action_network", value="7f0c9a3e-1111-4a8e-9f00-000000000001"
    ).contact
    assert dee.emails.get().address == "dee@example.org"
    assert (dee.zip_code, dee.city, dee.state) == ("10027", "New York", "NY")
    assert dee.phones.get().e164 == "+12125550105"


@pytest.mark.parametrize(
    ("name", "source_format", "system", "value"),
    [
        ("mobilize_export.csv", "Mobilize", "mobilize", "55501"),
        ("solidarity_tech_export.csv", "Solidarity Tech", "solidarity_tech", "9001"),
    ],
)
def test_it_detects_other_tools_exports(db, name, source_format, system, value):
    job = run(fixture(name))

    assert job.source_format == source_format
    assert ExternalId.objects.filter(system=system, value=value).exists()


def test_header_matching_ignores_case_spaces_and_underscores():
    _, targets = imports.detect_mapping(["FIRST NAME", "last_name", " E-Mail ", "Zip Code"])

    assert targets == ["first_name", "last_name", "email", "zip_code"]


# --- Matching, create / update / unchanged --------------------------------------------------------


def test_it_matches_by_external_id_before_phone_and_email(db):
    by_id = ContactFactory(first_name="Ana", last_name="")
    ExternalId.objects.create(contact=by_id, system="van", value="777")
    PhoneFactory(contact=ContactFactory(), e164="+12125550113")  # someone else's phone

    job = run(b"VANID,LastName,Phone\n777,Alvarez,212-555-0113\n")

    assert counts(job) == (0, 1, 0, 0)
    by_id.refresh_from_db()
    assert by_id.last_name == "Alvarez"
    assert by_id.phones.get().e164 == "+12125550113"


def test_it_matches_by_phone_then_by_email(db):
    by_phone = ContactFactory(first_name="Ana", employer="")
    PhoneFactory(contact=by_phone, e164="+12125550114")
    by_email = ContactFactory(first_name="Bo", employer="")
    EmailFactory(contact=by_email, address="bo@example.org")

    job = run(b"phone,email,employer\n(212) 555-0114,,Hospital\n,BO@Example.org ,School\n")

    assert counts(job) == (0, 2, 0, 0)
    by_phone.refresh_from_db()
    by_email.refresh_from_db()
    assert (by_phone.employer, by_email.employer) == ("Hospital", "School")
    assert Contact.objects.count() == 2


def test_it_fills_blanks_adds_new_details_and_never_overwrites(db, cast):
    ana = cast.person_a
    ana.city = "Albany"
    ana.save()
    PhoneFactory(contact=ana, e164="+12125550115")

    job = run(
        b"first_name,phone,email,city,zip,tags\n"
        b'Anita,212-555-0115,ana@example.org,Troy,12207,"housing"\n',
        by=cast.staff,
    )

    assert counts(job) == (0, 1, 0, 0)
    ana.refresh_from_db()
    assert (ana.first_name, ana.city, ana.zip_code) == ("Ana", "Albany", "12207")
    assert ana.emails.get().is_primary and ana.emails.get().address == "ana@example.org"
    assert list(ana.tags.values_list("name", flat=True)) == ["housing"]
    event = ana.events.get(kind=ContactEvent.Kind.IMPORTED)
    assert event.actor == cast.staff
    assert event.changes["fields"] == {"zip_code": "12207"}
    assert event.changes["emails"] == ["ana@example.org"]


def test_it_counts_created_updated_and_unchanged(db):
    same = ContactFactory(first_name="Ana", last_name="Alvarez")
    PhoneFactory(contact=same, e164="+12125550116")
    older = ContactFactory(first_name="Bo", last_name="Baker")
    PhoneFactory(contact=older, e164="+12125550117")

    job = run(
        b"first_name,last_name,phone,pronouns\n"
        b"Ana,Alvarez,212-555-0116,\n"
        b"Bo,Baker,212-555-0117,he/him\n"
        b"Cy,Cruz,212-555-0118,\n"
    )

    assert counts(job) == (1, 1, 1, 0)
    assert Contact.objects.get(first_name="Cy").source == "Import: people.csv"
    assert not same.events.exists()  # unchanged people get no history entry


def test_it_merges_duplicate_rows_of_one_person_in_the_file(db):
    job = run(
        b"first_name,last_name,phone,email\n"
        b"Ana,,212-555-0119,\n"
        b",Alvarez,(212) 555-0119,ana@example.org\n"
        b"Annie,,,ana@example.org\n"
    )

    assert counts(job) == (1, 0, 0, 0)
    ana = Contact.objects.get()
    assert (ana.first_name, ana.last_name) == ("Ana", "Alvarez")
    assert ana.emails.get().address == "ana@example.org"


def test_rows_reaching_one_existing_person_by_different_details_update_them_once(db):
    ana = ContactFactory(first_name="Ana", pronouns="", employer="")
    PhoneFactory(contact=ana, e164="+12125550124")
    EmailFactory(contact=ana, address="ana@example.org")

    job = run(
        b"phone,email,pronouns,employer,tags,phone 2\n"
        b"212-555-0124,,she/her,,housing,212-555-0125\n"
        b",ana@example.org,,School,housing,212-555-0125\n"
    )

    assert counts(job) == (0, 1, 0, 0)
    ana.refresh_from_db()
    assert (ana.pronouns, ana.employer) == ("she/her", "School")
    assert sorted(ana.phones.values_list("e164", flat=True)) == ["+12125550124", "+12125550125"]
    assert ana.tags.count() == 1 and ana.events.count() == 1


def test_a_second_run_of_the_same_file_changes_nothing(db):
    content = fixture("van_export.csv")
    run(content)

    job = run(content)

    assert counts(job) == (0, 0, 3, 0)
    assert Contact.objects.count() == 3 and Phone.objects.count() == 4


def test_it_rejects_a_row_that_matches_two_different_people(db):
    PhoneFactory(contact=ContactFactory(first_name="Ana"), e164="+12125550120")
    EmailFactory(contact=ContactFactory(first_name="Bo"), address="bo@example.org")

    job = run(b"first_name,phone,email\nX,212-555-0120,bo@example.org\n")

    assert counts(job) == (0, 0, 0, 1)
    reason = job.rejections.get().reason
    assert "Matches 2 different people" in reason and "Ana" in reason and "Bo" in reason


def test_it_rejects_bad_rows_with_line_numbers_and_reasons(db):
    job = run(
        b"first_name,phone,email,member_since,membership\n"
        b"Ana,212-555-0121,,,\n"
        b"Bo,12345,,,\n"
        b"Cy,,not-an-email,,\n"
        b",,,,\n"
        b",,,2020-01-01,\n"
        b"Di,,,31/31/2020,\n"
        b"Ed,,,,royalty\n"
    )

    assert counts(job) == (1, 0, 0, 5)
    reasons = dict(job.rejections.values_list("line", "reason"))
    assert reasons == {
        3: "“12345” is not a valid phone number for US.",
        4: "“not-an-email” is not a valid email address.",
        6: "No name, phone or email.",
        7: "“31/31/2020” is not a date (use YYYY-MM-DD or MM/DD/YYYY).",
        8: "“royalty” is not a membership status (use: in good standing, lapsed, not a member).",
    }
    assert job.rejections.get(line=3).row == ["Bo", "12345", "", "", ""]


def test_the_rejected_rows_csv_has_the_original_columns_line_and_reason(db):
    job = run(b"first_name,phone\nAna,212-555-0122\n=HYPERLINK(x),12345\n")

    rows = list(csv.reader(io.StringIO("".join(csv_lines(imports.rejection_rows(job))))))

    assert rows == [
        ["first_name", "phone", "line", "reason"],
        ["'=HYPERLINK(x)", "12345", "3", "“12345” is not a valid phone number for US."],
    ]


# --- The job: all or nothing, progress, claims ----------------------------------------------------


def _rows(count: int) -> bytes:
    lines = ["first_name,last_name,phone"]
    lines += [f"Person,{n},212-555-{n:04d}" for n in range(count)]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("where", ["complex", "simple"])
def test_a_failure_mid_import_leaves_the_database_as_it_was(monkeypatch, where):
    PhoneFactory(contact=ContactFactory(first_name="Old", pronouns=""), e164="+12125550003")
    content = _rows(120) + b"Person,dup,212-555-0050\n"  # two rows of one person: the planner's
    job = import_create(by=None, filename="big.csv", content=content, dry_run=False)
    if where == "complex":  # fails after every new person was written, before the matched

        def failing(*args, **kwargs):
            assert Contact.objects.count() > 100  # the new people are in
            raise RuntimeError("disk on fire")

        monkeypatch.setattr(import_write, "_copy", failing)
    else:  # fails after the simple rows' phones were copied, before the people themselves
        real_stream = import_spool._stream

        def failing(sql, path, skip):
            if sql.startswith('COPY "contacts_contact"'):
                raise RuntimeError("disk on fire")
            return real_stream(sql, path, skip)

        monkeypatch.setattr(import_spool, "_stream", failing)

    job = import_run(job_id=job.pk)

    assert job.status == ImportJob.Status.FAILED
    assert "disk on fire" in job.error and job.finished_at
    assert Contact.objects.count() == 1 and Phone.objects.count() == 1
    assert not ContactEvent.objects.exists() and not job.rejections.exists()


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_to_others_while_the_import_runs(monkeypatch):
    job = import_create(by=None, filename="big.csv", content=_rows(3000), dry_run=False)
    seen = []
    real_group_rows = import_plan.group_rows

    def look_from_outside(*args, **kwargs):
        params = connection.get_connection_params()
        params.pop("context", None)
        params.pop("cursor_factory", None)
        with psycopg.connect(**params) as other:
            seen.append(
                other.execute(
                    "SELECT status, processed_rows FROM contacts_importjob WHERE id = %s",
                    [job.pk],
                ).fetchone()
            )
        return real_group_rows(*args, **kwargs)

    monkeypatch.setattr(import_plan, "group_rows", look_from_outside)

    job = import_run(job_id=job.pk)

    status, processed = seen[0]
    assert status == "running" and 2500 <= processed <= 3000
    assert job.status == ImportJob.Status.DONE and job.processed_rows == 3000
    assert job.created_count == 3000


def test_running_the_task_twice_imports_once(db):
    job = import_create(by=None, filename="van.csv", content=fixture("van_export.csv"))
    ImportJob.objects.filter(pk=job.pk).update(dry_run=False)

    tasks.import_contacts_task(str(job.pk))
    tasks.import_contacts_task(str(job.pk))

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.created_count == 3
    assert Contact.objects.count() == 3


def test_the_task_is_a_quiet_no_op_for_a_missing_job(db):
    tasks.import_contacts_task("2b1f6c1e-0000-4000-8000-000000000000")
    tasks.import_contacts_task("not-a-uuid")

    assert not ImportJob.objects.exists()


def test_a_dry_run_job_reports_without_changing_anything(db):
    job = run(fixture("van_export.csv"), dry_run=True)

    assert job.status == ImportJob.Status.DONE and counts(job) == (3, 0, 0, 0)
    assert not Contact.objects.exists()


# --- The management command --------------------------------------------------------------------


def test_the_command_with_dry_run_changes_nothing(db, capsys):
    call_command("import_contacts", str(FIXTURES / "van_export.csv"), "--dry-run")

    out = capsys.readouterr().out
    assert "Dry run: nothing was changed." in out
    assert "created: 3  updated: 0  unchanged: 0  rejected: 0" in out
    assert not Contact.objects.exists()


def test_the_command_imports_and_prints_each_rejected_line(db, tmp_path, capsys):
    staff = UserFactory(email="staff@example.org")
    path = tmp_path / "list.csv"
    path.write_bytes(b"name,phone\nAna Alvarez,212-555-0123\nBo Baker,12345\n")

    call_command("import_contacts", str(path), "--source", "Canvass", "--by", "staff@example.org")

    out = capsys.readouterr().out
    assert "created: 1  updated: 0  unchanged: 0  rejected: 1" in out
    assert "line 3: “12345” is not a valid phone number for US." in out
    ana = Contact.objects.get()
    assert (ana.first_name, ana.last_name, ana.source, ana.created_by) == (
        "Ana",
        "Alvarez",
        "Canvass",
        staff,
    )


def test_the_command_explains_an_unreadable_file(db, tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x00\x01\x02" * 100)

    with pytest.raises(CommandError, match="not a CSV text file"):
        call_command("import_contacts", str(path))


def test_tags_are_matched_case_insensitively(db):
    Tag.objects.create(name="Housing")

    run(b"first_name,tags\nAna,housing\n")

    assert list(Tag.objects.values_list("name", flat=True)) == ["Housing"]
    assert Contact.objects.get().tags.get().name == "Housing"


def test_emails_are_stored_lower_case_and_primary(db):
    run(b"first_name,email,email 2\nAna,Ana@Example.org,ana.work@example.org\n")

    assert list(Email.objects.order_by("-is_primary").values_list("address", "is_primary")) == [
        ("ana@example.org", True),
        ("ana.work@example.org", False),
    ]


def test_the_command_streams_the_file_and_reports_progress(db, tmp_path, capsys, upload_dir):
    path = tmp_path / "list.csv"
    path.write_bytes(_rows(1200))

    call_command("import_contacts", str(path))

    captured = capsys.readouterr()
    assert "checked 500 of 1200 rows" in captured.err
    assert "created: 1200  updated: 0  unchanged: 0  rejected: 0" in captured.out
    assert Contact.objects.count() == 1200
    assert not list(Path(upload_dir).rglob("*.csv"))  # the imported copy is removed
