"""PostgreSQL's own geometric types (``point``, ``polygon``) as Django fields.

Core PostgreSQL answers "which points lie inside this polygon" with ``point <@ polygon`` and a
GiST index on the point column — no PostGIS needed. Points are (x, y) = (longitude, latitude).
"""

from __future__ import annotations

import re

from django.db import models

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_PAIR = re.compile(rf"\(\s*({_NUMBER})\s*,\s*({_NUMBER})\s*\)")

Point = tuple[float, float]


def _pairs(text: str) -> list[Point]:
    return [(float(x), float(y)) for x, y in _PAIR.findall(text)]


def polygon_literal(points: list[Point]) -> str:
    """``[(lng, lat), …]`` as a PostgreSQL polygon literal ``((x,y),(x,y),…)``."""
    if len(points) < 3:
        raise ValueError("A polygon needs at least three points.")
    return "(" + ",".join(f"({x!r},{y!r})" for x, y in points) + ")"


class PointField(models.Field):
    description = "A PostgreSQL point (longitude, latitude)"

    def db_type(self, connection) -> str:
        return "point"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        pairs = _pairs(value)
        return pairs[0] if pairs else None

    def to_python(self, value):
        if value is None or isinstance(value, tuple):
            return value
        return self.from_db_value(str(value), None, None)

    def get_prep_value(self, value):
        if value is None:
            return None
        if isinstance(value, str):
            return value
        x, y = value
        return f"({float(x)!r},{float(y)!r})"


class PolygonField(models.Field):
    description = "A PostgreSQL polygon of (longitude, latitude) points"

    def db_type(self, connection) -> str:
        return "polygon"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return _pairs(value)

    def to_python(self, value):
        if value is None or isinstance(value, list):
            return value
        return _pairs(str(value))

    def get_prep_value(self, value):
        if value is None:
            return None
        if isinstance(value, str):
            return value
        return polygon_literal(list(value))
