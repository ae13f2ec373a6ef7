"""Numbers typed or sent by a user, parsed safely.

``str.isdigit()`` is true for "²" and "①", which ``int()`` then refuses (a 500), and a long
run of digits overflows PostgreSQL's bigint (another 500). Every id or count read from a query
string or form by hand goes through here instead.
"""

from __future__ import annotations

import re

BIGINT_MAX = 2**63 - 1
_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")


def parse_int(
    value: object, *, minimum: int = -BIGINT_MAX, maximum: int = BIGINT_MAX
) -> int | None:
    """``value`` as an int when it is ASCII digits (an optional sign) within the bounds, else
    None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip()
        if not _INTEGER.fullmatch(text):
            return None
        number = int(text)
    return number if minimum <= number <= maximum else None


def parse_id(value: object) -> int | None:
    """A database id (1 … bigint max) from user input, else None."""
    return parse_int(value, minimum=1)
