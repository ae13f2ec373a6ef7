"""“My day” and the people list for an organizer with 2,000 people, through Django's test client.

Data: 20,000 people in ten neighborhood hubs (``load_people``); the organizer is an organizer
of one hub and owns its ~2,000 people, who have skewed activity (interactions by the organizer
and a colleague over the last 120 days). Follow-ups assigned to the organizer: first 20 shown
on My day (overdue, due today, next two weeks) among others later or done, then 200 shown.

Values: GET My day and GET the people list (first page) — p50/p95 ms and the SQL query count
(``CaptureQueriesContext``). Floor: a view that only requires a signed-in user, through the same
middleware (session and user loaded the same way). The query count of My day with 200
follow-ups shown must not exceed the count with 20.
"""

from __future__ import annotations

import time

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse

from bench import lib
from bench.lib import Context, report, report_latency, time_calls

PEOPLE = 20_000
HUB = "Astoria"


@login_required
def trivial(request):
    return HttpResponse("ok")


urlpatterns = [
    path("bench/trivial", trivial),
    path("", include("organizer.urls")),
]


def _count_queries(client: Client, url: str, expect: tuple[str, ...] = ()) -> int:
    """The number of SQL queries of one GET (and a comment line: their time, the slowest)."""
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    total = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (url, response.status_code)
    timed = sorted(queries.captured_queries, key=lambda q: float(q["time"]), reverse=True)
    sql_ms = sum(float(q["time"]) for q in timed) * 1000
    print(
        f"# GET {url}: {total:.0f} ms, {len(timed)} queries taking {sql_ms:.0f} ms, the "
        f"slowest {float(timed[0]['time']) * 1000:.0f} ms: {timed[0]['sql'][:160]}",
        flush=True,
    )
    if expect:
        html = response.content.decode()
        assert any(text in html for text in expect), f"{url} shows none of {expect!r}"
    return len(queries)


def _follow_ups(ctx: Context, contact_ids: list[int], user_id: int, shown: int) -> None:
    """Replace the organizer's follow-ups: ``shown`` on My day, more later and done."""
    from contacts.models import FollowUp

    FollowUp.objects.all().delete()
    overdue, today = shown * 3 // 10, shown // 5
    lib.load_follow_ups(
        ctx, contact_ids, user_id,
        overdue=overdue, today=today, upcoming=shown - overdue - today,
        later=shown * 2, done=shown * 3,
    )  # fmt: skip
    lib.analyze()


def run(ctx: Context) -> None:
    from accounts.models import Role
    from contacts.models import Contact, HubMember

    lib.clear_data()
    started = time.monotonic()
    data = lib.load_people(ctx, PEOPLE)
    hub_id = data.hub_ids[HUB]
    organizer = lib.make_user("organizer@bench.example", Role.ORGANIZER, hub_ids=[hub_id])
    colleague = lib.make_user("colleague@bench.example", Role.ORGANIZER, hub_ids=[hub_id])
    mine = list(HubMember.objects.filter(hub_id=hub_id).values_list("contact_id", flat=True))
    Contact.objects.filter(pk__in=mine).update(owner=organizer)
    activity = {pk: data.people[pk - 1].activity for pk in mine}
    interactions = lib.load_interactions(ctx, activity, [organizer.pk, colleague.pk])
    lib.analyze()
    print(
        f"# organizer with {len(mine)} people, {interactions} interactions; "
        f"prepared in {time.monotonic() - started:.0f}s",
        flush=True,
    )

    repeat = ctx.repeat(300)
    with override_settings(ROOT_URLCONF=__name__):
        client = Client()
        client.force_login(organizer)
        my_day, people_list = reverse("contacts:my_day"), reverse("contacts:list")
        floor_queries = _count_queries(client, "/bench/trivial")

        def floor() -> None:
            assert client.get("/bench/trivial").status_code == 200

        def get(url: str):
            def fn() -> None:
                assert client.get(url).status_code == 200

            return fn

        counts = {}
        for shown in (20, 200):
            _follow_ups(ctx, mine, organizer.pk, shown)
            counts[shown] = _count_queries(client, my_day, expect=tuple(lib.FOLLOW_UPS))
        floor_timing = time_calls(floor, repeat=repeat)
        my_day_timing = time_calls(get(my_day), repeat=repeat)
        list_queries = _count_queries(client, people_list)
        list_timing = time_calls(get(people_list), repeat=repeat)

    report_latency("myday_ms", my_day_timing, floor_timing)
    report("myday_queries_20", counts[20], "queries", floor=floor_queries, target="info")
    report(
        "myday_queries_200", counts[200], "queries", floor=counts[20],
        target="<=queries_with_20_shown", max_ratio=1,
    )  # fmt: skip
    report_latency("people_list_ms", list_timing, floor_timing)
    report("people_list_queries", list_queries, "queries", floor=floor_queries, target="info")
