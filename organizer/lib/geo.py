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


MAX_SHAPE_POINTS = 5000


def geojson_ring(geo: dict, *, max_points: int = MAX_SHAPE_POINTS) -> list[Point]:
    """The outer ring of a GeoJSON Polygon (or the first polygon of a MultiPolygon, or a
    Feature holding one), as (longitude, latitude) points. ``ValueError`` says what is wrong,
    for a person to read."""
    from django.utils.translation import gettext as _

    if not isinstance(geo, dict):
        raise ValueError(_("the shape is not a GeoJSON polygon"))
    if geo.get("type") == "Feature":
        geo = geo.get("geometry") or {}
    kind, coords = geo.get("type"), geo.get("coordinates")
    if kind == "MultiPolygon":
        coords = coords[0] if coords else None
    elif kind != "Polygon":
        raise ValueError(_("the shape is not a GeoJSON polygon"))
    ring = coords[0] if coords else []
    if not isinstance(ring, list) or not 3 <= len(ring) <= max_points:
        raise ValueError(_("the shape needs 3 to %(n)s points") % {"n": max_points})
    try:
        points = [(float(p[0]), float(p[1])) for p in ring]
    except (TypeError, IndexError, ValueError):
        raise ValueError(_("the shape has a point that is not two numbers")) from None
    if any(not (-180 <= x <= 180 and -90 <= y <= 90) for x, y in points):
        raise ValueError(_("the shape has a point outside longitude/latitude range"))
    return points
