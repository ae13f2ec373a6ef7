"""The precomputed person facts (each person's neighborhood and first activity), their refresh
through Celery and on demand, the pages' "as of" line, and the grouped statements that replaced
per-person look-ups agreeing with the drill-down lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from contacts.models import Activity, LadderMove
from reports import drill, metrics
from reports.models import PersonFact, ReportRefresh
from reports.routers import reading_reports
from reports.selectors import report_scope
from reports.services import PERSON_FACTS, person_facts_refresh
from reports.tasks import person_facts_refresh_task
from tests.factories import ContactFactory
from tests.reports.conftest import GOOD, activity, move

pytestmark = pytest.mark.django_db


def _depth_cell(scope, key: str, metric: str) -> tuple[int, int]:
    """(the number on the page, the length of its list)."""
    report = metrics.depth(scope)
    row = {r.key: r for r in [*report.rows, report.total, report.unplaced]}[key]
    return row.counts[metric], drill.people(scope, drill.Spec("depth", metric, key)).count()


def test_the_refresh_records_every_person_and_when(cast, town):
    before = timezone.now()
    refresh = person_facts_refresh()
    assert ReportRefresh.objects.get(name=PERSON_FACTS) == refresh
    assert before <= refresh.refreshed_at <= timezone.now()
    assert refresh.rows == PersonFact.objects.count() == town.p1.__class__.objects.count()
    facts = {f.contact_id: f for f in PersonFact.objects.all()}
    assert facts[town.p1.pk].neighborhood_id == town.north.pk  # by ZIP
    assert facts[town.p2.pk].neighborhood_id == town.north.pk  # by ZIP+4
    assert facts[town.p3.pk].neighborhood_id == town.south.pk  # by map point
    assert facts[town.p4.pk].neighborhood_id is None
    first = facts[town.p3.pk].first_active_at
    assert first is not None and (timezone.now() - first).days == 60


def test_someone_added_after_the_refresh_counts_from_the_next_one_in_count_and_list(cast, town):
    scope = report_scope(cast.staff)
    north = str(town.north.pk)
    assert _depth_cell(scope, north, "members") == (2, 2)
    newcomer = ContactFactory(zip_code="11111", membership_status=GOOD)
    # Not placed yet: unplaced in the number and in its list alike, never in one only.
    assert _depth_cell(scope, north, "members") == (2, 2)
    assert _depth_cell(scope, "none", "members") == (2, 2)
    person_facts_refresh()
    assert _depth_cell(scope, north, "members") == (3, 3)
    assert _depth_cell(scope, "none", "members") == (1, 1)
    members = drill.people(scope, drill.Spec("depth", "members", north))
    assert newcomer.pk in set(members.values_list("pk", flat=True))


def test_the_total_row_lists_only_people_of_listed_neighborhoods(cast, town):
    scope = report_scope(cast.staff)
    town.south.delete()  # until the next refresh, South's people still carry its id
    assert _depth_cell(scope, "all", "active_90") == (1, 1)  # p1 (North), not p3 (South)
    person_facts_refresh()
    assert _depth_cell(scope, "none", "active_90") == (1, 1)  # p3 is now unplaced


@pytest.mark.parametrize("facts", [True, False], ids=["as-of-the-refresh", "live"])
def test_depth_ladder_and_organizer_numbers_agree_with_their_lists_on_tied_moves(
    cast, town, default_ladder, facts
):
    """Two moves of one person at the same moment: the later id wins, in the grouped counts
    (one set of stages for everyone) and in the lists (a look-up per person) alike. A move to
    a deleted stage (no stage) counts as no stage in both. The same whether the stage now is
    read from the refreshed facts or (no refresh recorded) computed live."""
    at = timezone.now() - dt.timedelta(days=3)
    for stage in (default_ladder["Organizer"], default_ladder["Leader"]):
        LadderMove.objects.create(contact=town.p1, to_stage=stage, at=at, reason="tie")
    LadderMove.objects.create(contact=town.p5, to_stage=None, at=at, reason="stage deleted")
    if facts:
        person_facts_refresh()
    else:
        ReportRefresh.objects.all().delete()
    scope = report_scope(cast.staff)
    assert scope.facts_now is facts
    north = str(town.north.pk)
    assert _depth_cell(scope, north, "leaders") == (1, 1)
    assert _depth_cell(scope, north, "organizers") == (0, 0)
    ladder = metrics.ladder(scope)
    for row in ladder.rows:
        key = "none" if row.stage_id is None else str(row.stage_id)
        assert drill.people(scope, drill.Spec("ladder", "now", key)).count() == row.now
        spec = drill.Spec("ladder", "moved_up", key)
        assert drill.people(scope, spec).count() == row.moved_up, row.name
    for (a, b), n in ladder.matrix.items():
        assert drill.people(scope, drill.Spec("ladder", "move", a, b)).count() == n
    overview = metrics.headline(scope)
    for metric in metrics.HEADLINE_METRICS:
        spec = drill.Spec("headline", metric, "all")
        assert drill.people(scope, spec).count() == overview[metric], metric
    assert overview["moved_up"] == ladder.moved_up_total
    leader = default_ladder["Leader"].pk
    assert ladder.matrix[("none", str(leader))] == 2  # p1 and p3
    # no stage at the end: p2, p4, p5 (a deleted stage) and the cast's person_a and person_b
    assert sum(n for (_a, b), n in ladder.matrix.items() if b == "none") == 5


def test_organizers_owned_and_moved_up_agree_with_their_lists(cast, town, default_ladder):
    town.p1.owner = cast.organizer_a
    town.p1.save(update_fields=["owner"])
    town.p3.owner = cast.organizer_a
    town.p3.save(update_fields=["owner"])
    scope = report_scope(cast.staff)
    row = next(r for r in metrics.organizers(scope) if r.user == cast.organizer_a)
    assert (row.counts["owned"], row.counts["moved_up"]) == (2, 1)  # p3 became a Leader
    for metric in ("owned", "moved_up"):
        spec = drill.Spec("organizers", metric, str(cast.organizer_a.pk))
        assert drill.people(scope, spec).count() == row.counts[metric]


def test_cohorts_come_from_the_refreshed_first_activity(cast, town):
    start = timezone.localdate() - dt.timedelta(days=89)
    scope = report_scope(cast.staff, start=start)
    key = timezone.localdate().strftime("%Y-%m")
    sizes = {r.key: r.size for r in metrics.cohorts(scope)}
    assert sizes.get(key, 0) == 0
    activity(town.p4, 0)  # p4's first activity ever, today
    assert {r.key: r.size for r in metrics.cohorts(scope)}.get(key, 0) == 0  # not refreshed
    person_facts_refresh()
    row = next(r for r in metrics.cohorts(scope) if r.key == key)
    assert row.size == 1
    people = drill.people(scope, drill.Spec("cohorts", "size", key))
    assert list(people.values_list("pk", flat=True)) == [town.p4.pk]


def test_pages_say_as_of_when_and_only_staff_may_refresh(
    cast, town, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(
        "organizer.lib.tasks.enqueue", lambda task, *a, **k: queued.append(task.name) or True
    )
    refreshed = ReportRefresh.objects.get(name=PERSON_FACTS).refreshed_at
    staff = client_for(cast.staff)
    for url in (
        "/reports/",
        *(
            f"/reports/{p}/"
            for p in ("depth", "ladder", "organizers", "cohorts", "reach", "reach/districts")
        ),
    ):
        html = staff.get(url).content.decode()
        assert "ladder stages and latest activity as of" in html, url
        assert 'action="/reports/refresh/"' in html
    captain_page = client_for(cast.captain_a).get("/reports/depth/").content.decode()
    assert "as of" in captain_page and 'action="/reports/refresh/"' not in captain_page
    assert "as of" not in staff.get("/reports/hubs/").content.decode()
    assert client_for(cast.captain_a).post("/reports/refresh/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post("/reports/refresh/", {"page": "cohorts"})
        elsewhere = staff.post("/reports/refresh/", {"page": "//evil.example"})
    assert response.status_code == 302 and response["Location"] == "/reports/cohorts/"
    districts = staff.post("/reports/refresh/", {"page": "districts"})
    assert districts["Location"] == "/reports/reach/districts/"
    assert elsewhere["Location"] == "/reports/"
    assert queued == ["reports.tasks.person_facts_refresh_task"] * 2
    assert ReportRefresh.objects.get(name=PERSON_FACTS).refreshed_at == refreshed  # queued only


def test_refreshing_on_demand_is_rate_limited(cast, client_for, monkeypatch):
    monkeypatch.setattr("organizer.lib.tasks.enqueue", lambda *a, **k: True)
    staff = client_for(cast.staff)
    codes = [staff.post("/reports/refresh/").status_code for _ in range(11)]
    assert codes[:10] == [302] * 10
    assert codes[10] == 429


def test_a_neighborhood_import_queues_a_refresh_on_commit(
    cast, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    queued = []
    monkeypatch.setattr(
        "organizer.lib.tasks.enqueue", lambda task, *a, **k: queued.append(task.name) or True
    )
    f = SimpleUploadedFile("n.csv", b"name,residents,zip_codes\nEast,900,22222\n")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(cast.staff).post("/reports/neighborhoods/", {"file": f})
    assert queued == ["reports.tasks.person_facts_refresh_task"]


def test_beat_refreshes_the_facts_every_quarter_hour():
    entry = settings.CELERY_BEAT_SCHEDULE["reports-person-facts"]
    assert entry["task"] == person_facts_refresh_task.name
    assert entry["schedule"].minute == {0, 15, 30, 45}


def test_report_reads_run_without_jit_and_reset_after():
    def show(name: str) -> str:
        with connection.cursor() as cursor:
            cursor.execute(f"SHOW {name}")
            return cursor.fetchone()[0]

    names = ("jit", "work_mem", "max_parallel_workers_per_gather")
    before = [show(name) for name in names]
    with reading_reports():
        assert [show(name) for name in names] == ["off", "64MB", "0"]
    assert [show(name) for name in names] == before


@pytest.mark.django_db(transaction=True)
def test_report_settings_travel_with_each_transactions_first_statement_and_end_with_it():
    """Outside a transaction (as in production): no SET of their own, nothing left after."""
    from django.test.utils import CaptureQueriesContext

    names = ("jit", "work_mem", "max_parallel_workers_per_gather")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), current_setting('work_mem')")
        before = cursor.fetchone()
    with CaptureQueriesContext(connection) as queries, reading_reports(), connection.cursor() as c:
        c.execute(f"SELECT {', '.join(f'current_setting({n!r})' for n in names)}")
        assert c.fetchone() == ("off", "64MB", "0")
    assert queries.captured_queries[0]["sql"].startswith("SET LOCAL jit = off; SET LOCAL work_mem")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), current_setting('work_mem')")
        assert cursor.fetchone() == before


@pytest.mark.django_db(transaction=True)
def test_a_report_page_runs_with_its_settings_and_the_requests_timeout_together(
    cast, town, client_for, settings
):
    """Both wrappers prefix their SET LOCALs to the same statements; each steps past its own."""
    from django.test.utils import CaptureQueriesContext

    settings.REQUEST_STATEMENT_TIMEOUT_MS = 4321
    person_facts_refresh()
    client = client_for(cast.staff)
    for page in ("/reports/", "/reports/hubs/"):
        assert client.get(page).status_code == 200, page
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/reports/organizers/").content.decode()
    assert cast.organizer_a.name in html
    report_sql = [q["sql"] for q in queries.captured_queries if "contacts_interaction" in q["sql"]]
    assert report_sql[0].startswith("SET LOCAL jit = off; ")
    assert "SET LOCAL statement_timeout = 4321; SELECT" in report_sql[0]


@pytest.mark.django_db(transaction=True)
def test_the_task_refreshes_concurrently_outside_any_transaction(cast, town):
    """As in a worker: autocommit, the view already filled, so REFRESH ... CONCURRENTLY."""
    person_facts_refresh_task.apply()
    newcomer = ContactFactory(zip_code="11111")
    person_facts_refresh_task.apply()
    assert PersonFact.objects.get(contact_id=newcomer.pk).neighborhood_id == town.north.pk
    assert ReportRefresh.objects.get(name=PERSON_FACTS).rows == PersonFact.objects.count()


def test_the_usual_period_reads_stage_and_activity_as_of_the_refresh_and_past_periods_live(
    cast, town, default_ladder
):
    """p2 becomes a Leader and is active after the refresh: the period ending today counts
    them (and lists them) from the next refresh; a period that ended yesterday, before the
    refresh, is computed live and never waits for one."""
    north = str(town.north.pk)
    # A quarter of an hour ago: before the test's transaction (the refresh's "now") began.
    move(town.p2, default_ladder["Leader"], 0.01)
    Activity.objects.create(
        contact=town.p2,
        kind=Activity.Kind.ONE_ON_ONE,
        occurred_at=timezone.now() - dt.timedelta(minutes=15),
        source="test",
        source_id=99,
    )
    today = report_scope(cast.staff)
    assert today.facts_now
    assert _depth_cell(today, north, "leaders") == (0, 0)
    assert _depth_cell(today, north, "active_30") == (1, 1)  # p1 only
    now_row = {r.name: r for r in metrics.ladder(today).rows}["Leader"]
    leader = str(default_ladder["Leader"].pk)
    assert now_row.now == drill.people(today, drill.Spec("ladder", "now", leader)).count() == 1
    person_facts_refresh()
    today = report_scope(cast.staff)
    assert _depth_cell(today, north, "leaders") == (1, 1)
    assert _depth_cell(today, north, "active_30") == (2, 2)
    assert metrics.headline(today)["active_30"] == 2
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    past = report_scope(cast.staff, end=yesterday)
    assert not past.facts_now
    assert _depth_cell(past, north, "leaders") == (0, 0)  # p2's move was today
    assert _depth_cell(past, north, "active_30") == (1, 1)
    # p3 became a Leader 5 days ago: live for the past period too
    assert _depth_cell(past, str(town.south.pk), "leaders") == (1, 1)


def test_the_facts_hold_the_stage_and_last_activity_before_the_refresh(cast, town, default_ladder):
    facts = {f.contact_id: f for f in PersonFact.objects.all()}
    assert facts[town.p3.pk].stage_id == default_ladder["Leader"].pk
    assert facts[town.p5.pk].stage_id == default_ladder["Organizer"].pk
    assert facts[town.p2.pk].stage_id is None and facts[town.p2.pk].last_active_at is None
    assert (timezone.now() - facts[town.p1.pk].last_active_at).days == 10


def test_the_ladder_from_the_facts_equals_the_ladder_computed_live(cast, town, default_ladder):
    """The usual period reads the stage at its start from the facts' last two moves: p4's
    latest (Supporter 120 days ago) is before the start; p1's latest (Leader 10 days ago) is
    not, the one before it (Volunteer 120 days ago) is — 110 days at Volunteer; p2 made two
    moves since the start (Volunteer 40 days ago, Leader 20), so their stage at the start
    (Supporter, 200 days ago) is looked up in the moves. Worked out both ways, the report and
    its lists are the same."""
    move(town.p4, default_ladder["Supporter"], 120)
    move(town.p1, default_ladder["Volunteer"], 120)
    move(town.p1, default_ladder["Leader"], 10, frm=default_ladder["Volunteer"])
    move(town.p2, default_ladder["Supporter"], 200)
    move(town.p2, default_ladder["Volunteer"], 40, frm=default_ladder["Supporter"])
    move(town.p2, default_ladder["Leader"], 20, frm=default_ladder["Volunteer"])
    person_facts_refresh()

    def report():
        scope = report_scope(cast.staff)
        ladder = metrics.ladder(scope)
        lists = {
            (metric, key): set(
                drill.people(scope, drill.Spec("ladder", metric, key)).values_list("pk", flat=True)
            )
            for metric in ("now", "at_start", "moved_up")
            for key in ["none", *(str(s.pk) for s in default_ladder.values())]
        }
        rows = [(r.name, r.now, r.at_start, r.moved_up, r.median_days_up) for r in ladder.rows]
        return scope.facts_now, rows, ladder.matrix, lists, metrics.headline(scope)

    facts, rows, matrix, lists, headline = report()
    assert facts
    # p1 and p2 are members placed in North (2,000) and South (1,000): one per 1,500 residents;
    # p1 and p2 (→ Leader) moved up, and p3 and p5 (no stage → Leader, Organizer)
    assert headline == {
        "residents_per_member": 1500,
        "members": 3,
        "active_30": 1,
        "moved_up": 4,
        "one_on_ones": 0,
    }
    by_name = {r[0]: r for r in rows}
    assert by_name["Supporter"][1:4] == (1, 2, 1)  # p4 stayed, p2 moved up
    # p1 after 110 days at Volunteer, p2 after 20: the median of 110 and 20
    assert by_name["Volunteer"][1:5] == (0, 1, 1, 65.0)
    assert by_name["Leader"][1] == 3  # p1, p2, p3
    assert lists[("at_start", str(default_ladder["Volunteer"].pk))] == {town.p1.pk}
    assert lists[("at_start", str(default_ladder["Supporter"].pk))] == {town.p4.pk, town.p2.pk}
    ReportRefresh.objects.all().delete()
    assert report() == (False, rows, matrix, lists, headline)


def test_the_whole_chapter_and_a_slice_count_alike_whichever_way_the_facts_are_read(cast, town):
    """Staff without a filter read the facts in person order (``Scope.everyone``); a hub filter
    and a captain read a slice. The same people give the same numbers either way."""
    everyone = report_scope(cast.staff)
    hub_a = report_scope(cast.staff, hub=cast.hub_a)
    captain = report_scope(cast.captain_a)
    assert everyone.everyone and not hub_a.everyone and not captain.everyone
    # Hub A: p1 (North, member, active 10 days ago) and p2 (North, member); the captain sees
    # the same two people (plus Ana, in no neighborhood)
    for scope in (hub_a, captain):
        north = {r.key: r for r in metrics.depth(scope).rows}[str(town.north.pk)]
        assert (north.counts["members"], north.counts["active_30"]) == (2, 1)
        assert metrics.headline(scope)["members"] == 2
    north = {r.key: r for r in metrics.depth(everyone).rows}[str(town.north.pk)]
    assert (north.counts["members"], north.counts["active_30"]) == (2, 1)
    assert metrics.headline(everyone)["members"] == 3  # p4 too, in no neighborhood


def test_a_page_reads_when_the_facts_were_refreshed_once(cast, town, client_for):
    from django.test.utils import CaptureQueriesContext

    client = client_for(cast.staff)
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/reports/organizers/").content.decode()
    reads = [q for q in queries.captured_queries if "reports_reportrefresh" in q["sql"]]
    assert len(reads) == 1  # the numbers and the "as of" line share it
    assert "as of" in html
