"""Paging through every person with the native API (``/api/v1/people/``), as staff.

Data: 1,000,000 people (``load_people``, × SCALE) with a phone, an email and a hub each —
the same people as ``bench_api``, loaded once when both run (``load_people_once``).

Value: records per second walking the whole list by following ``next`` (200 a page, through
Django's test client, the whole middleware stack). Floor: a plain JSON view of the same rows
in the same run — a keyset ``values()`` query of the same columns per page, the phones,
emails and tags in a query each, and a ``JsonResponse``, through the same middleware and
session — walked the same way. Target: at
least half the floor's rate. Also: the SQL queries of one page, for the first page and one
deep in the list, at 50 and 200 rows a page (they must all be equal: keyset paging).
"""

from __future__ import annotations

import time

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import include, path

from api.native.pagination import KeysetPagination
from bench import lib
from bench.lib import Context, report

PEOPLE = 1_000_000
PAGE = 200
# What a person is in the API's answer (api.native.serializers.people.PersonOut).
FIELDS = (
    "id", "first_name", "last_name", "preferred_name", "pronouns", "languages", "city",
    "state", "zip_code", "neighborhood", "employer", "union", "membership_status",
    "email_ok", "sms_ok", "do_not_contact", "owner_id", "recruited_by_id", "assessment",
    "ladder_stage_id", "score", "last_contacted_at", "created_at", "updated_at",
)  # fmt: skip


@login_required
def plain(request):
    """The floor: the same rows and lists, keyset-paged, as plain JSON — ``values()`` of the
    person columns, then their phones, emails and tags in one query each."""
    from contacts.models import Contact, Email, Phone

    after = int(request.GET.get("after", 0))
    rows = list(Contact.objects.filter(id__gt=after).order_by("id").values(*FIELDS)[:PAGE])
    by_id = {row["id"]: row | {"phones": [], "emails": [], "tags": []} for row in rows}
    for row in Phone.objects.filter(contact_id__in=by_id).values("contact_id", "e164", "kind"):
        by_id[row.pop("contact_id")]["phones"].append(row)
    for row in Email.objects.filter(contact_id__in=by_id).values("contact_id", "address"):
        by_id[row.pop("contact_id")]["emails"].append(row)
    tags = Contact.tags.through.objects.filter(contact_id__in=by_id)
    for contact_id, name in tags.values_list("contact_id", "tag__name"):
        by_id[contact_id]["tags"].append(name)
    last = rows[-1]["id"] if len(rows) == PAGE else None
    return JsonResponse({"next": last, "results": list(by_id.values())})


urlpatterns = [
    path("bench/plain", plain),
    path("", include("organizer.urls")),
]


def _walk_api(client: Client) -> int:
    url, seen = f"/api/v1/people/?page_size={PAGE}", 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content[:200]
        data = response.json()
        seen += len(data["results"])
        url = data["next"]
    return seen


def _walk_plain(client: Client) -> int:
    after, seen = 0, 0
    while after is not None:
        data = client.get("/bench/plain", {"after": after}).json()
        seen += len(data["results"])
        after = data["next"]
    return seen


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def run(ctx: Context) -> None:
    from accounts.models import Role

    started = time.monotonic()
    count = ctx.n(PEOPLE, minimum=2_000)
    loaded = lib.load_people_once(ctx, count)  # the people of bench_api when it ran just before
    staff = lib.make_user("staff@bench.example", Role.STAFF)
    took = f"loaded in {time.monotonic() - started:.0f}s" if loaded else "kept from bench_api"
    print(f"# {count} people, {took}", flush=True)

    with override_settings(ROOT_URLCONF=__name__, REQUIRE_2FA=False, RATELIMIT_API_PER_USER=10**9):
        client = Client()
        client.force_login(staff)
        start = time.perf_counter()
        plain_seen = _walk_plain(client)
        plain_rate = plain_seen / (time.perf_counter() - start)
        start = time.perf_counter()
        api_seen = _walk_api(client)
        api_rate = api_seen / (time.perf_counter() - start)
        assert api_seen == plain_seen == count, (api_seen, plain_seen, count)

        first = _queries(client, "/api/v1/people/?page_size=50")
        big = _queries(client, f"/api/v1/people/?page_size={PAGE}")
        deep_id = max(1, count - PAGE * 2)
        cursor = KeysetPagination._encode(deep_id, deep_id)
        deep = _queries(client, f"/api/v1/people/?page_size={PAGE}&cursor={cursor}")

    ok = api_rate >= 0.5 * plain_rate
    print(
        lib.bench_line(
            "api_native_people_rate", api_rate, "records/s", floor=plain_rate,
            target=">=0.5x_floor", ok=ok,
        ),
        flush=True,
    )  # fmt: skip
    report("api_native_page_queries_50", first, "queries", floor=first, target="info")
    report(
        "api_native_page_queries_200", big, "queries", floor=first,
        target="==queries_at_50", max_ratio=1,
    )  # fmt: skip
    report(
        "api_native_page_queries_deep", deep, "queries", floor=first,
        target="==queries_of_page_1", max_ratio=1,
    )  # fmt: skip
