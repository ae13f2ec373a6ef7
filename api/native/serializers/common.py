"""Shapes shared by every endpoint: the error body."""

from __future__ import annotations

from rest_framework import serializers


class ErrorOut(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in a sentence a person can act on.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Per field: what to change.",
    )
    duplicates = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="The people you may see who already have this phone or email.",
    )


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut}
READ_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut}
