"""Finding a person: the one selector behind every "find a person" box.

The People search and list, the API, the export, the one-on-one picker (``/people/log/`` and
``/people/log/who/``), the relationship and merge pickers, the hub members picker and the
workplace placement picker all call :func:`find_people` (a short list for a picker) or
:func:`search_condition` (a filter for a list), so a person is found the same way everywhere:

- a name prefix, accents and case ignored (“jo nu” finds José Núñez);
- a phone number in any format, or any part of it a person would type (the area code and
  exchange, the last 4 or 7 digits);
- an email, or its start;

always within what the user may see. Names and emails are answered by one GIN index,
``contacts_searchdoc.doc`` (see ``contacts.models.search``), whose rows also carry each person's
hubs and organizer, so a scoped search asks the index for the matches inside the scope only
(a name prefix can match a hundred thousand people). Phones are answered by two btree indexes
on ``contacts_phone`` (the number, and the number reversed for its last digits): a phone
matches few people, so those need no scope. Every result is read through the access
chokepoint (``contacts_for_user``).

Every search goes through :func:`bound_query` first: no more than ``MAX_QUERY_WORDS`` words or
``MAX_QUERY_CHARS`` characters reach PostgreSQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from django.conf import settings
from django.db.models import BooleanField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Reverse
from django.utils.translation import gettext as _

from contacts.models import Contact, HubMember, Phone, SearchDoc
from contacts.selectors.access import contacts_for_user, search_scope
from organizer.lib.phones import try_normalize_phone
from organizer.lib.text import search_terms

MAX_QUERY_CHARS = 100
MAX_QUERY_WORDS = 6
SEARCH_LIMIT = 20
# A short prefix ("mar") can match tens of thousands of people; a picker orders at most this
# many matches, taken straight from the index, and shows the first ``limit`` of them.
SEARCH_CANDIDATES = 200
MIN_PHONE_DIGITS = 4
MAX_PHONE_DIGITS = 15

_NON_DIGIT = re.compile(r"\D")
_PHONE_LIKE = re.compile(r"[\d\s().+\-]+")


@dataclass(frozen=True)
class BoundedQuery:
    text: str
    note: str = ""  # why the search was shortened (for the page to show), or ""

    def __str__(self) -> str:
        return self.text


def bound_query(raw: str | None) -> BoundedQuery:
    """``raw`` trimmed to its first ``MAX_QUERY_WORDS`` words and ``MAX_QUERY_CHARS``
    characters (whitespace collapsed when it was cut). Cheap on any input: a 40,000-word paste
    is split only as far as the seventh word."""
    text = (raw or "").strip()
    words = text.split(None, MAX_QUERY_WORDS)
    cut = len(words) > MAX_QUERY_WORDS
    if cut:
        text = " ".join(words[:MAX_QUERY_WORDS])
    if len(text) > MAX_QUERY_CHARS:
        text, cut = text[:MAX_QUERY_CHARS].rstrip(), True
    if not cut:
        return BoundedQuery(text)
    note = _(
        "Only the first %(words)d words and %(chars)d characters of a search are used: “%(text)s”."
    ) % {"words": MAX_QUERY_WORDS, "chars": MAX_QUERY_CHARS, "text": text}
    return BoundedQuery(text, note)


def query_kind(query: str) -> str:
    """What ``query`` looks like: ``"email"`` (has an ``@``), ``"phone"`` (only digits and
    phone punctuation, 4+ digits), ``"name_or_email"`` (one word with ``.`` or ``_``, like
    ``maria.garcia1``) or ``"name"``."""
    text = query.strip()
    if "@" in text:
        return "email"
    if _PHONE_LIKE.fullmatch(text) and len(_NON_DIGIT.sub("", text)) >= MIN_PHONE_DIGITS:
        return "phone"
    if len(text) >= 3 and not any(ch.isspace() for ch in text) and ("." in text or "_" in text):
        return "name_or_email"
    return "name"


def _lexeme(value: str, *, prefix: bool) -> str:
    """One quoted tsquery lexeme: nothing typed can become a tsquery operator."""
    quoted = "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"
    return quoted + ":*" if prefix else quoted


def _names(text: str, *, loose: bool = False) -> str | None:
    """The names part of a tsquery: every word typed as a name prefix. ``loose`` leaves out
    one-letter words when a longer one is there: a one-letter prefix matches every name
    starting with that letter, and the index would merge tens of thousands of entries to narrow
    a few hundred Keishas ("keisha o b" asks the index for ``keisha:*``; see
    :func:`_candidate_ids`)."""
    terms = search_terms(text)[:MAX_QUERY_WORDS]
    if loose and any(len(term) > 1 for term in terms):
        terms = [term for term in terms if len(term) > 1]
    if not terms:
        return None
    return " & ".join(_lexeme("n" + term, prefix=True) for term in terms)


def _phone_ids(text: str) -> QuerySet | None:
    """People with a phone matching ``text``, through ``contacts_phone``'s two btree indexes.

    A whole valid number matches exactly (any format: its E.164 form). Fewer digits match the
    start of a number (area code + exchange: ``718 555``, or with the country code) on the
    E.164 index, or its end (the last 4 or 7 digits: ``0101``, ``555-0101``) on the index of
    the reversed number. Phone matches are few, so they need no scope in the index: the
    chokepoint checks each."""
    digits = _NON_DIGIT.sub("", text)
    if not MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS:
        return None
    e164 = try_normalize_phone(text)
    if e164:
        condition = Q(e164=e164)
    else:
        condition = Q(reversed_e164__startswith=digits[::-1])
        if text.strip().startswith("+"):
            condition |= Q(e164__startswith="+" + digits)
        else:
            code = str(phonenumbers.country_code_for_region(settings.PHONE_DEFAULT_REGION))
            condition |= Q(e164__startswith=f"+{code}{digits}")
            if digits.startswith(code):
                condition |= Q(e164__startswith=f"+{digits}")
    phones = Phone.objects.alias(reversed_e164=Reverse("e164")).filter(condition)
    return phones.values("contact_id")


def _email(text: str) -> str | None:
    address = text.strip().lower()
    if len(address) < 3 or any(ch.isspace() for ch in address):
        return None
    return _lexeme("e" + address, prefix=True)


def match_tsquery(query: str, *, loose: bool = False) -> str | None:
    """The tsquery (text) matching a name or email ``query`` in the search index, or ``None``
    when nothing can match (too short, only punctuation, or a phone: see :func:`_phone_ids`).
    ``loose``: what the index is asked, a superset (see :func:`_names`)."""
    text = bound_query(query).text
    if not text:
        return None
    kind = query_kind(text)
    if kind == "email":
        return _email(text)
    if kind == "phone":
        return None
    if kind == "name_or_email":
        parts = [part for part in (_names(text, loose=loose), _email(text)) if part]
        return " | ".join(f"( {part} )" for part in parts) or None
    return _names(text, loose=loose)


def _candidate_ids(query: str, scope: list[str] | None) -> QuerySet | None:
    """Ids (``contact_id``) of the people matching ``query``, inside ``scope``
    (``search_scope``) for names and emails; ``None`` when nobody can match."""
    text = bound_query(query).text
    if not text or scope == []:
        return None
    if query_kind(text) == "phone":
        return _phone_ids(text)
    match = match_tsquery(text)
    if match is None:
        return None
    # One-letter words are not asked of the index; its candidates are checked against the
    # whole query with ts_match_vq (the function behind @@, which the planner keeps off the
    # index).
    loose = indexed = match_tsquery(text, loose=True)
    if scope is not None:
        within = " | ".join(_lexeme(lexeme, prefix=False) for lexeme in scope)
        indexed = f"( {within} ) & ( {loose} )"
    # A cast, not to_tsquery(): the lexemes are already what the index holds (no parsing).
    docs = SearchDoc.objects.filter(
        RawSQL("doc @@ %s::tsquery", [indexed], output_field=BooleanField())
    )
    if loose != match:
        docs = docs.filter(
            RawSQL("ts_match_vq(doc, %s::tsquery)", [match], output_field=BooleanField())
        )
    return docs.values("contact_id")


# ``lower(x || '')`` sorts exactly like ``lower(x)`` but cannot use ``contact_sort_idx``.
# Raw SQL: the ORM spends more time resolving the same order as expressions than PostgreSQL
# spends sorting a search's matches. (Only for querysets of contacts_contact at the top.)
_BY_NAME = (
    RawSQL("""lower("contacts_contact"."last_name" || '')""", ()).asc(),
    RawSQL("""lower("contacts_contact"."first_name" || '')""", ()).asc(),
    "pk",
)
# What a picker shows of a person (``display_name``).
PICKER_FIELDS = (
    "id", "first_name", "preferred_name", "last_name", "neighborhood", "last_contacted_at"
)  # fmt: skip


# An alias (adds nothing to the SELECT) set on a searched queryset, for ``people.ordered``.
MATCHED = "matched_by_search"


def by_name(qs: QuerySet[Contact]) -> QuerySet[Contact]:
    """Matches in list order (last name, first name, id), sorted rather than read in the order
    of ``contact_sort_idx``: the matches of a search are few next to the whole list, or cluster
    in that order (everyone named Smith sits together), so walking the index to find them can
    read most of it."""
    return qs.order_by(*_BY_NAME)


def search_condition(user, query: str) -> Q | None:
    """People matching ``query`` within what ``user`` may see, for a list's filter (the list,
    its count, the export, the API); ``None`` when nobody can match. It narrows, it does not
    scope: filter a queryset that ``contacts_for_user`` already scoped (``user=None`` then
    leaves the scope to it)."""
    ids = _candidate_ids(query, search_scope(user) if user is not None else None)
    return None if ids is None else Q(pk__in=ids)


def apply_search(qs: QuerySet[Contact], query: str, *, user=None) -> QuerySet[Contact]:
    """``qs`` (already scoped) narrowed to ``query``; unchanged for an empty query."""
    if not bound_query(query).text:
        return qs
    condition = search_condition(user, query)
    if condition is None:
        return qs.none()
    return qs.filter(condition).alias(**{MATCHED: Value(True)})


def find_people(user, query: str, *, limit: int = SEARCH_LIMIT) -> list[Contact]:
    """People ``user`` may see matching ``query`` by name, phone or email, in list order, each
    with ``phone_e164`` (their primary phone, else their first, else ``None``): what every
    "find a person" box shows. Only ``PICKER_FIELDS`` are loaded (any other is one more query).

    One statement (two for captains and organizers: their hubs, for the scope). The index
    gives at most ``SEARCH_CANDIDATES`` matches inside the scope (no sort); each is checked
    through the access chokepoint and those are ordered: the exact first ``limit`` when fewer
    match, and when more do, ``limit`` of those — the person keeps typing to narrow them."""
    ids = _candidate_ids(query, search_scope(user))
    if ids is None:
        return []
    candidates = ids[:SEARCH_CANDIDATES]
    found = contacts_for_user(user, probe=True).filter(pk__in=candidates)
    phone = Phone.objects.filter(contact_id=OuterRef("pk")).order_by("-is_primary", "pk")
    found = by_name(found).only(*PICKER_FIELDS)
    return list(found.annotate(phone_e164=Subquery(phone.values("e164")[:1]))[:limit])


def with_hubs(people: list[Contact]) -> list[Contact]:
    """Give each picked person ``hub_list`` (their hub memberships, hub loaded, by hub name) in
    one query: two people of the same name are told apart by where they belong."""
    by_contact: dict[int, list] = {person.pk: [] for person in people}
    if by_contact:
        members = HubMember.objects.filter(contact_id__in=by_contact).select_related("hub")
        for member in members.order_by("hub__name"):
            by_contact[member.contact_id].append(member)
    for person in people:
        person.hub_list = by_contact[person.pk]
    return people
