"""Finding a person: the one selector behind every "find a person" box.

The People search and list, the API, the export, the one-on-one picker (``/people/log/`` and
``/people/log/who/``), the relationship and merge pickers, the hub members picker and the
workplace placement picker all call :func:`find_people` (a short list for a picker) or
:func:`search_condition` (a filter for a list), so a person is found the same way everywhere:

- a name prefix, accents and case ignored (“jo nu” finds José Núñez);
- a phone number in any format, or any part of it a person would type (the area code and
  exchange, the last 4 or 7 digits);
- an email, or its start;

always within what the user may see. Every kind is answered by one GIN index,
``contacts_searchdoc.doc`` (see ``contacts.models.search``), whose rows also carry each person's
hubs and organizer, so a scoped search asks the index for the matches inside the scope only.
The result is still read through the access chokepoint (``contacts_for_user``).

Every search goes through :func:`bound_query` first: no more than ``MAX_QUERY_WORDS`` words or
``MAX_QUERY_CHARS`` characters reach PostgreSQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import BooleanField, CharField, Func, Prefetch, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from contacts.models import Contact, Phone, SearchDoc
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


def _names(text: str) -> str | None:
    terms = search_terms(text)[:MAX_QUERY_WORDS]
    if not terms:
        return None
    return " & ".join(_lexeme("n" + term, prefix=True) for term in terms)


def _phone(text: str) -> str | None:
    """A whole valid number matches exactly (any format, E.164 digits); fewer digits match
    any part of a number (the index holds every 4+ digit ending of each number, so a prefix
    of one of them is any run of digits inside it)."""
    digits = _NON_DIGIT.sub("", text)
    if not MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS:
        return None
    e164 = try_normalize_phone(text)
    if e164:
        return _lexeme("p" + e164.lstrip("+"), prefix=False)
    return _lexeme("p" + digits, prefix=True)


def _email(text: str) -> str | None:
    address = text.strip().lower()
    if len(address) < 3 or any(ch.isspace() for ch in address):
        return None
    return _lexeme("e" + address, prefix=True)


def match_tsquery(query: str) -> str | None:
    """The tsquery (text) matching ``query`` in the search index, or ``None`` when nothing
    can match (too short, only punctuation)."""
    text = bound_query(query).text
    if not text:
        return None
    kind = query_kind(text)
    if kind == "email":
        return _email(text)
    if kind == "phone":
        return _phone(text)
    if kind == "name_or_email":
        parts = [part for part in (_names(text), _email(text)) if part]
        return " | ".join(f"( {part} )" for part in parts) or None
    return _names(text)


def _tsquery(query: str, scope: list[str] | None) -> str | None:
    """``query``'s tsquery within ``scope`` (``search_scope``); ``None``: nobody can match."""
    match = match_tsquery(query)
    if match is None or scope == []:
        return None
    if scope is None:
        return match
    within = " | ".join(_lexeme(lexeme, prefix=False) for lexeme in scope)
    return f"( {within} ) & ( {match} )"


def _matching_ids(tsquery: str) -> QuerySet:
    # A cast, not to_tsquery(): the lexemes are already what the index holds (no parsing).
    where = RawSQL("doc @@ %s::tsquery", [tsquery], output_field=BooleanField())
    return SearchDoc.objects.filter(where).values("contact_id")


class _Unindexed(Func):
    """``lower(x || '')``: sorts exactly like ``lower(x)`` but cannot use an index on it."""

    function = "LOWER"
    template = "%(function)s(%(expressions)s || '')"
    output_field = CharField()


# An alias (adds nothing to the SELECT) set on a searched queryset, for ``people.ordered``.
MATCHED = "matched_by_search"


def by_name(qs: QuerySet[Contact]) -> QuerySet[Contact]:
    """Matches in list order (last name, first name, id), sorted rather than read in the order
    of ``contact_sort_idx``: the matches of a search are few next to the whole list, or cluster
    in that order (everyone named Smith sits together), so walking the index to find them can
    read most of it."""
    return qs.order_by(_Unindexed("last_name"), _Unindexed("first_name"), "pk")


def search_condition(user, query: str) -> Q | None:
    """People matching ``query`` within what ``user`` may see, for a list's filter (the list,
    its count, the export, the API); ``None`` when nobody can match. It narrows, it does not
    scope: filter a queryset that ``contacts_for_user`` already scoped (``user=None`` then
    leaves the scope to it)."""
    tsquery = _tsquery(query, search_scope(user) if user is not None else None)
    if tsquery is None:
        return None
    return Q(pk__in=_matching_ids(tsquery))


def apply_search(qs: QuerySet[Contact], query: str, *, user=None) -> QuerySet[Contact]:
    """``qs`` (already scoped) narrowed to ``query``; unchanged for an empty query."""
    if not bound_query(query).text:
        return qs
    condition = search_condition(user, query)
    if condition is None:
        return qs.none()
    return qs.filter(condition).alias(**{MATCHED: Value(True)})


def find_people(user, query: str, *, limit: int = SEARCH_LIMIT) -> list[Contact]:
    """People ``user`` may see matching ``query`` by name, phone or email, in list order, with
    their phones (primary first): what every "find a person" box shows.

    Three statements: the user's hubs (for the scope), the matches, their phones. The index
    gives at most ``SEARCH_CANDIDATES`` matches inside the scope (no sort); each is checked
    through the access chokepoint and those are ordered: the exact first ``limit`` when fewer
    match, and when more do, ``limit`` of those — the person keeps typing to narrow them."""
    tsquery = _tsquery(query, search_scope(user))
    if tsquery is None:
        return []
    candidates = _matching_ids(tsquery)[:SEARCH_CANDIDATES]
    found = contacts_for_user(user, probe=True).filter(pk__in=candidates)
    phones = Prefetch("phones", queryset=Phone.objects.order_by("-is_primary", "pk"))
    return list(by_name(found).prefetch_related(phones)[:limit])
