"""organizer.lib.inserts: a new row's values are those Django would write."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils.translation import gettext_lazy

from campaigns.models import Rsvp
from contacts.models import Contact
from organizer.lib.inserts import _LITERALS, columns

pytestmark = pytest.mark.django_db


def _as_django_writes(obj) -> dict:
    """Each written column's value by the field's own pre_save and get_db_prep_save."""
    out = {}
    for field in type(obj)._meta.local_concrete_fields:
        if field.generated or (field.primary_key and getattr(obj, field.attname) is None):
            continue
        value = field.get_db_prep_save(field.pre_save(obj, add=True), connection)
        out[connection.ops.quote_name(field.column)] = value
    return out


def _written(obj) -> dict:
    cols, marks, params = columns(obj)
    values = iter(params)
    literal = {text: value for value, text in _LITERALS.items()}
    return {
        c: literal[m] if m in literal else next(values) for c, m in zip(cols, marks, strict=True)
    }


def test_a_rows_values_are_those_django_writes_plain_or_not():
    person = Contact(
        first_name="Rosa", last_name=gettext_lazy("Luna"), source="RSVP: x", sms_ok=True,
        street="", zip_code="11211", recruited_by_id=7,
    )  # fmt: skip
    rsvp = Rsvp(event_id=1, contact_id=2, source=Rsvp.Source.PUBLIC, sms_consent=False)
    for obj in (person, rsvp):
        written, django = _written(obj), _as_django_writes(obj)
        auto = {c for c, v in django.items() if hasattr(v, "tzinfo")}  # auto_now: a new now
        assert written.keys() == django.keys()
        for column in written.keys() - auto:
            assert written[column] == django[column], column
            assert type(written[column]) is type(django[column]), column
    assert _written(person)['"last_name"'] == "Luna"  # a lazy string is cast, as Django does
