"""Form helpers shared by the apps' views."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def add_validation_error(form, exc: ValidationError) -> None:
    """Show a service's ``ValidationError`` on ``form``: each message under its field when the
    form has that field, else among the form's own errors."""
    pairs = exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
    for field, errors in pairs:
        for error in errors:
            form.add_error(field if field in form.fields else None, error)
