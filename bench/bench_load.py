"""Load: 20 organizers at once against gunicorn as docker-compose runs it, for a minute.

Server: gunicorn with production settings (``bench/load_settings.py``: DEBUG off), the worker
and thread counts recommended for a 2-core machine (``WORKERS`` × ``THREADS`` below, the same
defaults as docker-compose.yml), on the benchmark's database and the real Redis.

Data: 20,000 people in ten neighborhood hubs (``load_people``); 20 organizers, two per hub, who
own their hub's people between them, with skewed activity, 20 follow-ups showing on My day
each, and a 60-door walk-list piece each.

Load: ``USERS`` client threads, each signed in as its own organizer, each request chosen at
random: My day 35 %, People 25 %, log a one-on-one 15 %, tap a door 15 %, and the floor 10 %:
a trivial page that only requires a signed-in user, served by the same gunicorn under the same
load. Two phases:

- **Users** (a minute at SCALE=1): each organizer waits between requests as a person does,
  ``THINK`` seconds drawn uniformly (0.5–2.5 s, a request every 1.5 s on average — brisker than
  anyone on a phone at the doors). The targets apply here: 0 errors; p95 <= 300 ms for My day
  and People.
- **Stress** (half a minute): the same organizers with no pause at all, 20 requests always in
  flight. This is the machine's capacity (requests/s) and the latency when it is saturated;
  reported as information, and turned into the README's sizing: how many organizers acting
  every 1.5 s one machine serves at 80 % of capacity.

The load generator runs on the same 2 cores as gunicorn and PostgreSQL, so both phases count
its own CPU against the server.

Values: requests/s; p50/p95 ms per page against the floor's; errors (a page not 200, a save
not 302, or no answer).
"""

from __future__ import annotations

import http.client
import os
import random
import secrets
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path

from bench import lib
from bench.lib import Context, Timing, report, report_latency

PEOPLE = 20_000
USERS = 20
WORKERS, THREADS = 4, 2  # docker-compose.yml's defaults (WEB_WORKERS, WEB_THREADS)
DOORS_EACH = 60
THINK = (0.5, 2.5)  # seconds between one organizer's requests in the users phase (uniform)
MIX = [("my_day", 35), ("people", 25), ("log", 15), ("tap", 15), ("floor", 10)]
# What each answers when all is well: pages 200, saves redirect (302) like a form post does.
EXPECTED = {"my_day": 200, "people": 200, "floor": 200, "log": 302, "tap": 302}
BASE_DIR = Path(__file__).resolve().parents[1]


@login_required
def trivial(request):
    return HttpResponse("ok")


urlpatterns = [
    path("bench/trivial", trivial),
    path("", include("organizer.urls")),
]


def _prepare(ctx: Context, secret_key: str) -> list[dict]:
    """Load the data; return one dict per organizer: session cookie, people, piece, doors.
    Sessions are signed with ``secret_key``, the server's."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import override_settings

    from accounts.models import Role
    from bench.bench_turf_walk import UNITS_PER_BUILDING, _load_doors
    from contacts.models import Contact, HubMember
    from hubs.models import Turf, TurfDoor, TurfPiece

    lib.clear_data()
    data = lib.load_people(ctx, ctx.n(PEOPLE, 2000))
    unit_ids = _load_doors(ctx, USERS * DOORS_EACH // UNITS_PER_BUILDING + 1)
    users = []
    for n, (_hub, hub_id) in enumerate(sorted(data.hub_ids.items()) * 2):
        if n >= USERS:
            break
        user = lib.make_user(f"organizer{n}@bench.example", Role.ORGANIZER, hub_ids=[hub_id])
        users.append((user, hub_id))
    for hub_id in {h for _, h in users}:
        mine = [u for u, h in users if h == hub_id]
        people = list(HubMember.objects.filter(hub_id=hub_id).values_list("contact_id", flat=True))
        for k, user in enumerate(mine):
            share = people[k :: len(mine)]
            Contact.objects.filter(pk__in=share).update(owner=user)
            activity = {pk: data.people[pk - 1].activity for pk in share}
            lib.load_interactions(ctx, activity, [user.pk, *(u.pk for u in mine if u != user)])
            lib.load_follow_ups(ctx, share, user.pk, overdue=6, today=4, upcoming=10, later=20)
    clients = []
    for n, (user, hub_id) in enumerate(users):
        turf = Turf.objects.create(hub_id=hub_id, name=f"Piece for {user.name}")
        piece = TurfPiece.objects.create(turf=turf, number=1, assigned_to=user)
        doors = TurfDoor.objects.bulk_create(
            TurfDoor(turf=turf, unit_id=unit_ids[n * DOORS_EACH + i], piece=piece, position=i)
            for i in range(DOORS_EACH)
        )
        with override_settings(SECRET_KEY=secret_key):
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
        people = list(Contact.objects.filter(owner=user).values_list("pk", flat=True)[:200])
        clients.append(
            {"session": session.session_key, "people": people, "piece": piece.pk,
             "doors": [d.pk for d in doors]}
        )  # fmt: skip
    lib.analyze()
    return clients


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_gunicorn(ctx: Context, port: int, log_path: Path, secret_key: str) -> subprocess.Popen:
    from django.conf import settings

    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="bench.load_settings",
        DEBUG="0",
        SECRET_KEY=secret_key,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=ctx.database_url,
        REDIS_URL=settings.REDIS_URL,
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "organizer.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(WORKERS), "--threads", str(THREADS), "--timeout", "60"],
        cwd=BASE_DIR, env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"gunicorn did not start; see {log_path}")


class Organizer:
    """One signed-in organizer on one keep-alive connection."""

    def __init__(self, port: int, me: dict, rng: random.Random) -> None:
        self.port, self.me, self.rng = port, me, rng
        self.csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked token
        self.cookie = f"sessionid={me['session']}; csrftoken={self.csrf}"
        self.conn = None

    def _send(self, method: str, url: str, data: dict | None) -> int:
        headers = {"Cookie": self.cookie}
        body = None
        if data is not None:
            body = urlencode({**data, "csrfmiddlewaretoken": self.csrf})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        # A keep-alive connection the server closed while the organizer was thinking (gunicorn
        # keeps idle ones for a few seconds) fails before any answer: a browser sends the request
        # again on a new connection, and so does this client, once.
        for attempt in (1, 2):
            reused = self.conn is not None
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(method, url, body=body, headers=headers)
                response = self.conn.getresponse()
                response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.conn.close()
                self.conn = None
                if reused and attempt == 1:
                    continue
                return 0
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                return 0
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return response.status
        return 0

    def act(self, page: str) -> int:
        me, rng = self.me, self.rng
        if page == "my_day":
            return self._send("GET", "/people/my-day/", None)
        if page == "people":
            return self._send("GET", "/people/", None)
        if page == "floor":
            return self._send("GET", "/bench/trivial", None)
        if page == "log":
            data = {"contact": rng.choice(me["people"]), "client_token": str(uuid.uuid4()),
                    "notes": "Rent went up; coming to the potluck.", "assessment": "2"}  # fmt: skip
            return self._send("POST", "/people/log/", data)
        door = rng.choice(me["doors"])
        data = {"result": rng.choice(["not_home", "talked", "refused"]),
                "client_token": str(uuid.uuid4())}  # fmt: skip
        return self._send("POST", f"/hubs/pieces/{me['piece']}/doors/{door}/result/", data)


def _drive(
    port: int, clients: list[dict], duration: float, seed: int, think: tuple | None
) -> dict[str, list]:
    samples: dict[str, list] = {page: [] for page, _ in MIX}
    pages, weights = zip(*MIX, strict=True)
    lock, stop = threading.Lock(), threading.Event()

    def user(n: int) -> None:
        rng = random.Random(f"{seed}:{n}")
        organizer = Organizer(port, clients[n], rng)
        organizer.act("floor")  # warm the connection
        while not stop.is_set():
            page = rng.choices(pages, weights)[0]
            started = time.perf_counter()
            status = organizer.act(page)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                samples[page].append((elapsed, status))
            if think:
                stop.wait(rng.uniform(*think))

    threads = [threading.Thread(target=user, args=(n,)) for n in range(len(clients))]
    for t in threads:
        t.start()
    time.sleep(duration)
    stop.set()
    for t in threads:
        t.join(timeout=120)
    return samples


def run(ctx: Context) -> None:
    started = time.monotonic()
    secret_key = secrets.token_urlsafe(50)
    clients = _prepare(ctx, secret_key)
    print(f"# {len(clients)} organizers; prepared in {time.monotonic() - started:.0f}s", flush=True)
    duration = max(10.0, 60 * min(1.0, ctx.scale * 10))
    port = _free_port()
    log_path = BASE_DIR / "bench" / "out" / "bench_load_gunicorn.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    server = _start_gunicorn(ctx, port, log_path, secret_key)
    try:
        for n in range(len(clients)):  # each organizer once, untimed: caches, connections
            Organizer(port, clients[n], random.Random(n)).act("my_day")
        users = _drive(port, clients, duration, ctx.seed, THINK)
        stress = _drive(port, clients, duration / 2, ctx.seed + 1, None)
    finally:
        server.terminate()
        server.wait(timeout=30)

    _report_phase("load", users, duration, len(clients), targets=True)
    capacity = _report_phase("load_stress", stress, duration / 2, len(clients), targets=False)
    think_mean = sum(THINK) / 2
    report(
        "load_organizers_served", 0.8 * capacity * think_mean, "organizers", floor=0,
        target=f"info(80%_of_capacity,one_request_per_{think_mean:g}s)",
    )  # fmt: skip


def _report_phase(name: str, samples: dict, duration: float, users: int, *, targets: bool):
    """Print a phase's lines; return its requests per second."""
    total = sum(len(v) for v in samples.values())
    errors = sum(1 for p, v in samples.items() for _, status in v if status != EXPECTED[p])
    by_status = {p: sorted({s for _, s in v}) for p, v in samples.items()}
    print(f"# {name}: {total} requests in {duration:.0f}s by {users} organizers on {WORKERS} "
          f"workers x {THREADS} threads; statuses: {by_status}", flush=True)  # fmt: skip
    timing = {p: Timing(tuple(ms for ms, _ in v)) for p, v in samples.items() if v}
    floor = timing["floor"]
    limit = 300 if targets else None
    report(f"{name}_requests_per_s", total / duration, "req/s", floor=0, target="info")
    report(f"{name}_errors", errors, "requests", floor=0, target="0", max_value=0)
    report_latency(f"{name}_my_day_ms", timing["my_day"], floor, p95_ms=limit)
    report_latency(f"{name}_people_ms", timing["people"], floor, p95_ms=limit)
    report_latency(f"{name}_log_one_on_one_ms", timing["log"], floor)
    report_latency(f"{name}_door_tap_ms", timing["tap"], floor)
    return total / duration
