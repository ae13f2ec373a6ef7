"""Reads for people: search, the list, a person's relationships and recruitment tree, duplicates.

Everything starts from ``contacts_for_user`` (the access chokepoint), the duplicates list
included (its page is for staff only).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from accounts.models import Role, User
from contacts.models import Contact, Email, HubMember, Phone, Relationship, Tag
from contacts.selectors.access import contacts_for_user, is_staff
from contacts.selectors.search import MATCHED, SEARCH_LIMIT, by_name, find_people
from hubs.selectors.access import hub_ids_for_user

TREE_DEPTH = 6
TREE_MAX_NODES = 500


def with_list_data(qs: QuerySet[Contact]) -> QuerySet[Contact]:
    """What a list row shows, in a fixed number of queries whatever the number of rows."""
    return qs.select_related("owner").prefetch_related(
        Prefetch("phones", queryset=Phone.objects.order_by("-is_primary", "pk")),
        Prefetch("emails", queryset=Email.objects.order_by("-is_primary", "pk")),
        "tags",
    )


def ordered(qs: QuerySet[Contact]) -> QuerySet[Contact]:
    """The order of every list of people: last name, first name (case ignored), then id.

    It is the key of ``contact_sort_idx``, so a page of the list reads only its rows from the
    index. A searched list is the exception (``search.by_name``): it sorts just the matches the
    search index found (a top-N sort) instead of walking the index to find them."""
    if MATCHED in qs.query.annotations:
        return by_name(qs)
    return qs.order_by(Lower("last_name"), Lower("first_name"), "pk")


def search_people(user, query: str, *, limit: int = SEARCH_LIMIT) -> list[Contact]:
    """The person-finder under its older name (kept for branches in flight): use
    ``contacts.selectors.search.find_people``."""
    return find_people(user, query, limit=limit)


def tags_for_user(user) -> QuerySet[Tag]:
    """The tags on people the user may see (every tag for staff), for the People filter."""
    if is_staff(user):
        return Tag.objects.all()
    on_visible = Contact.tags.through.objects.filter(
        tag_id=OuterRef("pk"), contact_id__in=contacts_for_user(user).values("pk")
    )
    return Tag.objects.filter(Exists(on_visible))


def owner_choices_for_user(user) -> QuerySet[User]:
    """Users a person may be assigned to by ``user``: anyone for staff, else their hubs' users."""
    users = User.objects.filter(is_active=True).order_by("name", "email")
    if user.role == Role.STAFF:
        return users
    from hubs.models import HubRole

    in_my_hubs = HubRole.objects.filter(hub_id__in=hub_ids_for_user(user)).values("user_id")
    return users.filter(Q(pk=user.pk) | Q(pk__in=in_my_hubs))


def managed_hubs_for_user(user):
    """Hubs ``user`` may add people to: every hub for staff, else the hubs they captain."""
    from hubs.models import Hub, HubRole

    if user.role == Role.STAFF:
        return Hub.objects.all()
    return Hub.objects.filter(pk__in=hub_ids_for_user(user, roles=(HubRole.Role.CAPTAIN,)))


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
