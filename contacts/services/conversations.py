"""Logging one-on-ones and lighter interactions; follow-ups."""

from __future__ import annotations
