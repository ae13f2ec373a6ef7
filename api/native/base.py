"""What every native endpoint shares: keyset paging, errors as JSON a person can act on, and
the 404 for anything outside the caller's scope.

Domain errors raised by services (Django's ``ValidationError``, ``DuplicateContact``,
``HubError``) become 400s with ``detail`` (one sentence) and, when the error names fields,
``errors`` ({field: [messages]}). Objects are loaded through the apps' ``*_for_user``
selectors, whose ``Http404`` DRF already answers as 404 ``{"detail": "Not found."}``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import generics
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from api.native.pagination import KeysetPagination
from contacts.selectors.access import contacts_for_user
from contacts.services.people import DuplicateContact
from hubs.services.hubs import HubError


def _messages(error: DjangoValidationError) -> tuple[str, dict[str, list[str]]]:
    if hasattr(error, "error_dict"):
        fields = {name: [str(m) for m in messages] for name, messages in error.message_dict.items()}
        general = fields.pop("__all__", None)
        first = general[0] if general else next(iter(fields.values()))[0]
        return first, fields
    messages = [str(m) for m in error.messages]
    return messages[0] if messages else _("This request cannot be carried out."), {}


def _flatten(detail) -> dict[str, list[str]]:
    """DRF's nested error detail as {field: [messages]} ("items.0.kind" for nested ones)."""
    fields: dict[str, list[str]] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
            for i, inner in enumerate(value):
                walk(f"{prefix}.{i}" if prefix else str(i), inner)
        elif isinstance(value, list):
            fields.setdefault(prefix or "non_field_errors", []).extend(str(v) for v in value)
        else:
            fields.setdefault(prefix or "non_field_errors", []).append(str(value))

    walk("", detail)
    return fields


def native_exception_handler(exc, context):
    request = context.get("request")
    if isinstance(exc, DRFValidationError):
        detail = exc.detail
        if isinstance(detail, dict) and isinstance(detail.get("detail"), str):
            return Response(detail, status=400)  # already {"detail", "errors"}
        fields = _flatten(detail)
        general = fields.pop("non_field_errors", None)
        if general:
            first = general[0]
        elif fields:
            name, messages = next(iter(fields.items()))
            first = f"{name}: {messages[0]}"
        else:
            first = _("This request cannot be carried out.")
        body = {"detail": first}
        if fields:
            body["errors"] = fields
        return Response(body, status=400)
    if isinstance(exc, DjangoValidationError):
        detail, fields = _messages(exc)
        body: dict = {"detail": detail}
        if fields:
            body["errors"] = fields
        return Response(body, status=400)
    if isinstance(exc, DuplicateContact):
        visible = []
        if request is not None:
            ids = [c.pk for c in exc.matches]
            visible = list(
                contacts_for_user(request.user).filter(pk__in=ids).values_list("pk", flat=True)
            )
        body = {
            "detail": _(
                "A person with this phone number or email already exists. Update them instead, "
                "or send allow_duplicate=true to add a second record."
            ),
            "duplicates": visible,
        }
        return Response(body, status=400)
    if isinstance(exc, HubError):
        return Response({"detail": str(exc)}, status=400)
    return exception_handler(exc, context)


class NativeMixin:
    def get_exception_handler(self):
        return native_exception_handler


class NativeAPIView(NativeMixin, APIView):
    pass


class NativeListView(NativeMixin, generics.ListAPIView):
    pagination_class = KeysetPagination


class NativeListCreateView(NativeMixin, generics.ListCreateAPIView):
    pagination_class = KeysetPagination


class NativeRetrieveView(NativeMixin, generics.RetrieveAPIView):
    pass
