"""Form helpers shared by the apps' views."""

from __future__ import annotations

import copy

from django.core.exceptions import ValidationError


def add_validation_error(form, exc: ValidationError) -> None:
    """Show a service's ``ValidationError`` on ``form``: each message under its field when the
    form has that field, else among the form's own errors."""
    pairs = exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
    for field, errors in pairs:
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


class SharedFieldsMixin:
    """For forms built on every anonymous POST (the public RSVP and signature): ``form.fields``
    holds the class's own field objects in a dict of the form's own, instead of Django's deep
    copy of every field (copying them cost more than validating them). Validating and rendering
    never change a field; a form that changes one (its choices, ``required``) copies it first
    with :meth:`own_field`, so no change reaches another request."""

    def __init__(self, *args, **kwargs):
        self.base_fields = {}  # shadows the class's: Django's __init__ has nothing to copy
        super().__init__(*args, **kwargs)
        del self.base_fields
        self.fields = dict(self.base_fields)
        self.order_fields(kwargs.get("field_order") or self.field_order)

    def own_field(self, name: str):
        """The field ``name``, copied for this form alone: change it freely."""
        self.fields[name] = copy.deepcopy(self.fields[name])
        return self.fields[name]
