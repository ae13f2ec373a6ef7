"""The benchmark harness: timing, the one-line report, a private database, realistic data.

See /work/shared/BENCH.md (and bench/RESULTS.md). Every benchmark module ``bench/bench_*.py``
exposes ``run(ctx: Context)`` and prints its results with :func:`report`.
"""

from __future__ import annotations

import math
import os
import random
import statistics
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

# Another name starting with organizer_bench (BENCH_DATABASE=organizer_bench_2) lets two runs
# share a server without dropping each other's database.
BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "organizer_bench")

# --- Timing -------------------------------------------------------------------------------------


def percentile(values: Iterable[float], pct: float) -> float:
    """The ``pct`` percentile (0-100) of ``values``, interpolating between closest ranks."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of no values")
    if not 0 <= pct <= 100:
        raise ValueError(f"percentile must be within 0..100, got {pct}")
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Timing:
    """Latencies of repeated calls, in milliseconds."""

    samples: tuple[float, ...]

    @property
    def p50(self) -> float:
        return percentile(self.samples, 50)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 95)

    @property
    def mean(self) -> float:
        return statistics.fmean(self.samples)


def time_calls(fn: Callable[[], object], *, repeat: int, warmup: int = 5) -> Timing:
    """Call ``fn`` ``warmup`` times untimed, then ``repeat`` times timed."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return Timing(tuple(samples))


# --- The one-line report ------------------------------------------------------------------------


def fmt(value: float) -> str:
    """Numbers as a person reads them: 1234, 56.7, 7.9, 0.42, 0.0031."""
    if math.isinf(value) or math.isnan(value):
        return str(value)
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 1:
        return f"{value:.1f}"
    if magnitude == 0:
        return "0"
    return f"{value:.2g}"


def bench_line(name: str, value: float, unit: str, *, floor: float, target: str, ok: bool) -> str:
    """``BENCH <name> <value> <unit> floor=<value> ratio=<value> target=<text> <ok|MISS>``."""
    if " " in name or " " in target or " " in unit:
        raise ValueError("name, unit and target must not contain spaces")
    ratio = fmt(value / floor) if floor else "n/a"
    verdict = "ok" if ok else "MISS"
    return (
        f"BENCH {name} {fmt(value)} {unit} floor={fmt(floor)} ratio={ratio} "
        f"target={target} {verdict}"
    )


def report(
    name: str,
    value: float,
    unit: str,
    *,
    floor: float,
    target: str,
    max_value: float | None = None,
    max_ratio: float | None = None,
) -> bool:
    """Print one BENCH line; the target is met when ``value <= max_value`` and
    ``value / floor <= max_ratio`` (whichever are given). Returns whether it was met."""
    ok = True
    if max_value is not None:
        ok = ok and value <= max_value
    if max_ratio is not None:
        ok = ok and bool(floor) and value / floor <= max_ratio
    print(bench_line(name, value, unit, floor=floor, target=target, ok=ok), flush=True)
    return ok


def report_latency(
    name: str, timing: Timing, floor: Timing, *, p95_ms: float | None = None
) -> None:
    """Print ``<name>_p50`` and ``<name>_p95`` lines against a floor's timing."""
    report(name + "_p50", timing.p50, "ms", floor=floor.p50, target="info")
    target = f"p95<={p95_ms:g}ms" if p95_ms is not None else "info"
    report(name + "_p95", timing.p95, "ms", floor=floor.p95, target=target, max_value=p95_ms)


# --- The benchmark database ---------------------------------------------------------------------


def bench_database_url(server_url: str, name: str = BENCH_DATABASE) -> str:
    """``server_url`` with its database replaced by ``name`` (host, port, user, query kept)."""
    parts = urlsplit(server_url)
    return parts._replace(path="/" + name).geturl()


def recreate_database(server_url: str, name: str = BENCH_DATABASE) -> str:
    """Drop and create database ``name`` on the server of ``server_url``; return its URL."""
    import psycopg

    if not name.startswith("organizer_bench"):
        raise ValueError(f"refusing to recreate {name!r}: benchmarks own only organizer_bench*")
    maintenance = bench_database_url(server_url, "postgres")
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return bench_database_url(server_url, name)


@dataclass
class Context:
    """What a benchmark gets: the scale factor, the seed and its own migrated database."""

    scale: float
    database_url: str
    seed: int = 20240601
    notes: list[str] = field(default_factory=list)

    def n(self, full: int, minimum: int = 10) -> int:
        """``full`` scaled by SCALE, at least ``minimum``."""
        return max(minimum, round(full * self.scale))

    def repeat(self, full: int, minimum: int = 20) -> int:
        """How many timed repetitions: fewer at small scale, never too few for a p95."""
        return max(minimum, round(full * min(1.0, self.scale * 10)))

    def rng(self, salt: str = "") -> random.Random:
        return random.Random(f"{self.seed}:{salt}")


def setup(*, scale: float) -> Context:
    """Create ``organizer_bench`` (drop + create) on the server of DATABASE_URL, or on the
    embedded server, point Django at it, migrate. Must run before ``django.setup()``."""
    server_url = os.environ.get("DATABASE_URL") or _embedded_url()
    url = recreate_database(server_url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "organizer.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    # Test client hosts, locmem email, and DEBUG off as in production: Django 5.2's default
    # (debug=None) keeps settings.DEBUG, and with it every statement went through the debug
    # cursor and the query log. CaptureQueriesContext turns the debug cursor on for itself.
    setup_test_environment(debug=False)
    call_command("migrate", verbosity=0, interactive=False)
    return Context(scale=scale, database_url=url)


def _embedded_url() -> str:
    from organizer import embedded

    return embedded.postgres_url()


# --- Realistic people ---------------------------------------------------------------------------

# fmt: off
FIRST_NAMES = {
    "English": ["James", "Mary", "Robert", "Patricia", "Michael", "Jennifer", "David", "Linda",
                "Keisha", "Tyrone", "Ashley", "Brandon", "Emily", "Marcus", "Shanice", "Kevin"],
    "Spanish": ["José", "María", "Luis", "Carmen", "Juan", "Ana", "Carlos", "Guadalupe",
                "Jesús", "Rosa", "Miguel", "Yesenia", "Alejandro", "Lucía", "Héctor", "Xiomara"],
    "Chinese": ["Wei", "Fang", "Jing", "Lei", "Xiu Ying", "Min", "Hao", "Mei", "Jun", "Yan"],
    "Bengali": ["Rahim", "Fatema", "Sabbir", "Nusrat", "Tanvir", "Sumaiya", "Arif", "Jannat"],
    "Haitian Creole": ["Jean", "Marie", "Wideline", "Jean-Baptiste", "Fabiola", "Ricardo"],
    "Russian": ["Dmitri", "Olga", "Sergei", "Natalia", "Yuri", "Svetlana", "Alexei"],
    "Korean": ["Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun", "Hyun-woo", "Soo-ah"],
    "Arabic": ["Mohammed", "Fatima", "Ahmed", "Aisha", "Omar", "Layla", "Youssef"],
    "Polish": ["Krzysztof", "Agnieszka", "Tomasz", "Małgorzata", "Piotr", "Katarzyna"],
}
LAST_NAMES = {
    "English": ["Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson",
                "Anderson", "Taylor", "Thomas", "Jackson", "White", "Harris", "O'Brien"],
    "Spanish": ["García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez",
                "Sánchez", "Ramírez", "Torres", "Flores", "Rivera", "Gómez", "Díaz", "De la Cruz"],
    "Chinese": ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou"],
    "Bengali": ["Rahman", "Hossain", "Islam", "Ahmed", "Chowdhury", "Begum", "Uddin"],
    "Haitian Creole": ["Pierre", "Jean-Louis", "Joseph", "Charles", "Baptiste", "Toussaint"],
    "Russian": ["Ivanov", "Smirnova", "Kuznetsov", "Popova", "Volkov", "Sokolova"],
    "Korean": ["Kim", "Lee", "Park", "Choi", "Jung", "Kang"],
    "Arabic": ["Haddad", "Mansour", "Khalil", "Saleh", "Nasser", "Abdullah"],
    "Polish": ["Nowak", "Kowalski", "Wiśniewska", "Wójcik", "Kamiński", "Lewandowska"],
}
# Share of people by the language their name comes from (roughly a NYC mix).
ORIGIN_WEIGHTS = {
    "English": 34, "Spanish": 28, "Chinese": 10, "Bengali": 5, "Haitian Creole": 5,
    "Russian": 5, "Korean": 4, "Arabic": 5, "Polish": 4,
}
# Neighborhoods with their centre (lat, lon) and ZIP code.
NEIGHBORHOODS = {
    "Astoria": (40.7644, -73.9235, "11103"),
    "Jackson Heights": (40.7557, -73.8831, "11372"),
    "Flushing": (40.7580, -73.8303, "11354"),
    "Sunset Park": (40.6455, -74.0124, "11220"),
    "Bushwick": (40.6944, -73.9213, "11237"),
    "Flatbush": (40.6409, -73.9594, "11226"),
    "Crown Heights": (40.6694, -73.9422, "11213"),
    "Washington Heights": (40.8417, -73.9394, "10033"),
    "Mott Haven": (40.8091, -73.9229, "10454"),
    "Kensington": (40.6388, -73.9753, "11218"),
}
AREA_CODES = ["212", "646", "332", "718", "347", "929", "917"]
PHONE_FORMATS = [
    "({a}) {e}-{l}", "{a}-{e}-{l}", "{a}.{e}.{l}", "{a}{e}{l}", "+1 {a} {e} {l}",
    "1-{a}-{e}-{l}", "{a} {e} {l}", "+1{a}{e}{l}", "({a}){e}-{l}",
]
EMAIL_DOMAINS = [
    "gmail.com", "gmail.com", "gmail.com", "yahoo.com", "hotmail.com", "outlook.com",
    "icloud.com", "aol.com", "protonmail.com",
]
EMPLOYERS = [
    "", "", "", "NYC Health + Hospitals", "MTA", "DOE", "Amazon JFK8", "Starbucks",
    "Mount Sinai", "CUNY", "Trader Joe's", "NYCHA", "Montefiore", "Whole Foods",
]
# fmt: on


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    languages: tuple[str, ...]
    neighborhood: str
    zip_code: str
    latitude: float
    longitude: float
    employer: str
    phone_raw: str | None
    phone_e164: str | None
    email: str | None
    activity: int  # how many interactions this person has: a few very active, many quiet
    created_at: datetime


def _ascii(text: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def generate_people(count: int, *, seed: int = 1) -> Iterator[Person]:
    """``count`` realistic, deterministic people (same seed, same people)."""
    rng = random.Random(seed)
    origins = list(ORIGIN_WEIGHTS)
    weights = list(ORIGIN_WEIGHTS.values())
    hoods = list(NEIGHBORHOODS)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    for i in range(count):
        origin = rng.choices(origins, weights)[0]
        first = rng.choice(FIRST_NAMES[origin])
        last = rng.choice(LAST_NAMES[origin])
        if origin == "Spanish" and rng.random() < 0.3:  # two surnames
            last = f"{last} {rng.choice(LAST_NAMES['Spanish'])}"
        languages = ("English",) if origin in ("English", "Polish") else (origin, "English")
        if rng.random() < 0.15:
            languages = languages[:1]
        hood = rng.choice(hoods)
        lat, lon, zip_code = NEIGHBORHOODS[hood]
        phone_raw = phone_e164 = None
        if rng.random() < 0.9:
            area, exchange, line = rng.choice(AREA_CODES), rng.randint(201, 989), i % 10000
            if exchange in (555, 911):
                exchange += 1
            e, ln = f"{exchange:03d}", f"{line:04d}"
            phone_raw = rng.choice(PHONE_FORMATS).format(a=area, e=e, l=ln)
            phone_e164 = f"+1{area}{e}{ln}"
        email = None
        if rng.random() < 0.7:
            digits = str(rng.randint(1, 99)) if rng.random() < 0.6 else ""
            email = f"{_ascii(first)}.{_ascii(last)}{digits}.{i}@{rng.choice(EMAIL_DOMAINS)}"
        # Pareto: most people have 0-2 interactions, a few have hundreds.
        activity = min(500, int(rng.paretovariate(1.2)) - 1)
        yield Person(
            first_name=first,
            last_name=last,
            languages=languages,
            neighborhood=hood,
            zip_code=zip_code,
            latitude=round(lat + rng.gauss(0, 0.006), 6),
            longitude=round(lon + rng.gauss(0, 0.008), 6),
            employer=rng.choice(EMPLOYERS),
            phone_raw=phone_raw,
            phone_e164=phone_e164,
            email=email,
            activity=activity,
            created_at=start + timedelta(minutes=rng.randint(0, 60 * 24 * 700)),
        )


def copy_rows(model, rows: list[dict]) -> int:
    """COPY ``rows`` (dicts of field name → value) into ``model``'s table. Fields a row leaves
    out get the field's default, so that new model fields do not break benchmarks."""
    from django.db import connection
    from django.db.models import NOT_PROVIDED

    given = rows[0]
    fields = [
        f
        for f in model._meta.concrete_fields
        if not getattr(f, "generated", False)  # computed by PostgreSQL
        and not (f.name not in given and (f.primary_key or f.db_default is not NOT_PROVIDED))
    ]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    defaults = {f.name: f.get_default() for f in fields}
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[f.name] if f.name in row else defaults[f.name] for f in fields])
    return len(rows)


def _reset_sequence(model) -> None:
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {connection.ops.quote_name(table)}))",
            [table],
        )


@dataclass
class Dataset:
    people: list[Person]
    contact_ids: list[int]
    hub_ids: dict[str, int]


def load_people(ctx: Context, count: int) -> Dataset:
    """Generate ``count`` people and COPY them (contacts, phones, emails, neighborhood hubs)
    into the benchmark database. Ids are 1..count in generation order."""
    from contacts.models import Contact, Email, HubMember, Phone
    from hubs.models import Hub
    from organizer.lib.text import fold

    people = list(generate_people(count, seed=ctx.seed))
    now = datetime.now(tz=UTC)
    hub_rows = [
        {"id": i, "name": f"{hood} hub", "slug": _ascii(hood), "kind": "neighborhood",
         "created_at": now}
        for i, hood in enumerate(NEIGHBORHOODS, start=1)
    ]  # fmt: skip
    hub_ids = {row["name"].removesuffix(" hub"): row["id"] for row in hub_rows}
    contacts, phones, emails, members = [], [], [], []
    for pk, p in enumerate(people, start=1):
        contacts.append(
            {"id": pk, "first_name": p.first_name, "last_name": p.last_name,
             "name_search": fold(f"{p.first_name} {p.last_name}"),
             "languages": list(p.languages), "neighborhood": p.neighborhood,
             "zip_code": p.zip_code, "city": "New York", "state": "NY",
             "latitude": p.latitude, "longitude": p.longitude, "employer": p.employer,
             "created_at": p.created_at, "updated_at": p.created_at}
        )  # fmt: skip
        if p.phone_e164:
            phones.append(
                {"id": len(phones) + 1, "contact": pk, "raw": p.phone_raw, "e164": p.phone_e164,
                 "kind": "mobile", "is_primary": True}
            )  # fmt: skip
        if p.email:
            emails.append(
                {"id": len(emails) + 1, "contact": pk, "address": p.email, "is_primary": True}
            )
        members.append(
            {"id": pk, "contact": pk, "hub": hub_ids[p.neighborhood], "role": "member",
             "since": p.created_at.date()}
        )  # fmt: skip
    for model, rows in ((Hub, hub_rows), (Contact, contacts), (Phone, phones),
                        (Email, emails), (HubMember, members)):  # fmt: skip
        if rows:
            copy_rows(model, [_known_fields(model, r) for r in rows])
            _reset_sequence(model)
    return Dataset(people=people, contact_ids=list(range(1, count + 1)), hub_ids=hub_ids)


_READ_ONLY_PEOPLE: tuple[int, int] | None = None  # (count, seed) left by load_people_once


def load_people_once(ctx: Context, count: int) -> bool:
    """A clean slate with ``count`` people (``clear_data``, ``load_people``, ``analyze``), for
    benchmarks that only read them: when the previous benchmark of this run loaded the same
    people this way, they are kept (users are removed) and the load, minutes at full scale,
    happens once. Any ``clear_data`` in between forgets them. Returns whether it loaded."""
    global _READ_ONLY_PEOPLE
    if (count, ctx.seed) == _READ_ONLY_PEOPLE:
        _clear_users()
        return False
    clear_data()
    load_people(ctx, count)
    analyze()
    _READ_ONLY_PEOPLE = (count, ctx.seed)
    return True


def _clear_users() -> None:
    from accounts.models import User

    User.objects.all().delete()


def _known_fields(model, row: dict) -> dict:
    """Only the fields ``model`` still has (a benchmark outlives a removed field)."""
    known = {f.name for f in model._meta.concrete_fields}
    return {k: v for k, v in row.items() if k in known}


# --- A clean slate, users, conversations and follow-ups ----------------------------------------


def clear_data() -> None:
    """Empty every table of people, hubs and users (and what refers to them), ids restarted:
    benchmarks share one database, so each starts from nothing."""
    from django.apps import apps
    from django.db import connection

    global _READ_ONLY_PEOPLE
    _READ_ONLY_PEOPLE = None
    tables = [
        m._meta.db_table
        for label in ("accounts", "hubs", "contacts")
        for m in apps.get_app_config(label).get_models(include_auto_created=True)
    ]
    quoted = ", ".join(connection.ops.quote_name(t) for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def make_user(email: str, role: str, *, hub_ids: Iterable[int] = (), hub_role: str = ""):
    """A user with ``role``, member of ``hub_ids`` (as ``hub_role``, default the same role)."""
    from accounts.models import User
    from hubs.models import HubRole

    user = User.objects.create_user(email, "bench-password", role=role, name=email.split("@")[0])
    for hub_id in hub_ids:
        HubRole.objects.create(user=user, hub_id=hub_id, role=hub_role or role)
    return user


NOTES = [
    "Talked about rent going up again; wants to come to the tenant meeting.",
    "Worried about the schedule changes at work. Knows three coworkers who feel the same.",
    "Kids at PS 149; interested in the childcare committee.",
    "Not sure yet. Asked to call back after payday.",
    "Brought a neighbor to the last meeting. Could lead the building.",
    "",
]
FOLLOW_UPS = [
    "Call back about the potluck", "Bring the sign-up sheet", "Text the meeting address",
    "Ask about the building committee", "Check in after the hearing", "Drop off flyers",
]  # fmt: skip


def load_interactions(
    ctx: Context, people: dict[int, int], author_ids: list[int], *, days: int = 120
) -> int:
    """COPY interactions: ``people`` maps a contact id to how many it has (skewed activity),
    authored by ``author_ids`` (the first one most often), spread over the last ``days`` days.
    Sets each person's ``last_contacted_at``."""
    from django.db import connection

    from contacts.models import Interaction

    rng = ctx.rng("interactions")
    now = datetime.now(tz=UTC)
    kinds = [k for k, _ in Interaction.Kind.choices]
    rows, last = [], {}
    for contact_id, count in people.items():
        for _ in range(count):
            at = now - timedelta(minutes=rng.randint(10, days * 24 * 60))
            author = author_ids[0] if rng.random() < 0.7 else rng.choice(author_ids)
            rows.append(
                {"contact": contact_id, "kind": rng.choice(kinds), "happened_at": at,
                 "notes": rng.choice(NOTES), "author": author, "created_at": at}
            )  # fmt: skip
            last[contact_id] = max(at, last.get(contact_id, at))
    if rows:
        copy_rows(Interaction, [_known_fields(Interaction, r) for r in rows])
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE contacts_contact c SET last_contacted_at = v.at "
                "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, at) WHERE c.id = v.id",
                [list(last), list(last.values())],
            )
    return len(rows)


def load_follow_ups(
    ctx: Context,
    contact_ids: list[int],
    assignee_id: int,
    *,
    overdue: int,
    today: int,
    upcoming: int,
    later: int = 0,
    done: int = 0,
) -> int:
    """COPY follow-ups assigned to ``assignee_id`` about people picked from ``contact_ids``:
    open ones ``overdue`` (1-30 days late), due ``today``, ``upcoming`` (next 14 days) and
    ``later`` (15-90 days out), plus ``done`` completed ones."""
    from django.utils import timezone

    from contacts.models import FollowUp

    rng = ctx.rng(f"follow-ups:{assignee_id}:{overdue}:{upcoming}")
    day = timezone.localdate()
    now = datetime.now(tz=UTC)
    plan = (
        [(-rng.randint(1, 30), "open") for _ in range(overdue)]
        + [(0, "open")] * today
        + [(rng.randint(1, 14), "open") for _ in range(upcoming)]
        + [(rng.randint(15, 90), "open") for _ in range(later)]
        + [(-rng.randint(1, 90), "done") for _ in range(done)]
    )
    rows = [
        {"contact": rng.choice(contact_ids), "assigned_to": assignee_id,
         "due_on": day + timedelta(days=offset), "what": rng.choice(FOLLOW_UPS),
         "status": status, "created_at": now, "created_by": assignee_id,
         "completed_at": now if status == "done" else None,
         "completed_by": assignee_id if status == "done" else None}
        for offset, status in plan
    ]  # fmt: skip
    if rows:
        copy_rows(FollowUp, [_known_fields(FollowUp, r) for r in rows])
    return len(rows)


# --- Concurrent requests (public forms) ---------------------------------------------------------


def _backend_cpu_s(pid: int | None) -> float:
    """CPU seconds a PostgreSQL backend (a process on this machine) has used; 0 when it cannot be
    read (a server elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, TypeError):
        return 0.0


@dataclass
class Cpu:
    """CPU used by a run of ``run_threads``: this process (every thread) and the PostgreSQL
    backends of the threads' connections, in seconds. Unlike wall time, it hardly moves when
    other work shares the machine: the cost of one call, not how fast the machine is today."""

    python_s: float = 0.0
    postgres_s: float = 0.0

    def ms_per(self, calls: int) -> tuple[float, float]:
        return 1000 * self.python_s / calls, 1000 * self.postgres_s / calls


def run_threads(
    work: Callable[[int, int], None], per_thread: int, threads: int, cpu: Cpu | None = None
) -> float:
    """Run ``work(thread_index, i)`` ``per_thread`` times in each of ``threads`` threads, all
    started together; the seconds they took (and, with ``cpu``, the CPU they used). The first
    error in any thread is raised."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(threads + 1)
    errors: list[BaseException] = []
    backend_s: list[float] = []

    def loop(t: int) -> None:
        pid = None
        try:
            if cpu is not None:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    pid = cursor.fetchone()[0]
                backend_s.append(-_backend_cpu_s(pid))
            barrier.wait()
            for i in range(per_thread):
                work(t, i)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            if pid is not None:
                backend_s.append(_backend_cpu_s(pid))
            connection.close()

    workers = [threading.Thread(target=loop, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    barrier.wait()
    start, start_cpu = time.perf_counter(), time.process_time()
    for worker in workers:
        worker.join()
    if errors:
        raise errors[0]
    if cpu is not None:
        cpu.python_s, cpu.postgres_s = time.process_time() - start_cpu, sum(backend_s)
    return time.perf_counter() - start


FORM = "application/x-www-form-urlencoded"


def post_form(client, url: str, data: dict, **extra):
    """POST ``data`` as a browser sends a form without files (urlencoded; the test client's
    default, multipart, is what only a file upload sends)."""
    from urllib.parse import urlencode

    return client.post(url, urlencode(data), content_type=FORM, **extra)


def post_at_once(url: str, payloads: list[dict], *, count: int, address: str) -> None:
    """``count`` clients post to ``url`` at the same instant (payloads in turn, each from its own
    address ``address.k``); every answer must be a redirect (the form took it)."""
    from django.test import Client

    def work(k: int, _i: int) -> None:
        response = post_form(
            Client(), url, payloads[k % len(payloads)], REMOTE_ADDR=f"{address}.{k}"
        )
        assert response.status_code == 302, response.status_code

    run_threads(work, 1, count)
