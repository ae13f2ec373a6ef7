"""The APIs' JSON renderer (orjson) writes exactly DRF's bytes, and falls back to DRF's
renderer for what orjson cannot or should not write."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer as DRFRenderer

from api.renderers import JSONRenderer

DATA = {
    "text": 'Ché ☃ \u2028 line \u2029 para \x1f "quoted" \\ /',
    "numbers": [0, -1, 2**63 - 1, 1.5, 40.712776, -73.935242, 14.25],
    "flags": [True, False, None],
    "when": dt.datetime(2026, 12, 1, 21, 30, 5, 123_456, tzinfo=dt.UTC),
    "day": dt.date(2026, 12, 1),
    "money": Decimal("12.50"),
    "id": uuid.UUID("6f0b8a52-58c5-4a8e-9a57-0f4e3c1b2d11"),
    "lazy": gettext_lazy("Mobile"),
    "tuple": (1, "two"),
    7: "an integer key",
    "nested": {"empty": {}, "list": [], "deep": [{"a": [1, {"b": None}]}]},
}


def test_it_writes_the_bytes_drf_writes():
    assert JSONRenderer().render(DATA) == DRFRenderer().render(DATA)


def test_it_escapes_line_and_paragraph_separators_as_drf_does():
    body = JSONRenderer().render({"t": "a\u2028b\u2029c"})
    assert body == b'{"t":"a\\u2028b\\u2029c"}'


def test_an_indented_answer_and_a_huge_integer_fall_back_to_drf():
    indented = JSONRenderer().render(DATA, "application/json; indent=2")
    assert indented == DRFRenderer().render(DATA, "application/json; indent=2")
    assert b"\n  " in indented
    huge = {"n": 2**70}
    assert JSONRenderer().render(huge) == DRFRenderer().render(huge)
    assert JSONRenderer().render(huge) == b'{"n":1180591620717411303424}'


def test_nothing_renders_as_no_bytes():
    assert JSONRenderer().render(None) == b""
