"""Reads for conversations, follow-ups and a person's timeline (scoped)."""

from __future__ import annotations


def person_timeline(user, contact) -> list:
    """Everything that happened with ``contact`` that ``user`` may see, newest first."""
    return []
