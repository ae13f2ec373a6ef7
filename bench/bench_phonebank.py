"""Phone banks: "next person" for 50 callers working the same call list of 100,000 at once.

Data: 100,000 people (``load_people``, COPY), all in one hub; one campaign; two call lists of
everyone with a phone, built by ``call_list_build`` (``INSERT … SELECT``), 50 staff callers.

- ``phonebank_build_s``: building a list of 100,000 (info; floor: a bare ``INSERT … SELECT`` of
  the same ids into a scratch table).
- ``phonebank_next_ms``: what the caller page does to hand a person: ``call_next_target``
  (the claim, returning the row and its person's name in the same statement, prepared once per
  connection), timed in each of 50 threads behind a barrier, each caller marking its person
  worked (untimed) before asking again. p50/p95, target p95 ≤ 50 ms.
  Floor: a raw claim ``UPDATE … SKIP LOCKED RETURNING id`` on the second list by the same 50
  threads (no person checks, no person loaded).
- ``phonebank_next_cpu_ms``: the CPU one "next" of those 50 callers costs, this process's
  (every thread) plus the PostgreSQL backends' (``bench_event.report_cpu``), the caller's
  statement marking the person worked included; floor: the raw claim's run. Unlike the
  latency it hardly moves when other work shares the machine (info).
- ``phonebank_next_1caller_ms``: the same for one caller alone (info: what the statement
  costs without 50 Python threads sharing the interpreter and two cores); same floor.
- ``phonebank_double_claims``: rows handed to two callers during the run (target 0).
- ``phonebank_next_queries``: SQL statements per "next" on a fresh list and after thousands
  of rows were worked (target: the same number).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench import lib
from bench.bench_event import report_cpu
from bench.lib import Context, Timing, report, report_latency

PEOPLE = 100_000
CALLERS = 50

_FLOOR_SQL = """
UPDATE campaigns_calltarget SET claimed_by_id = %s, claimed_until = now() + interval '10 min'
WHERE id = (SELECT id FROM campaigns_calltarget WHERE call_list_id = %s AND result = ''
            AND claimed_until IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING id
"""
_DONE_SQL = "UPDATE campaigns_calltarget SET result = 'no_answer' WHERE id = %s"


def _work(
    call_list, callers, per_caller: int, *, floor: bool, cpu: lib.Cpu | None = None
) -> tuple[list[float], list[int]]:
    """Each caller asks for a person ``per_caller`` times; their latencies (ms) and the ids
    handed out (every id once, unless a person was handed to two callers)."""
    from campaigns.services.calls import call_next_target

    samples: list[float] = []
    handed: list[int] = []
    lock = threading.Lock()

    def caller(t: int, _i: int) -> None:
        user = callers[t]
        mine, got = [], []
        for _ in range(per_caller):
            start = time.perf_counter()
            if floor:
                with connection.cursor() as cursor:
                    cursor.execute(_FLOOR_SQL, [user.pk, call_list.pk])
                    row = cursor.fetchone()
                target_id = row[0] if row else None
            else:
                target = call_next_target(user=user, call_list=call_list)
                target_id = target.pk if target is not None else None
            mine.append((time.perf_counter() - start) * 1000)
            if target_id is None:
                break
            got.append(target_id)
            with connection.cursor() as cursor:
                cursor.execute(_DONE_SQL, [target_id])
        with lock:
            samples.extend(mine)
            handed.extend(got)

    lib.run_threads(caller, 1, CALLERS, cpu)
    return samples, handed


def _alone(call_list, user, repeat: int, *, floor: bool) -> Timing:
    from campaigns.services.calls import call_next_target

    def one() -> None:
        if floor:
            with connection.cursor() as cursor:
                cursor.execute(_FLOOR_SQL, [user.pk, call_list.pk])
                target_id = cursor.fetchone()[0]
        else:
            target_id = call_next_target(user=user, call_list=call_list).pk
        with connection.cursor() as cursor:
            cursor.execute(_DONE_SQL, [target_id])

    return lib.time_calls(one, repeat=repeat)


def _queries_per_next(call_list, user) -> int:
    from campaigns.services.calls import call_next_target

    with CaptureQueriesContext(connection) as ctx:
        target = call_next_target(user=user, call_list=call_list)
        assert target is not None and target.contact.display_name
    with connection.cursor() as cursor:
        cursor.execute(_DONE_SQL, [target.pk])
    return len(ctx.captured_queries)


def run(ctx: Context) -> None:
    from accounts.models import Role
    from campaigns.models import CallList, Campaign
    from campaigns.services.calls import call_list_create
    from hubs.models import Hub

    lib.clear_data()
    started = time.monotonic()
    data = lib.load_people(ctx, ctx.n(PEOPLE, minimum=2000))
    hub = Hub.objects.create(name="Phone bank hub", slug="phone-bank-hub", kind="neighborhood")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO contacts_hubmember (contact_id, hub_id, role, since) "
            "SELECT id, %s, 'member', current_date FROM contacts_contact",
            [hub.pk],
        )
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="Childcare for all", slug=f"bench-phonebank-{time.time_ns()}",
        starts_on=today - dt.timedelta(days=1), ends_on=today + dt.timedelta(days=30),
    )  # fmt: skip
    campaign.hubs.set([hub])
    callers = [lib.make_user(f"caller{i}@bench.test", Role.STAFF) for i in range(CALLERS)]
    lib.analyze()
    print(f"# {len(data.people)} people; prepared in {time.monotonic() - started:.0f}s")

    def build(name: str) -> tuple[CallList, float]:
        start = time.perf_counter()
        call_list = call_list_create(
            by=callers[0], campaign=campaign, hub=hub, name=name, kind=CallList.Kind.CALL,
            script="Hi {first_name}, this is {caller} from the hub.",
            source=CallList.Source.PEOPLE, callers=callers,
        )  # fmt: skip
        return call_list, time.perf_counter() - start

    calls, build_s = build("Potluck calls")
    floor_list, _ = build("Floor list")
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE scratch AS SELECT c.id, p.e164 FROM contacts_contact c "
            "JOIN contacts_phone p ON p.contact_id = c.id AND p.is_primary"
        )
        cursor.execute("DROP TABLE scratch")
    raw_build_s = time.perf_counter() - start
    size = calls.targets.count()
    lib.analyze()
    print(f"# call lists of {size} people")
    report("phonebank_build_s", build_s, "s", floor=raw_build_s, target="info")

    first_queries = _queries_per_next(calls, callers[0])
    per_caller = ctx.repeat(60, minimum=10)
    _work(floor_list, callers, 3, floor=True)  # warm up
    floor_cpu, cpu = lib.Cpu(), lib.Cpu()
    floor_samples, _ = _work(floor_list, callers, per_caller, floor=True, cpu=floor_cpu)
    samples, handed = _work(calls, callers, per_caller, floor=False, cpu=cpu)
    later_queries = _queries_per_next(calls, callers[0])
    alone_floor = _alone(floor_list, callers[1], ctx.repeat(300), floor=True)
    alone = _alone(calls, callers[1], ctx.repeat(300), floor=False)

    doubles = sum(n - 1 for n in Counter(handed).values() if n > 1)
    print(f"# {len(handed)} people handed to {CALLERS} callers; {len(samples)} timed")
    report_latency("phonebank_next_ms", Timing(tuple(samples)), Timing(tuple(floor_samples)),
                   p95_ms=50)  # fmt: skip
    report_cpu("phonebank_next_cpu_ms", cpu, floor_cpu, len(samples), floor_name="raw claim")
    report_latency("phonebank_next_1caller_ms", alone, alone_floor)
    report("phonebank_double_claims", doubles, "rows", floor=0, target="0", max_value=0)
    print(lib.bench_line("phonebank_next_queries", later_queries, "queries",
                         floor=first_queries, target="constant",
                         ok=later_queries == first_queries), flush=True)  # fmt: skip
