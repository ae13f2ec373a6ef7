"""People: list (the People page's filters), get, add and change — through the same services
as the person form (duplicates, consent follows channels, history)."""

from __future__ import annotations

from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts.models import Role
from api.native.base import NativeAPIView, NativeListView
from api.native.filters import BoundedFilterBackend
from api.native.serializers.common import ERRORS, READ_ERRORS
from api.native.serializers.people import (
    PERSON_CREATE_EXAMPLE,
    PERSON_EXAMPLE,
    PersonCreateIn,
    PersonOut,
    PersonUpdateIn,
)
from contacts.filters import ContactFilter
from contacts.models import Contact, Email, Phone
from contacts.selectors.access import contact_for_user, contacts_for_user
from contacts.selectors.people import owner_choices_for_user
from contacts.services.people import NewContact, PhoneInput, contact_create, contact_update
from hubs.selectors.access import hubs_for_user
from organizer.lib.lookups import any_of


def _owner(user, owner_id):
    if owner_id is None:
        return None
    owner = owner_choices_for_user(user).filter(pk=owner_id).first()
    if owner is None:
        raise ValidationError({"owner": [_("Pick an organizer from your hubs.")]})
    return owner


def _phones(data) -> list[PhoneInput] | None:
    if "phones" not in data:
        return None
    # A PATCH is partial all the way down: a phone sent without its kind is a mobile.
    return [PhoneInput(raw=p["number"], kind=p.get("kind", "mobile")) for p in data["phones"]]


def _fields(data: dict) -> dict:
    skip = {"phones", "emails", "tags", "hubs", "owner", "source", "allow_duplicate"}
    return {name: value for name, value in data.items() if name not in skip}


# The services name a bad phone or email "phone"/"email" (the form's fields); the API's are lists.
SERVICE_FIELDS = {"phone": "phones", "email": "emails"}


@contextmanager
def _api_field_names():
    try:
        yield
    except DjangoValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise DjangoValidationError(
            {SERVICE_FIELDS.get(k, k): v for k, v in error.error_dict.items()}
        ) from error


def with_lists(rows: list[dict]) -> list[dict]:
    """Give each person row (``values(*PersonOut.COLUMNS)``) its ``phones``, ``emails`` and
    ``tags`` in three queries, whatever the page size.

    Rows, not model instances: building 200 ``Contact`` objects, then Django's
    ``prefetch_related`` (a related manager's queryset per row, ~1 ms a person for the three
    lists), made a 200-row page several times slower than the rows' own query; reading the
    three lists with ``values()`` keyed by person costs about nothing."""
    by_id = {row["id"]: row for row in rows}
    for row in rows:
        row["phones"], row["emails"], row["tags"] = [], [], []
    if not by_id:
        return rows
    phones = Phone.objects.filter(any_of("contact_id", by_id)).order_by("-is_primary", "pk")
    for phone in phones.values("contact_id", "e164", "kind", "is_primary"):
        by_id[phone.pop("contact_id")]["phones"].append(phone)
    emails = Email.objects.filter(any_of("contact_id", by_id)).order_by("-is_primary", "pk")
    for email in emails.values("contact_id", "address", "is_primary"):
        by_id[email.pop("contact_id")]["emails"].append(email)
    tags = Contact.tags.through.objects.filter(any_of("contact_id", by_id)).order_by("tag__name")
    for contact_id, name in tags.values_list("contact_id", "tag__name"):
        by_id[contact_id]["tags"].append(name)
    return rows


def _person(user, pk: int) -> dict:
    row = contacts_for_user(user).filter(pk=pk).values(*PersonOut.COLUMNS).first()
    if row is None:
        raise Http404
    return with_lists([row])[0]


@extend_schema_view(
    get=extend_schema(
        summary="List people",
        description="Everyone you may see, oldest first, with the People page's filters "
        "(`q` searches name, phone or email: its first 6 words and 100 characters).",
        responses={200: PersonOut(many=True), **READ_ERRORS},
        examples=[PERSON_EXAMPLE],
    ),
    post=extend_schema(
        summary="Add a person",
        description="As the Add person form: a phone or email someone already has is a 400 "
        "listing the `duplicates` you may see, unless `allow_duplicate` is true.",
        request=PersonCreateIn,
        responses={201: PersonOut, **ERRORS},
        examples=[PERSON_CREATE_EXAMPLE, PERSON_EXAMPLE],
    ),
)
class PeopleView(NativeListView):
    serializer_class = PersonOut
    queryset = Contact.objects.none()  # the schema\'s model; get_queryset scopes
    filterset_class = ContactFilter
    filter_backends = [BoundedFilterBackend]
    keyset = "id"

    def get_queryset(self):
        return contacts_for_user(self.request.user)

    def paginate_queryset(self, queryset):
        return with_lists(super().paginate_queryset(queryset.values(*PersonOut.COLUMNS)))

    def post(self, request):
        data = PersonCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        data = data.validated_data
        user = request.user
        hubs = list(hubs_for_user(user).filter(slug__in=data.get("hubs", [])))
        if len(hubs) != len(set(data.get("hubs", []))):
            raise ValidationError({"hubs": [_("Pick hubs you belong to.")]})
        if "owner" in data:
            owner = _owner(user, data["owner"])
        else:
            owner = None if user.role == Role.STAFF else user
        new = NewContact(
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            phones=_phones(data) or [],
            emails=data.get("emails", []),
            extra={k: v for k, v in _fields(data).items() if k not in ("first_name", "last_name")},
            tags=data.get("tags", []),
            hubs=hubs,
        )
        with _api_field_names(), transaction.atomic():
            contact = contact_create(
                by=user,
                data=new,
                owner=owner,
                source=data.get("source", ""),
                allow_duplicate=data["allow_duplicate"],
            )
        return Response(PersonOut(_person(user, contact.pk)).data, status=status.HTTP_201_CREATED)


class PersonView(NativeAPIView):
    @extend_schema(
        summary="Get a person",
        responses={200: PersonOut, **READ_ERRORS},
        examples=[PERSON_EXAMPLE],
    )
    def get(self, request, pk: int):
        return Response(PersonOut(_person(request.user, pk)).data)

    @extend_schema(
        summary="Change a person",
        description="Only the fields sent change. `phones`, `emails` and `tags` replace the "
        "whole list when sent. Each change is a history entry on the person's timeline.",
        request=PersonUpdateIn,
        responses={200: PersonOut, **ERRORS},
    )
    def patch(self, request, pk: int):
        contact = contact_for_user(request.user, pk)
        data = PersonUpdateIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        data = data.validated_data
        fields = _fields(data)
        if "owner" in data:
            fields["owner"] = _owner(request.user, data["owner"])
        with _api_field_names():
            contact_update(
                by=request.user,
                contact=contact,
                fields=fields,
                phones=_phones(data),
                emails=data.get("emails"),
                tags=data.get("tags"),
            )
        return Response(PersonOut(_person(request.user, pk)).data)
