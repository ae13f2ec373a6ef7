"""REPORTS_DATABASE_URL → report reads go to the ``reports`` alias. Tested with a second alias
pointing at the same (test) database, through its own connection."""

from __future__ import annotations

import copy

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from contacts.models import Contact
from reports.routers import ReportsRouter, reading_reports


@pytest.fixture
def replica_settings(settings):
    settings.DATABASES = {**settings.DATABASES, "reports": {}}
    return settings


@pytest.fixture
def replica_alias(transactional_db, settings):
    """Added after the test database is set up, so the test case does not forbid it."""
    connections.settings["reports"] = copy.deepcopy(connections.settings["default"])
    settings.DATABASES = {**settings.DATABASES, "reports": connections.settings["reports"]}
    # Connect directly: the test case lets only its declared databases connect on demand.
    connections["reports"].connect()
    yield "reports"
    connections["reports"].close()
    del connections["reports"]
    del connections.settings["reports"]


def test_the_router_reads_from_the_replica_only_inside_report_views(replica_settings):
    router = ReportsRouter()
    assert router.db_for_read(Contact) is None
    with reading_reports():
        assert router.db_for_read(Contact) == "reports"
        assert router.db_for_write(Contact) == "default"
    assert router.db_for_read(Contact) is None
    assert router.allow_migrate("reports", "contacts") is False


def test_without_a_replica_reports_read_the_default_database(settings):
    assert "reports" not in settings.DATABASES
    with reading_reports():
        assert ReportsRouter().db_for_read(Contact) is None


def test_report_pages_run_their_queries_on_the_replica_and_say_so(
    replica_alias, cast, town, client_for
):
    client = client_for(cast.staff)
    with CaptureQueriesContext(connections["reports"]) as on_replica:
        response = client.get("/reports/depth/")
    assert response.status_code == 200
    assert "Read from the reports replica" in response.content.decode()
    assert any("reports_neighborhood" in q["sql"] for q in on_replica.captured_queries)
    rows = {r.name: r for r in response.context["depth"].rows}
    assert rows["North"].counts["members"] == 2
