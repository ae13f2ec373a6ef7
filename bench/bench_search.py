"""Search people by name prefix, phone and email through ``search_people`` at 1M people.

Data: ``load_people`` (1,000,000 × SCALE people, ~90 % with a primary phone, ~70 % with an
email, ``name_search`` folded as the app stores it; ``search_vector`` is computed by
PostgreSQL), then ANALYZE. For a staff user (the whole chapter) and for an organizer of one
neighborhood hub, each query kind runs ~200 times with different queries taken from the data:

- name: the first three letters of a real last name (“smi”), or “first name + the first three
  letters of the last name” (“maria gar”);
- phone: a real number typed in another format (“(718) 555-0101”, “718.555.0101”, …);
- email: a real address's first half (“maria.garcia1”).

Value: ``list(search_people(user, q))`` (the selector: main query + its prefetches, 20 rows).
Floor: the selector's two SQL statements (candidate ids from the index within the user's
scope, then those rows in list order) run raw on a cursor, without the prefetches.
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
    names, phones, emails = [], [], []
    for i in range(count):
        p = rng.choice(people)
        last = p.last_name.split(" ")[0]
        names.append(last[:3] if i % 2 == 0 else f"{p.first_name} {last[:3]}")
        q = rng.choice(with_phone).phone_e164
        area, exchange, line = q[2:5], q[5:8], q[8:]
        fmt = rng.choice(lib.PHONE_FORMATS)
        phones.append(fmt.format(a=area, e=exchange, l=line))
        e = rng.choice(with_email).email
        emails.append(e[: max(3, len(e) // 2)])
    return {"name": names, "phone": phones, "email": emails}


def _main_sql(user, q: str) -> tuple[str, tuple]:
    """The selector's first statement, as ``search_people`` builds it: candidate ids from the
    index, each checked against the user's scope."""
    from contacts.selectors.access import contacts_for_user
    from contacts.selectors.people import SEARCH_CANDIDATES, apply_search

    candidates = apply_search(contacts_for_user(user, probe=True), q).order_by()
    return candidates.values_list("pk", flat=True)[:SEARCH_CANDIDATES].query.sql_with_params()


# The selector's second statement: those candidates in list order, 20 of them.
ORDERED_SQL = (
    "SELECT * FROM contacts_contact WHERE id = ANY(%s) "
    "ORDER BY lower(last_name), lower(first_name), id LIMIT 20"
)


def _measure(user, queries: list[str]) -> tuple[Timing, Timing, int]:
    """(selector timing, raw SQL timing, queries that found nobody)."""
    from contacts.selectors.people import search_people

    statements = [_main_sql(user, q) for q in queries]
    for q, (sql, params) in list(zip(queries, statements, strict=True))[:5]:  # warm up
        search_people(user, q)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()
    app, raw, empty = [], [], 0
    for i, (q, (sql, params)) in enumerate(zip(queries, statements, strict=True)):

        def selector(q=q) -> int:
            return len(search_people(user, q))

        def floor(sql=sql, params=params) -> int:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                ids = [row[0] for row in cursor.fetchall()]
                cursor.execute(ORDERED_SQL, [ids])
                return len(cursor.fetchall())

        # Alternate which goes first, so neither always finds the pages the other warmed.
        order = [(selector, app), (floor, raw)] if i % 2 else [(floor, raw), (selector, app)]
        for fn, samples in order:
            start = time.perf_counter()
            found = fn()
            samples.append((time.perf_counter() - start) * 1000)
        empty += found == 0
    return Timing(tuple(app)), Timing(tuple(raw)), empty


def explain(user, q: str) -> str:
    sql, params = _main_sql(user, q)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def run(ctx: Context) -> None:
    from accounts.models import Role

    lib.clear_data()
    started = time.monotonic()
    count = ctx.n(1_000_000, minimum=2000)
    data = lib.load_people(ctx, count)
    lib.analyze()
    print(f"# loaded {count} people in {time.monotonic() - started:.0f}s", flush=True)
    staff = lib.make_user("staff@bench.example", Role.STAFF)
    hub_id = data.hub_ids["Jackson Heights"]
    organizer = lib.make_user("organizer@bench.example", Role.ORGANIZER, hub_ids=[hub_id])
    in_hub = [p for p in data.people if p.neighborhood == "Jackson Heights"]
    print(f"# organizer scope: {len(in_hub)} people in one hub", flush=True)

    repeat = ctx.repeat(200)
    for who, user, people in (("", staff, data.people), ("_org", organizer, in_hub)):
        for kind, qs in _queries(ctx, people, repeat).items():
            app, raw, empty = _measure(user, qs)
            if empty:
                print(f"# search_{kind}{who}: {empty} of {len(qs)} queries found nobody")
            report_latency(f"search_{kind}{who}", app, raw, p95_ms=P95_MS)
            if app.p95 > P95_MS:
                slowest = max(range(len(qs)), key=lambda i: app.samples[i])
                print(f"# slowest {kind}{who} query {qs[slowest]!r}; its plan:")
                for line in explain(user, qs[slowest]).splitlines():
                    print("#   " + line)
