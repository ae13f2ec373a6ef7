"""Reads for people: search, the list, a person's relationships and recruitment tree, duplicates.

Everything starts from ``contacts_for_user`` (the access chokepoint), the duplicates list
included (its page is for staff only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from django.conf import settings
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import CharField, Func, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from accounts.models import Role, User
from contacts.models import Contact, Email, HubMember, Phone, Relationship
from contacts.selectors.access import contacts_for_user
from hubs.selectors.access import hub_ids_for_user
from organizer.lib.phones import try_normalize_phone
from organizer.lib.text import search_terms

SEARCH_LIMIT = 20
SEARCH_CANDIDATES = 200
TREE_DEPTH = 6
TREE_MAX_NODES = 500
_NON_DIGIT = re.compile(r"\D")


def name_tsquery(query: str) -> str | None:
    """A raw tsquery matching every word of ``query`` as a prefix, accents and case ignored.

    ``search_terms`` folds the text and keeps only word characters, so tsquery operators
    (``& | ! ( ) : * '``) never reach PostgreSQL."""
    terms = search_terms(query)[:8]
    if not terms:
        return None
    return " & ".join(f"{term}:*" for term in terms)


_PHONE_LIKE = re.compile(r"[\d\s().+\-]+")


def query_kind(query: str) -> str:
    """Which index answers ``query``: ``"email"`` (has an ``@``), ``"phone"`` (only digits and
    phone punctuation, 4+ digits), ``"name_or_email"`` (one word with ``.`` or ``_``, like
    ``maria.garcia1``) or ``"name"``. Each kind runs only its own indexed branch."""
    text = query.strip()
    if "@" in text:
        return "email"
    if _PHONE_LIKE.fullmatch(text) and len(_NON_DIGIT.sub("", text)) >= 4:
        return "phone"
    if len(text) >= 3 and not any(ch.isspace() for ch in text) and ("." in text or "_" in text):
        return "name_or_email"
    return "name"


def _phone_condition(query: str) -> Q | None:
    """People with a phone matching what was typed, in any format, through the e164 index.

    A full number is matched exactly (E.164). A partial one (4+ digits) is matched as a prefix:
    typed with ``+`` it is the start of an international number, otherwise the start of a
    national number in the default region (``212 555`` → ``+1212555%``). Both stay on the
    ``text_pattern_ops`` index; suffix matches (“last four digits”) are not offered because
    they cannot."""
    text = query.strip()
    digits = _NON_DIGIT.sub("", text)
    if len(digits) < 4 or len(digits) > 15:
        return None
    e164 = try_normalize_phone(text)
    if e164:
        return Q(pk__in=Phone.objects.filter(e164=e164).values("contact_id"))
    prefixes: set[str] = set()
    if text.startswith("+"):
        prefixes.add("+" + digits)
    else:
        code = str(phonenumbers.country_code_for_region(settings.PHONE_DEFAULT_REGION))
        prefixes.add(f"+{code}{digits}")
        if digits.startswith(code):
            prefixes.add(f"+{digits}")
    condition = Q()
    for prefix in sorted(prefixes):
        condition |= Q(e164__startswith=prefix)
    return Q(pk__in=Phone.objects.filter(condition).values("contact_id"))


def _email_prefix(query: str) -> str | None:
    text = query.strip().lower()
    if len(text) < 3 or any(ch.isspace() for ch in text):
        return None
    return text


def _email_condition(query: str) -> Q | None:
    """People with an email starting with what was typed (lower-case, index-backed prefix)."""
    prefix = _email_prefix(query)
    if prefix is None:
        return None
    return Q(pk__in=Email.objects.filter(address__startswith=prefix).values("contact_id"))


def _name_or_email_condition(query: str) -> Q | None:
    """``maria.garcia1``: a name (``maria:* & garcia1:*``) or the start of an email. One
    ``id IN (… UNION …)``: each side uses its own index (an OR of two ``IN`` would read every
    person)."""
    tsquery, prefix = name_tsquery(query), _email_prefix(query)
    if tsquery is None or prefix is None:
        return _name_condition(query) if tsquery else _email_condition(query)
    by_name = Contact.objects.filter(
        search_vector=SearchQuery(tsquery, search_type="raw", config="simple")
    ).values("pk")
    by_email = Email.objects.filter(address__startswith=prefix).values("contact_id")
    return Q(pk__in=by_name.union(by_email))


def _name_condition(query: str) -> Q | None:
    tsquery = name_tsquery(query)
    if tsquery is None:
        return None
    return Q(search_vector=SearchQuery(tsquery, search_type="raw", config="simple"))


def search_condition(query: str) -> Q | None:
    """The one indexed branch that answers ``query`` (see :func:`query_kind`)."""
    kind = query_kind(query)
    if kind == "email":
        return _email_condition(query)
    if kind == "phone":
        return _phone_condition(query)
    if kind == "name_or_email":
        return _name_or_email_condition(query)
    return _name_condition(query)


# Set (as an alias: it adds nothing to the SELECT) on a queryset filtered by name, for ordered().
_MATCHED_BY_NAME = "matched_by_name"


def apply_search(qs: QuerySet[Contact], query: str) -> QuerySet[Contact]:
    if not (query or "").strip():
        return qs
    condition = search_condition(query)
    if condition is None:
        return qs.none()
    qs = qs.filter(condition)
    if query_kind(query) in ("name", "name_or_email"):
        qs = qs.alias(**{_MATCHED_BY_NAME: Value(True)})
    return qs


def with_list_data(qs: QuerySet[Contact]) -> QuerySet[Contact]:
    """What a list row shows, in a fixed number of queries whatever the number of rows."""
    return qs.select_related("owner").prefetch_related(
        Prefetch("phones", queryset=Phone.objects.order_by("-is_primary", "pk")),
        Prefetch("emails", queryset=Email.objects.order_by("-is_primary", "pk")),
        "tags",
    )


class _Unindexed(Func):
    """``lower(x || '')``: sorts exactly like ``lower(x)`` but cannot use an index on it."""

    function = "LOWER"
    template = "%(function)s(%(expressions)s || '')"
    output_field = CharField()


def ordered(qs: QuerySet[Contact]) -> QuerySet[Contact]:
    """The order of every list of people: last name, first name (case ignored), then id.

    It is the key of ``contact_sort_idx``, so a page of the list reads only its rows from the
    index. A search by name is the exception: its matches cluster in that order (everyone named
    Smith sits together), so walking the index to find 20 of them can read most of it (seconds);
    there the same order is written so the planner cannot walk the index, and it sorts just the
    matches the search index found (a top-N sort)."""
    if _MATCHED_BY_NAME in qs.query.annotations:
        return qs.order_by(_Unindexed("last_name"), _Unindexed("first_name"), "pk")
    return qs.order_by(Lower("last_name"), Lower("first_name"), "pk")


def search_people(user, query: str, *, limit: int = SEARCH_LIMIT) -> list[Contact]:
    """People the user may see matching ``query`` by name, phone or email (search as you type),
    with their phones.

    A short prefix can match tens of thousands of people ("mar", "maria."), and sorting them
    all to show 20 costs a read of every match. So the search takes at most
    ``SEARCH_CANDIDATES`` matches straight from the index (no sort), checking each against the
    user's scope (``probe``), and orders those: exact when fewer match, and when more do, 20 of
    those — the person keeps typing to narrow them."""
    if not (query or "").strip():
        return []
    candidates = apply_search(contacts_for_user(user, probe=True), query)
    ids = list(candidates.order_by().values_list("pk", flat=True)[:SEARCH_CANDIDATES])
    # Pickers show a name and a phone: one prefetch, not the list row's three.
    phones = Prefetch("phones", queryset=Phone.objects.order_by("-is_primary", "pk"))
    found = ordered(Contact.objects.filter(pk__in=ids)).prefetch_related(phones)
    return list(found[:limit])


def owner_choices_for_user(user) -> QuerySet[User]:
    """Users a person may be assigned to by ``user``: anyone for staff, else their hubs' users."""
    users = User.objects.filter(is_active=True).order_by("name", "email")
    if user.role == Role.STAFF:
        return users
    from hubs.models import HubMembership

    in_my_hubs = HubMembership.objects.filter(hub_id__in=hub_ids_for_user(user)).values("user_id")
    return users.filter(Q(pk=user.pk) | Q(pk__in=in_my_hubs))


def managed_hubs_for_user(user):
    """Hubs ``user`` may add people to: every hub for staff, else the hubs they captain."""
    from hubs.models import Hub, HubMembership

    if user.role == Role.STAFF:
        return Hub.objects.all()
    return Hub.objects.filter(pk__in=hub_ids_for_user(user, roles=(HubMembership.Role.CAPTAIN,)))


def person_for_page(user, pk: int) -> Contact:
    """The person with what their page header shows (404 when not visible)."""
    from django.shortcuts import get_object_or_404

    qs = contacts_for_user(user).select_related("owner", "recruited_by", "created_by", "updated_by")
    qs = qs.prefetch_related(
        Prefetch("phones", queryset=Phone.objects.order_by("-is_primary", "pk")),
        Prefetch("emails", queryset=Email.objects.order_by("-is_primary", "pk")),
        "tags",
        "issues",
        "external_ids",
        Prefetch("hub_memberships", queryset=HubMember.objects.select_related("hub")),
    )
    return get_object_or_404(qs, pk=pk)


@dataclass
class Link:
    relationship: Relationship
    other: Contact


def relationships_for(user, contact: Contact) -> list[Link]:
    """Who ``contact`` knows, in both directions, limited to people the user may see."""
    visible = contacts_for_user(user).values("pk")
    rows = (
        Relationship.objects.filter(
            Q(from_contact=contact, to_contact__in=visible)
            | Q(to_contact=contact, from_contact__in=visible)
        )
        .select_related("from_contact", "to_contact")
        .order_by("kind", "pk")
    )
    return [
        Link(row, row.to_contact if row.from_contact_id == contact.pk else row.from_contact)
        for row in rows
    ]


@dataclass
class TreeNode:
    contact: Contact
    depth: int


def recruitment_tree(user, contact: Contact, *, depth: int = TREE_DEPTH) -> list[TreeNode]:
    """Who ``contact`` brought in, and who they brought in, … (depth-first, ``depth`` levels).

    One recursive query. It descends only through people the user may see, so a hidden person
    hides their branch too; cycles (bad data) are cut by the path check."""
    try:
        visible_sql, visible_params = contacts_for_user(user).values("pk").query.sql_with_params()
    except EmptyResultSet:
        return []
    sql = f"""
        WITH RECURSIVE tree(id, depth, path) AS (
            SELECT c.id, 0, ARRAY[c.id]
            FROM contacts_contact c WHERE c.id = %s
          UNION ALL
            SELECT c.id, t.depth + 1, t.path || c.id
            FROM contacts_contact c JOIN tree t ON c.recruited_by_id = t.id
            WHERE t.depth < %s AND NOT c.id = ANY(t.path) AND c.id IN ({visible_sql})
        )
        SELECT id, depth FROM tree WHERE depth > 0 ORDER BY path LIMIT %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [contact.pk, depth, *visible_params, TREE_MAX_NODES])
        rows = cursor.fetchall()
    people = Contact.objects.in_bulk([pk for pk, _ in rows])
    return [TreeNode(people[pk], level) for pk, level in rows if pk in people]


@dataclass
class DuplicateGroup:
    kind: str  # "phone", "email", "name_street" or "name_zip"
    value: str
    people: list[Contact]


GROUP_SIZE = 10  # people shown per group at most

# People sharing a phone or an email, then people with the same folded name (``name_search``:
# accents and case folded, see organizer/lib/text.py) and the same street address or ZIP code —
# those are only likely duplicates, for staff to confirm on the merge page. Each kind is one
# GROUP BY over the people in scope, each bounded; a group already listed under a stronger kind
# (the same people) is not listed again.
_DUPLICATES_SQL = """
    WITH scope AS ({scope})
    SELECT kind, value, ids FROM (
        (SELECT 0 AS rank, 'phone' AS kind, e164 AS value,
                (array_agg(DISTINCT contact_id ORDER BY contact_id))[1:%s] AS ids
         FROM contacts_phone WHERE contact_id IN (SELECT pk FROM scope)
         GROUP BY e164 HAVING count(DISTINCT contact_id) > 1 ORDER BY e164 LIMIT %s)
      UNION ALL
        (SELECT 1, 'email', address, (array_agg(DISTINCT contact_id ORDER BY contact_id))[1:%s]
         FROM contacts_email WHERE contact_id IN (SELECT pk FROM scope)
         GROUP BY address HAVING count(DISTINCT contact_id) > 1 ORDER BY address LIMIT %s)
      UNION ALL
        (SELECT 2, 'name_street', min(street), (array_agg(id ORDER BY id))[1:%s]
         FROM contacts_contact WHERE id IN (SELECT pk FROM scope)
           AND name_search <> '' AND btrim(street) <> ''
         GROUP BY name_search, lower(btrim(street)), lower(btrim(unit)) HAVING count(*) > 1
         ORDER BY name_search LIMIT %s)
      UNION ALL
        (SELECT 3, 'name_zip', min(zip_code), (array_agg(id ORDER BY id))[1:%s]
         FROM contacts_contact WHERE id IN (SELECT pk FROM scope)
           AND name_search <> '' AND btrim(zip_code) <> ''
         GROUP BY name_search, btrim(zip_code) HAVING count(*) > 1
         ORDER BY name_search LIMIT %s)
    ) d ORDER BY rank, value
"""


def duplicate_groups(user, *, limit: int = 200) -> list[DuplicateGroup]:
    """Likely duplicates among the people ``user`` may see (the page is for staff): sharing a
    phone (E.164) or an email, or the same name at the same street address or ZIP. One query,
    at most ``limit`` groups of each kind and ``GROUP_SIZE`` people per group."""
    scope_sql, scope_params = contacts_for_user(user).values("pk").query.sql_with_params()
    sql = _DUPLICATES_SQL.format(scope=scope_sql)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*scope_params, *[GROUP_SIZE, limit] * 4])
        rows = cursor.fetchall()
    people = Contact.objects.in_bulk({pk for _, _, ids in rows for pk in ids})
    groups, seen = [], set()
    for kind, value, ids in rows:
        key = frozenset(ids)
        if key in seen:
            continue
        seen.add(key)
        groups.append(DuplicateGroup(kind, value, [people[pk] for pk in ids if pk in people]))
    return groups


def _shown(contact: Contact, name: str) -> str:
    value = getattr(contact, name)
    if name == "languages":
        return ", ".join(value)
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    getter = getattr(contact, f"get_{name}_display", None)
    if getter is not None:
        return str(getter())
    return "" if value is None else str(value)


def merge_rows(keep: Contact, remove: Contact) -> list[dict]:
    """The fields where two people differ, with both values and which one to keep by default
    (the kept person's, unless it is empty and the other's is not)."""
    from contacts.services.people import MERGE_FIELDS

    rows = []
    for name in MERGE_FIELDS:
        field = Contact._meta.get_field(name)
        a, b = getattr(keep, field.attname), getattr(remove, field.attname)
        if a == b:
            continue
        empty = a in (None, "", []) and b not in (None, "", [])
        rows.append(
            {
                "name": name,
                "label": str(field.verbose_name).capitalize(),
                "keep": _shown(keep, name) or "—",
                "remove": _shown(remove, name) or "—",
                "default": "remove" if empty else "keep",
            }
        )
    return rows
