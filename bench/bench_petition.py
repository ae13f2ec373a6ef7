"""Public petition signatures per second through the full view, and the public petition page.

Data: 1,000,000 people (``load_people``, COPY) in ten neighborhood hubs; one campaign of one
hub with one public petition. Values:

- ``petition_sign_per_s``: signatures submitted through ``POST /p/<id>/`` (urlencoded, as a
  browser posts the form) by two threads (two cores), each request from its own address —
  validation, the rate limit (Redis), match-or-create of the person under advisory locks,
  consent, the signature row and its ladder activity. Half the signers are people already in
  the database (matched by phone), half are new. Floor: a trivial POST view through the same
  middleware and threads. Target: ≥ 100 a second and ≥ 0.3× the floor.
- ``petition_sign_cpu_ms``: the CPU one signature costs (as ``event_rsvp_cpu_ms``).
- ``petition_duplicates``: after 8 threads behind a barrier sign as the same new person and 8
  as the same known person, how many extra people and signatures exist (target 0).
- ``petition_page_ms``: the anonymous petition page with 10,000+ signatures, p50/p95 (target
  p95 ≤ 50 ms); floor: a trivial GET view.
"""

from __future__ import annotations

import datetime as dt
import time

from django.test import Client, override_settings
from django.urls import include, path
from django.utils import timezone

from bench import lib
from bench.bench_event import THREADS, _run_threads, report_cpu, trivial
from bench.lib import Context, report, report_latency, time_calls

PEOPLE = 1_000_000

urlpatterns = [
    path("bench/trivial", trivial),
    path("", include("organizer.urls")),
]


def _sign(
    petition_id: int, people: list, per_thread: int, offset: int, cpu: lib.Cpu | None = None
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
                "last_name": "Signer",
                "phone": f"+1347{200 + (n // 10_000) % 700:03d}{n % 10_000:04d}",
                "email": f"sign{n}@example.org",
                "street": f"{n % 400} Grand St",
                "zip_code": f"112{n % 40:02d}",
            }
        if not data["phone"] and not data["email"]:
            data["email"] = f"x{n}@example.org"
        data["consent"] = "on" if n % 3 == 0 else ""
        response = lib.post_form(
            clients[t], f"/p/{petition_id}/", data, REMOTE_ADDR=f"10.7.{t}.{i}-{n}"
        )
        assert response.status_code == 302, (response.status_code, response.content[:300])

    return _run_threads(work, per_thread, cpu)


def _duplicates(petition_id: int, known) -> int:
    from campaigns.models import Signature
    from contacts.models import Contact, Phone

    before = Contact.objects.count()
    same = [
        {"first_name": "Same", "last_name": "Signer", "phone": "+13475550188"},
        {"first_name": known.first_name, "last_name": known.last_name, "phone": known.phone_raw},
    ]
    lib.post_at_once(f"/p/{petition_id}/", same, count=16, address="10.6.0")
    extra_people = Contact.objects.count() - before - 1  # one new person is expected
    phones = Phone.objects.filter(e164="+13475550188").count()
    signatures = Signature.objects.filter(petition_id=petition_id, contact__phones__e164__in=[
        "+13475550188", known.phone_e164]).count()  # fmt: skip
    return extra_people + (phones - 1) + (signatures - 2)


def run(ctx: Context) -> None:
    from campaigns.models import Campaign, Petition, Signature

    lib.clear_data()
    started = time.monotonic()
    data = lib.load_people(ctx, ctx.n(PEOPLE, minimum=2000))
    hub_id = next(iter(data.hub_ids.values()))
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="Fix the heat", slug=f"bench-petition-{time.time_ns()}",
        starts_on=today - dt.timedelta(days=1), ends_on=today + dt.timedelta(days=30),
    )  # fmt: skip
    campaign.hubs.set([hub_id])
    petition = Petition.objects.create(
        campaign=campaign, title="Heat for every apartment", target_name="Acme Realty",
        text="We ask the landlord to fix the boilers before winter.", goal=20_000,
    )  # fmt: skip
    lib.analyze()
    print(f"# {len(data.people)} people; prepared in {time.monotonic() - started:.0f}s")

    per_thread = ctx.repeat(500, minimum=50)
    url = f"/p/{petition.pk}/"
    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["*"]):
        page = Client()
        _sign(petition.pk, data.people, 20, offset=10_000_000)  # warm up
        floor_cpu, sign_cpu = lib.Cpu(), lib.Cpu()
        floor_s = _run_threads(
            lambda t, i: lib.post_form(Client(), "/bench/trivial", {"a": "b"}),
            per_thread,
            floor_cpu,
        )
        sign_s = _sign(petition.pk, data.people, per_thread, offset=0, cpu=sign_cpu)
        duplicates = _duplicates(petition.pk, next(p for p in data.people if p.phone_raw))
        # Fill to 10,000+ signatures for the page (COPY: the page, not the writes, is measured).
        have = set(Signature.objects.filter(petition=petition).values_list("contact_id", flat=True))
        now = timezone.now()
        lib.copy_rows(Signature, [
            {"petition": petition.pk, "contact": pk, "source": "online", "signed_at": now,
             "consent_text": ""}
            for pk in data.contact_ids[:10_000] if pk not in have
        ])  # fmt: skip
        lib.analyze()
        signed = Signature.objects.filter(petition=petition).count()
        repeat = ctx.repeat(300)
        floor_timing = time_calls(lambda: page.get("/bench/trivial"), repeat=repeat)
        page_timing = time_calls(lambda: page.get(url), repeat=repeat)

    total = THREADS * per_thread
    rate, floor_rate = total / sign_s, total / floor_s
    print(f"# {total} signatures in {sign_s:.1f}s; {signed} signatures on the page")
    ok = rate >= 100 and rate >= 0.3 * floor_rate
    print(lib.bench_line("petition_sign_per_s", rate, "sign/s", floor=floor_rate,
                         target=">=100/s_and_>=0.3x_floor", ok=ok), flush=True)  # fmt: skip
    report_cpu("petition_sign_cpu_ms", sign_cpu, floor_cpu, total)
    report("petition_duplicates", duplicates, "rows", floor=0, target="0", max_value=0)
    report_latency("petition_page_ms", page_timing, floor_timing, p95_ms=50)
