"""Reads for people. ``access`` is the chokepoint: every other selector starts from it."""

from __future__ import annotations

from contacts.selectors.access import contact_for_user, contacts_for_user

__all__ = ["contact_for_user", "contacts_for_user"]
