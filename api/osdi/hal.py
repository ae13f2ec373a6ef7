"""HAL+JSON as Action Network writes it: the renderer, errors as ``{"error": "…"}``, links,
and OSDI pagination (``page``, ``per_page``, ``total_pages``, ``total_records``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api.osdi.odata import FilterError
from api.renderers import JSONRenderer
from api.services.osdi import OutOfScope

MAX_PER_PAGE = 100  # Action Network's is 25; scripts that ask for more get up to 100
DEFAULT_PER_PAGE = 25
MAX_PAGE = 1_000_000
DOCS = "https://actionnetwork.org/docs/v2/{rel}"


class HalJSONRenderer(JSONRenderer):
    media_type = "application/hal+json"
    format = "json"


class HalJSONParser(JSONParser):
    media_type = "application/hal+json"


class BadRequest(exceptions.APIException):
    status_code = 400
    default_detail = "Bad request."


OUT_OF_SCOPE = (
    "This email or phone belongs to a person you cannot see. Ask staff or their organizer."
)


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = OUT_OF_SCOPE


def curies() -> list[dict]:
    return [
        {"name": "osdi", "href": DOCS, "templated": True},
        {"name": "action_network", "href": DOCS, "templated": True},
    ]


def _message(detail) -> str:
    if isinstance(detail, dict):
        return " ".join(
            f"{key}: {_message(value)}" if key not in ("__all__", "detail") else _message(value)
            for key, value in detail.items()
        )
    if isinstance(detail, list):
        return " ".join(_message(item) for item in detail)
    return str(detail)


def exception_handler(exc, context):
    """Every error as Action Network writes it: ``{"error": "…"}``, never a traceback."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Couldn't find that resource (or you may not see it).")
    elif isinstance(exc, ValidationError):
        exc = BadRequest(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, FilterError):
        exc = BadRequest(str(exc))
    elif isinstance(exc, OutOfScope):
        exc = Conflict()
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(math.ceil(exc.wait))
    return Response({"error": _message(exc.detail)}, status=exc.status_code, headers=headers)


class OsdiView(APIView):
    # HAL+JSON by default; a client that asks for plain application/json gets the same body.
    renderer_classes = [HalJSONRenderer, JSONRenderer]
    parser_classes = [JSONParser, HalJSONParser]

    def get_exception_handler(self):
        return exception_handler

    def base(self) -> str:
        """The API's root URL as the client reached it, e.g. ``http://host/api/v2/``."""
        if not hasattr(self, "_base"):
            self._base = self.request.build_absolute_uri("/api/v2/")
        return self._base

    def body(self) -> dict:
        data = self.request.data
        if not isinstance(data, dict):
            raise BadRequest("Send a JSON object.")
        _check_text(data)
        return data


def _check_text(value, depth: int = 0) -> None:
    """Refuse what PostgreSQL cannot store, anywhere in a body: a NUL character, or half of a
    surrogate pair (``"\\ud800"`` is valid JSON but not UTF-8)."""
    if depth > 20:
        raise BadRequest("The JSON is nested too deeply.")
    if isinstance(value, str):
        if "\x00" in value:
            raise BadRequest("Text may not contain a NUL character (a zero byte).")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise BadRequest("Text must be valid Unicode (a lone surrogate was sent).") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key, depth + 1)
            _check_text(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_text(item, depth + 1)


@dataclass
class Page:
    number: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page


def page_of(request) -> Page:
    def number(name: str, default: int, most: int) -> int:
        raw = request.query_params.get(name, "")
        if raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise BadRequest(f"{name} must be a whole number.") from None
        if value < 1:
            raise BadRequest(f"{name} must be 1 or more.")
        return min(value, most)

    return Page(number("page", 1, MAX_PAGE), number("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE))


def collection(
    view: OsdiView,
    *,
    path: str,
    rel: str,
    items: list[dict],
    page: Page,
    total: int | None,
) -> Response:
    """One page of a collection. ``total`` None leaves out ``total_records``/``total_pages``
    (as Action Network does for people: counting a large list on every page is slow); ``next``
    is then given while pages come back full."""
    request = view.request
    url = view.base() + path

    def page_url(number: int) -> str:
        params = {k: v for k, v in request.query_params.items() if k != "page"}
        params["page"] = number
        return f"{url}?{urlencode(params)}"

    links: dict = {"self": {"href": page_url(page.number)}}
    more = page.number * page.per_page < total if total is not None else len(items) == page.per_page
    if more:
        links["next"] = {"href": page_url(page.number + 1)}
    if page.number > 1:
        links["previous"] = {"href": page_url(page.number - 1)}
    links[rel] = [{"href": item["_links"]["self"]["href"]} for item in items]
    links["curies"] = curies()
    body: dict = {"page": page.number, "per_page": page.per_page}
    if total is not None:
        body["total_pages"] = max(1, math.ceil(total / page.per_page))
        body["total_records"] = total
    body["_links"] = links
    body["_embedded"] = {rel: items}
    return Response(body)
