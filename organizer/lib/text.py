"""Text folding for search: lower-case, accents removed, whitespace collapsed.

PostgreSQL here has no ``unaccent`` extension, so names are folded in Python when they are
saved and the same function folds what a user types.
"""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w\s]", re.UNICODE)


def fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    # Letters with a stroke do not decompose; after casefold() so Ø, Ł and Đ fold too.
    stripped = stripped.replace("ß", "ss").replace("ø", "o").replace("ł", "l").replace("đ", "d")
    stripped = _NON_WORD.sub(" ", stripped)
    return _SPACE.sub(" ", stripped).strip()


def search_terms(value: str) -> list[str]:
    """The folded words of a query, as used for prefix matching."""
    return [word for word in fold(value).split(" ") if word]
