"""Action Network's OData-style ``filter``: ``modified_date gt '2024-01-01'``, joined by
``and``. Each collection names the fields it filters on; anything else is a 400 that says what
is supported (a sync that silently received everything would be worse)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

MAX_FILTER_LENGTH = 500
MAX_CLAUSES = 5
OPERATORS = {"eq": "exact", "gt": "gt", "lt": "lt", "ge": "gte", "le": "lte"}
_CLAUSE = re.compile(r"^\s*([a-z_:]+)\s+(eq|gt|lt|ge|le)\s+'([^']*)'\s*$", re.IGNORECASE)
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


class FilterError(ValueError):
    pass


@dataclass
class Clause:
    field: str
    op: str  # a Django lookup
    value: str


def parse(text: str, fields: dict[str, str]) -> list[Clause]:
    """Clauses of ``text``; ``fields`` maps the OData field names this collection supports to
    their kind ("date" or "text")."""
    text = (text or "").strip()
    if not text:
        return []
    if len(text) > MAX_FILTER_LENGTH:
        raise FilterError(f"The filter is longer than {MAX_FILTER_LENGTH} characters.")
    parts = _AND.split(text)
    if len(parts) > MAX_CLAUSES:
        raise FilterError(f"A filter may join at most {MAX_CLAUSES} conditions with 'and'.")
    clauses = []
    for part in parts:
        match = _CLAUSE.match(part)
        if match is None:
            raise FilterError(
                "Write the filter as: field operator 'value', e.g. modified_date gt "
                "'2024-01-01' (operators: eq, gt, lt, ge, le)."
            )
        field, op, value = match.group(1).lower(), match.group(2).lower(), match.group(3)
        if field not in fields:
            if not fields:
                raise FilterError("This collection cannot be filtered; ask for it whole.")
            raise FilterError(
                f"Filtering on {field!r} is not supported here; use "
                + ", ".join(sorted(fields))
                + "."
            )
        if fields[field] == "date":
            value = _when(value)
        elif op != "eq":
            raise FilterError(f"{field} supports only eq.")
        clauses.append(Clause(field, OPERATORS[op], value))
    return clauses


def _when(value: str):
    problem = FilterError(f"{value[:40]!r} is not a date (use YYYY-MM-DD or an ISO date-time).")
    try:
        parsed = parse_datetime(value.replace(" ", "T", 1)) if ":" in value else None
        if parsed is None:
            day = parse_date(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else None
            if day is None:
                raise problem
            parsed = dt.datetime.combine(day, dt.time.min)
    except ValueError:
        raise problem from None
    if not 1900 <= parsed.year <= 2200:
        raise problem
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, dt.UTC)
    # In UTC: PostgreSQL refuses offsets past ±15:59 (ISO allows any two digits).
    return parsed.astimezone(dt.UTC)
