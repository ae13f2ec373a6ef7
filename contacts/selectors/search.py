"""Finding a person: the one selector behind every "find a person" box.

Every search a person types goes through :func:`bound_query` first, so no search reaches
PostgreSQL with more than ``MAX_QUERY_WORDS`` words or ``MAX_QUERY_CHARS`` characters.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_QUERY_CHARS = 100
MAX_QUERY_WORDS = 6


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
