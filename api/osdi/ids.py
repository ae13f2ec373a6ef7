"""Action Network identifiers for our rows: ``action_network:<uuid>``.

Decision: no stored UUID column. Each resource's UUID is derived from its primary key,
reversibly: the first 20 hex digits are fixed per kind of resource (taken from a uuid5 of the
kind's name), the last 12 are the primary key in hex. So an identifier is stable forever (a
primary key never changes), costs no migration or backfill on a million-row table, is looked up
by primary key, and the UUID of a person can never be mistaken for an event's. Identifiers are
not secrets: every lookup is still scoped by the token's user.
"""

from __future__ import annotations

import uuid

_NAMESPACE = uuid.UUID("6f0b8a52-58c5-4a8e-9a57-0f4e3c1b2d11")
KINDS = (
    "person",
    "tag",
    "tagging",
    "event",
    "attendance",
    "petition",
    "signature",
    "advocacy_campaign",
    "outreach",
    "target",
)
_PREFIX = {kind: uuid.uuid5(_NAMESPACE, kind).hex[:20] for kind in KINDS}
_MAX_PK = 16**12 - 1


def to_uuid(kind: str, pk: int) -> str:
    h = _PREFIX[kind] + f"{pk:012x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def identifier(kind: str, pk: int) -> str:
    return f"action_network:{to_uuid(kind, pk)}"


def from_uuid(kind: str, value: str) -> int | None:
    """The primary key in ``value`` (a UUID, with or without ``action_network:``), or None
    when it is not an identifier of this kind."""
    value = (value or "").strip().removeprefix("action_network:")
    if len(value) > 64:
        return None
    try:
        h = uuid.UUID(value).hex
    except ValueError:
        return None
    if h[:20] != _PREFIX[kind]:
        return None
    pk = int(h[20:], 16)
    return pk if 0 < pk <= _MAX_PK else None
