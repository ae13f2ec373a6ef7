"""Fixtures for contacts tests: the ladder that ships (tables flushed by transactional tests
lose what migration 0004 seeded, so tests ask for it explicitly)."""

from __future__ import annotations

import pytest

from contacts.models import LadderStage


@pytest.fixture
def default_ladder(db) -> dict[str, LadderStage]:
    """The default ladder, weights and half-life; stages by name."""
    from contacts.services.ladder import ladder_ensure_defaults

    ladder_ensure_defaults()
    return {s.name: s for s in LadderStage.objects.all()}
