"""Find a person (``contacts.selectors.search.find_people``) at 1M people: the People search
and the one-on-one picker, by name prefix, phone, any part of a phone, and email.

Data: ``load_people`` (1,000,000 × SCALE people, ~90 % with a primary phone, ~70 % with an
email, ``name_search`` folded as the app stores it), loaded by COPY with the search index's
triggers firing as they do for an import, then ANALYZE. For a staff user (the whole chapter)
and for an organizer of one neighborhood hub (~100k people), each query kind runs ~200 times
with different queries taken from the data:

- name: the first three letters of a real last name (“smi”), or “first name + the first three
  letters of the last name” (“maria gar”);
- phone: a real number typed in another format (“(718) 555-0101”, “718.555.0101”, …);
- phone_part: a part of a real number a person would type: area code + exchange (“718 555”),
  the last 7 digits (“555-0101”) or the last 4 (“0101”);
- email: a real address's first half (“maria.garcia1”).

``search_<kind>[_org]``: ``find_people(user, q)`` (20 rows, with their phones), as the People
search and the relationship and merge pickers call it. ``search_picker_<kind>[_org]``: GET
``/people/log/who/?q=…`` through Django's test client (all middleware, the statement timeout,
the template), as the "Log a one-on-one" picker calls it while a person types.

Floor: the selector's main statement (candidates from the index inside the user's scope,
checked through ``contacts_for_user``, ordered, limited) run raw on a cursor, without the
hub-ids read and the phones prefetch.
"""

from __future__ import annotations

import time

from django.db import connection

from bench import lib
from bench.lib import Context, Timing, report_latency

P95_MS = 50


def _queries(ctx: Context, people: list[lib.Person], count: int) -> dict[str, list[str]]:
    """Queries a person would type, about ``people`` (those the user may see)."""
    rng = ctx.rng(f"search-queries:{len(people)}")
    with_phone = [p for p in people if p.phone_e164]
    with_email = [p for p in people if p.email]
    names, phones, parts, emails = [], [], [], []
    for i in range(count):
        p = rng.choice(people)
        last = p.last_name.split(" ")[0]
        names.append(last[:3] if i % 2 == 0 else f"{p.first_name} {last[:3]}")
        q = rng.choice(with_phone).phone_e164
        area, exchange, line = q[2:5], q[5:8], q[8:]
        fmt = rng.choice(lib.PHONE_FORMATS)
        phones.append(fmt.format(a=area, e=exchange, l=line))
        q = rng.choice(with_phone).phone_e164
        area, exchange, line = q[2:5], q[5:8], q[8:]
        parts.append((f"{area} {exchange}", f"{exchange}-{line}", line)[i % 3])
        e = rng.choice(with_email).email
        emails.append(e[: max(3, len(e) // 2)])
    return {"name": names, "phone": phones, "phone_part": parts, "email": emails}


def _main_sql(user, q: str) -> tuple[str, tuple] | None:
    """``find_people``'s main statement, as it builds it."""
    from contacts.selectors.access import contacts_for_user, search_scope
    from contacts.selectors.search import SEARCH_CANDIDATES, _candidate_ids, by_name

    ids = _candidate_ids(q, search_scope(user))
    if ids is None:
        return None
    candidates = ids[:SEARCH_CANDIDATES]
    found = by_name(contacts_for_user(user, probe=True).filter(pk__in=candidates))[:20]
    return found.query.sql_with_params()


def _floor(statement) -> int:
    if statement is None:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(*statement)
        return len(cursor.fetchall())


def _measure(fn, user, queries: list[str]) -> tuple[Timing, Timing, int]:
    """(timing of ``fn(q)``, timing of the raw main statement, queries that found nobody)."""
    statements = [_main_sql(user, q) for q in queries]
    for q, statement in list(zip(queries, statements, strict=True))[:5]:  # warm up
        fn(q)
        _floor(statement)
    app, raw, empty = [], [], 0
    for i, (q, statement) in enumerate(zip(queries, statements, strict=True)):
        found = 0

        def measured(q=q) -> int:
            return fn(q)

        def floor(statement=statement) -> int:
            return _floor(statement)

        # Alternate which goes first, so neither always finds the pages the other warmed.
        order = [(measured, app), (floor, raw)] if i % 2 else [(floor, raw), (measured, app)]
        for call, samples in order:
            start = time.perf_counter()
            result = call()
            samples.append((time.perf_counter() - start) * 1000)
            if call is floor:
                found = result
        empty += found == 0
    return Timing(tuple(app)), Timing(tuple(raw)), empty


def explain(user, q: str) -> str:
    statement = _main_sql(user, q)
    if statement is None:
        return "(no statement)"
    sql, params = statement
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _selector(user):
    from contacts.selectors.search import find_people

    return lambda q: len(find_people(user, q))


def _picker(user):
    from django.test import Client, override_settings

    client = Client()
    client.force_login(user)

    @override_settings(REQUIRE_2FA=False)  # staff would be sent to confirm a second factor
    def get(q: str) -> int:
        response = client.get("/people/log/who/", {"q": q})
        assert response.status_code == 200, response.status_code
        return response.content.count(b'name="contact"')

    return get


def run(ctx: Context) -> None:
    from accounts.models import Role

    lib.clear_data()
    started = time.monotonic()
    count = ctx.n(1_000_000, minimum=2000)
    data = lib.load_people(ctx, count)
    loaded = time.monotonic() - started
    lib.analyze()
    print(f"# loaded {count} people (search index by its triggers) in {loaded:.0f}s", flush=True)
    staff = lib.make_user("staff@bench.example", Role.STAFF)
    hub_id = data.hub_ids["Jackson Heights"]
    organizer = lib.make_user("organizer@bench.example", Role.ORGANIZER, hub_ids=[hub_id])
    in_hub = [p for p in data.people if p.neighborhood == "Jackson Heights"]
    print(f"# organizer scope: {len(in_hub)} people in one hub", flush=True)

    repeat = ctx.repeat(200)
    for who, user, people in (("", staff, data.people), ("_org", organizer, in_hub)):
        queries = _queries(ctx, people, repeat)
        for what, make in (("search", _selector), ("search_picker", _picker)):
            fn = make(user)
            for kind, qs in queries.items():
                name = f"{what}_{kind}{who}"
                app, raw, empty = _measure(fn, user, qs)
                if empty:
                    print(f"# {name}: {empty} of {len(qs)} queries found nobody")
                report_latency(name, app, raw, p95_ms=P95_MS)
                if app.p95 > P95_MS:
                    slowest = max(range(len(qs)), key=lambda i: app.samples[i])
                    print(f"# slowest {name} query {qs[slowest]!r}; its plan:")
                    for line in explain(user, qs[slowest]).splitlines():
                        print("#   " + line)
