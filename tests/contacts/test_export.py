from __future__ import annotations

import csv
import io

import pytest

from contacts.models import ExportLog
from organizer.lib.csvfiles import escape_cell
from tests.factories import ContactFactory, HubMemberFactory, PhoneFactory


def _rows(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_formula_starters_are_escaped():
    for text in ["=1+1", "+A1", "-2+3", "@SUM(A1)", "\tx", "\rx", "-", "+cmd|' /C calc'!A0"]:
        assert escape_cell(text) == "'" + text
    assert escape_cell("Ana") == "Ana"
    assert escape_cell(None) == ""


@pytest.mark.parametrize(
    "phone", ["(212) 555-0100", "+44 20 7946 0958", "+1 (212) 555-0100", "-12.5", "+33.1.23"]
)
def test_phone_and_number_shapes_are_written_as_they_are(phone):
    assert escape_cell(phone) == phone


def test_an_organizer_of_hub_b_exports_none_of_hub_a(cast, client_for):
    response = client_for(cast.organizer_b).get("/people/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _rows(response)
    assert [r["last_name"] for r in rows] == ["Baker"]
    log = ExportLog.objects.get()
    assert log.user == cast.organizer_b and log.row_count == 1 and log.what == "people"


def test_the_export_uses_the_list_filters_and_records_them(cast, client_for):
    other = ContactFactory(first_name="Zoe", last_name="Other")
    HubMemberFactory(contact=other, hub=cast.hub_a)
    response = client_for(cast.staff).get("/people/export.csv", {"q": "ana"})
    assert [r["last_name"] for r in _rows(response)] == ["Alvarez"]
    log = ExportLog.objects.get()
    assert log.query == "q=ana" and log.row_count == 1


def test_formula_names_come_out_escaped_and_phones_stay_readable(cast, client_for):
    evil = ContactFactory(first_name='=HYPERLINK("http://evil.example","x")', last_name="Evil")
    HubMemberFactory(contact=evil, hub=cast.hub_a)
    PhoneFactory(contact=evil, raw="212-555-0100", e164="+12125550100")
    PhoneFactory(contact=evil, raw="+44 20 7946 0958", e164="+442079460958", is_primary=False)
    rows = {
        r["last_name"]: r for r in _rows(client_for(cast.organizer_a).get("/people/export.csv"))
    }
    assert rows["Evil"]["first_name"] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows["Evil"]["phone"] == "(212) 555-0100"
    assert rows["Evil"]["other_phones"] == "+44 20 7946 0958"  # no stray apostrophe


def test_the_export_query_count_does_not_grow_with_rows(
    cast, client_for, django_assert_max_num_queries
):
    for i in range(30):
        person = ContactFactory()
        HubMemberFactory(contact=person, hub=cast.hub_a)
        PhoneFactory(contact=person, e164=f"+1212555{i:04d}")
    client = client_for(cast.organizer_a)
    with django_assert_max_num_queries(14):
        rows = _rows(client.get("/people/export.csv"))
    assert len(rows) == 31


def test_anonymous_visitors_cannot_export(client, db):
    assert client.get("/people/export.csv").status_code == 302
    assert not ExportLog.objects.exists()


def test_an_invalid_filter_value_exports_nothing_and_says_why(cast, client_for):
    response = client_for(cast.staff).get("/people/export.csv", {"q": "ana", "assessment": "9"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was exported" in html
    assert "Select a valid choice" in html
    assert not ExportLog.objects.exists()


def test_an_invalid_filter_on_the_list_lists_nobody_instead_of_everyone(cast, client_for):
    response = client_for(cast.staff).get("/people/", {"tag": "no-such-tag"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "A filter could not be read" in html
    for person in (cast.person_a, cast.person_b):  # (user names are random: test the links)
        assert f'href="/people/{person.pk}/"' not in html
    unfiltered = client_for(cast.staff).get("/people/").content.decode()
    assert f'href="/people/{cast.person_a.pk}/"' in unfiltered


def test_every_filter_reaches_the_export(cast, client_for):
    from contacts.models import Tag

    tagged = ContactFactory(first_name="Ana", last_name="Tagged")
    HubMemberFactory(contact=tagged, hub=cast.hub_a)
    tagged.tags.add(Tag.objects.create(name="host"))
    client = client_for(cast.staff)
    html = client.get("/people/", {"q": "ana", "tag": "host"}).content.decode()
    assert 'href="/people/export.csv?q=ana&amp;tag=host"' in html
    rows = _rows(client.get("/people/export.csv", {"q": "ana", "tag": "host"}))
    assert [r["last_name"] for r in rows] == ["Tagged"]


def test_the_export_writes_local_minutes_names_and_yes_no(cast, client_for, settings):
    import datetime as dt

    from django.utils import timezone

    from contacts.models import Contact

    settings.TIME_ZONE = "America/New_York"
    talked = dt.datetime(2026, 7, 4, 16, 30, 12, 345678, tzinfo=dt.UTC)  # 12:30 in New York
    Contact.objects.filter(pk=cast.person_a.pk).update(
        owner=cast.organizer_a, last_contacted_at=talked, email_ok=True, sms_ok=False
    )
    cast.organizer_a.name = "Omar Haddad"
    cast.organizer_a.save()
    with timezone.override("America/New_York"):
        rows = {r["last_name"]: r for r in _rows(client_for(cast.staff).get("/people/export.csv"))}
    ana = rows["Alvarez"]
    assert ana["last_contacted_at"] == "2026-07-04 12:30"
    assert ana["organizer"] == "Omar Haddad"
    assert (ana["email_ok"], ana["sms_ok"], ana["do_not_contact"]) == ("Yes", "No", "No")
    assert len(ana["created_at"]) == len("2026-07-04 12:30")
