"""CSV import of people: mapping, preview, matching, the job and its report."""

from __future__ import annotations
