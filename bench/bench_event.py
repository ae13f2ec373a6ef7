"""Public RSVPs per second through the full view, and the anonymous event page.

Data: 1,000,000 people (``load_people``, COPY) in ten neighborhood hubs; one public event in
one hub. Values:

- ``event_rsvp_per_s``: RSVPs submitted through ``POST /e/<id>/`` (urlencoded, as a browser
  posts the form) by two threads (two cores), each request from its own address — validation,
  the rate limit (Redis), match-or-create of the person under advisory locks, consent, the RSVP
  row, the confirmation rows and, after commit, the confirmations' send task (one a second per
  process). Half the submissions are people already in the database (matched by phone), half
  are new. Floor: a trivial POST view through the same middleware and threads. Target: ≥ 100 a
  second and ≥ 0.3× the floor.
- ``event_rsvp_cpu_ms``: the CPU one RSVP costs, this process's (every thread) plus the
  PostgreSQL backends' (read from ``/proc``; 0 for a server on another machine); floor: the
  trivial POST's. Unlike the rate it hardly moves when other work shares the machine.
- ``event_rsvp_duplicates``: after 8 threads behind a barrier submit the same new person and 8
  the same known person, how many extra people and RSVPs exist (target 0).
- ``event_page_ms``: the anonymous event page with 10,000+ RSVPs, p50/p95 (target p95 ≤ 50 ms);
  floor: a trivial GET view. ``event_page_queries``: its SQL queries with those RSVPs against
  the count with none (target: equal).
"""

from __future__ import annotations

import datetime as dt
import time

from django.db import connection
from django.http import HttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from bench import lib
from bench.lib import Context, report, report_latency, time_calls

PEOPLE = 1_000_000
THREADS = 2


@csrf_exempt
def trivial(request):
    return HttpResponse("ok")


urlpatterns = [
    path("bench/trivial", trivial),
    path("", include("organizer.urls")),
]


def _run_threads(work, per_thread: int, cpu: lib.Cpu | None = None) -> float:
    return lib.run_threads(work, per_thread, THREADS, cpu)


def report_cpu(
    name: str, cpu: lib.Cpu, floor: lib.Cpu, calls: int, *, floor_name: str = "trivial POST"
) -> None:
    """CPU per call (this process + PostgreSQL's backends) against the floor's (the trivial
    POST's): what one call costs, which — unlike a rate — hardly moves with the load on the
    machine."""
    python_ms, postgres_ms = cpu.ms_per(calls)
    floor_python, floor_postgres = floor.ms_per(calls)
    print(f"# {name}: python {python_ms:.2f} ms + postgres {postgres_ms:.2f} ms per call; "
          f"{floor_name} {floor_python:.2f} + {floor_postgres:.2f} ms", flush=True)  # fmt: skip
    report(name, python_ms + postgres_ms, "ms", floor=floor_python + floor_postgres,
           target="info")  # fmt: skip


def _post_rsvps(
    event_id: int, people: list, per_thread: int, offset: int, cpu: lib.Cpu | None = None
) -> float:
    clients = [Client() for _ in range(THREADS)]

    def work(t: int, i: int) -> None:
        n = offset + t * per_thread + i
        if n % 2 and n < len(people):  # someone already in the database
            p = people[n]
            data = {
                "first_name": p.first_name,
                "last_name": p.last_name,
                "phone": p.phone_raw or "",
                "email": p.email or "",
            }
        else:  # someone new
            data = {
                "first_name": f"New{n}",
                "last_name": "Person",
                "phone": f"+1347{200 + (n // 10_000) % 700:03d}{n % 10_000:04d}",
                "email": f"new{n}@example.org",
            }
        if not data["phone"] and not data["email"]:
            data["email"] = f"x{n}@example.org"
        data["sms_consent"] = "on" if data["phone"] and n % 3 == 0 else ""
        response = lib.post_form(
            clients[t], f"/e/{event_id}/", data, REMOTE_ADDR=f"10.9.{t}.{i % 250}-{n}"
        )
        assert response.status_code == 302, (response.status_code, response.content[:300])

    return _run_threads(work, per_thread, cpu)


def _duplicates(event_id: int, known) -> int:
    from campaigns.models import Rsvp
    from contacts.models import Contact, Phone

    before = Contact.objects.count()
    same = [
        {"first_name": "Same", "last_name": "Person", "phone": "+13475550199"},
        {"first_name": known.first_name, "last_name": known.last_name, "phone": known.phone_raw},
    ]
    lib.post_at_once(f"/e/{event_id}/", same, count=16, address="10.8.0")
    extra_people = Contact.objects.count() - before - 1  # one new person is expected
    phones = Phone.objects.filter(e164="+13475550199").count()
    rsvps = Rsvp.objects.filter(event_id=event_id, contact__phones__e164__in=[
        "+13475550199", known.phone_e164]).count()  # fmt: skip
    return extra_people + (phones - 1) + (rsvps - 2)


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def run(ctx: Context) -> None:
    from campaigns.models import Event, Rsvp
    from contacts.services.reminders import Providers  # noqa: F401  (import cost up front)

    lib.clear_data()
    started = time.monotonic()
    data = lib.load_people(ctx, ctx.n(PEOPLE, minimum=2000))
    hub_id = next(iter(data.hub_ids.values()))
    start = timezone.now() + dt.timedelta(days=3)
    event = Event.objects.create(
        title="Childcare potluck", kind="potluck", hub_id=hub_id, starts_at=start,
        ends_at=start + dt.timedelta(hours=3), place="Maria Hernandez Park",
        latitude=40.7, longitude=-73.92,
    )  # fmt: skip
    lib.analyze()
    print(f"# {len(data.people)} people; prepared in {time.monotonic() - started:.0f}s")

    per_thread = ctx.repeat(500, minimum=50)
    url = f"/e/{event.pk}/"
    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["*"]):
        page = Client()
        empty_queries = _queries(page, url)
        _post_rsvps(event.pk, data.people, 20, offset=10_000_000)  # warm up
        floor_cpu, rsvp_cpu = lib.Cpu(), lib.Cpu()
        floor_s = _run_threads(
            lambda t, i: lib.post_form(Client(), "/bench/trivial", {"a": "b"}),
            per_thread,
            floor_cpu,
        )
        rsvp_s = _post_rsvps(event.pk, data.people, per_thread, offset=0, cpu=rsvp_cpu)
        duplicates = _duplicates(event.pk, next(p for p in data.people if p.phone_raw))
        # Fill to 10,000+ RSVPs for the page (COPY: the page, not the writes, is measured).
        have = set(Rsvp.objects.filter(event=event).values_list("contact_id", flat=True))
        now = timezone.now()
        lib.copy_rows(Rsvp, [
            {"event": event.pk, "contact": pk, "status": "going", "source": "public",
             "created_at": now}
            for pk in data.contact_ids[:10_000] if pk not in have
        ])  # fmt: skip
        lib.analyze()
        going = Rsvp.objects.filter(event=event).count()
        full_queries = _queries(page, url)
        repeat = ctx.repeat(300)
        floor_timing = time_calls(lambda: page.get("/bench/trivial"), repeat=repeat)
        page_timing = time_calls(lambda: page.get(url), repeat=repeat)

    total = THREADS * per_thread
    rate, floor_rate = total / rsvp_s, total / floor_s
    print(f"# {total} RSVPs in {rsvp_s:.1f}s; {going} RSVPs on the page")
    ok = rate >= 100 and rate >= 0.3 * floor_rate
    print(lib.bench_line("event_rsvp_per_s", rate, "rsvp/s", floor=floor_rate,
                         target=">=100/s_and_>=0.3x_floor", ok=ok), flush=True)  # fmt: skip
    report_cpu("event_rsvp_cpu_ms", rsvp_cpu, floor_cpu, total)
    report("event_rsvp_duplicates", duplicates, "rows", floor=0, target="0", max_value=0)
    report_latency("event_page_ms", page_timing, floor_timing, p95_ms=50)
    report(
        "event_page_queries", full_queries, "queries", floor=empty_queries,
        target="same_with_10k_rsvps", max_ratio=1,
    )  # fmt: skip
    _purge_queue()


def _purge_queue() -> None:
    """The confirmations were enqueued for real; no worker consumes the bench's queue."""
    try:
        from organizer.celery import app

        app.control.purge()
    except Exception as exc:  # Redis gone: nothing to purge
        print(f"# queue not purged: {exc}")
