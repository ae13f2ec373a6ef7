"""Keyset paging for every list of the native API.

A page is "the next ``page_size`` rows after this (key, id)": one indexed range scan, whatever
the page number, and nothing counted (a count would read the whole scope on every page). The
cursor is opaque to clients (base64 JSON of the last row's key and id); a cursor that cannot be
read is a 400, not an empty page, so a client never mistakes a typo for the end of the list.
The weak spot: a row whose key changes while a client pages (a person's ``updated_at``) may be
seen twice or not at all, as with any keyset; lists order by creation (id) unless they say so.
"""

from __future__ import annotations

import base64
import binascii
import json
from functools import partial
from urllib.parse import urlencode

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from organizer.lib.numbers import parse_id, parse_int

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_CURSOR_CHARS = 200


class KeysetPagination(BasePagination):
    """Order by ``ordering`` (a field, ``-`` for descending) then id in the same direction.

    Views set ``keyset = ("-happened_at",)`` or leave the default (``-id``: newest first)."""

    page_size = DEFAULT_PAGE_SIZE

    def _ordering(self, view) -> tuple[str, bool]:
        key = getattr(view, "keyset", "-id")
        return key.lstrip("-"), key.startswith("-")

    def _page_size(self, request) -> int:
        raw = request.query_params.get("page_size")
        if raw in (None, ""):
            return self.page_size
        size = parse_id(raw)
        if size is None or not 1 <= size <= MAX_PAGE_SIZE:
            raise ValidationError(
                {"page_size": [_("Use a whole number from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE}]}
            )
        return size

    def _decode(self, raw: str, key_field) -> tuple[object, int]:
        """(key, id) from a cursor, the key parsed by its model field (a datetime, a date,
        a number); anything else is a 400."""
        bad = ValidationError(
            {"cursor": [_("This cursor cannot be read: start from the first page.")]}
        )
        if len(raw) > MAX_CURSOR_CHARS:
            raise bad
        try:
            key, pk = json.loads(base64.urlsafe_b64decode(raw.encode("ascii")))
        except (ValueError, TypeError, UnicodeError, binascii.Error):
            raise bad from None
        if parse_int(pk, minimum=0) is None or not isinstance(pk, int):
            raise bad
        if key_field is None:
            return pk, pk
        if not isinstance(key, int | str) or isinstance(key, bool):
            raise bad
        try:
            key = key_field.to_python(key)
        except (DjangoValidationError, TypeError, ValueError, OverflowError):
            raise bad from None
        if key is None or (isinstance(key, int) and parse_int(key) is None):
            raise bad
        return key, pk

    @staticmethod
    def _encode(key, pk: int) -> str:
        if hasattr(key, "isoformat"):
            key = key.isoformat()
        raw = json.dumps([key, pk], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode("ascii")

    def paginate_queryset(self, queryset: QuerySet, request, view=None):
        field, descending = self._ordering(view)
        size = self._page_size(request)
        sign = "-" if descending else ""
        keys = [f"{sign}id"] if field == "id" else [f"{sign}{field}", f"{sign}id"]
        qs = queryset.order_by(*keys)
        raw = request.query_params.get("cursor")
        if raw:
            key_field = None if field == "id" else queryset.model._meta.get_field(field)
            key, pk = self._decode(raw, key_field)
            op = "lt" if descending else "gt"
            if field == "id":
                qs = qs.filter(**{f"id__{op}": pk})
            else:
                qs = qs.filter(Q(**{f"{field}__{op}": key}) | Q(**{field: key, f"id__{op}": pk}))
        rows = list(qs[: size + 1])
        self._next = None
        if len(rows) > size:
            rows = rows[:size]
            last = rows[-1]
            # Model instances, or dicts for a list read with ``values()`` (people).
            read = last.get if isinstance(last, dict) else partial(getattr, last)
            pk = read("id")
            key = pk if field == "id" else read(field)
            params = request.query_params.copy()
            params["cursor"] = self._encode(key, pk)
            self._next = request.build_absolute_uri(
                f"{request.path}?{urlencode(params, doseq=True)}"
            )
        return rows

    def get_paginated_response(self, data):
        return Response({"next": self._next, "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page, or null on the last one.",
                    "example": "https://organizer.example.org/api/v1/people/?cursor=WzQyLDQyXQ%3D%3D",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": "Where the page starts: copy it from the previous page's `next`.",
                "schema": {"type": "string", "maxLength": MAX_CURSOR_CHARS},
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "description": f"Rows per page (default {DEFAULT_PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]
