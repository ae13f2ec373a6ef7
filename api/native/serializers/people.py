"""People: what the API shows (output) and what it takes (input), kept apart.

Input serializers only bound and parse; the services (``contact_create``, ``contact_update``)
decide, exactly as for the person form.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers

from contacts.models import Contact, Phone
from contacts.models.people import display_name

MAX_PHONES = 5
MAX_EMAILS = 5
MAX_TAGS = 50
MAX_LANGUAGES = 10


class PhoneOut(serializers.Serializer):
    e164 = serializers.CharField()
    kind = serializers.ChoiceField(choices=Phone.Kind.choices)
    is_primary = serializers.BooleanField()


class EmailOut(serializers.Serializer):
    address = serializers.EmailField()
    is_primary = serializers.BooleanField()


class PersonOut(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    # Read from the lists the view attaches (``views.people.with_lists``), not the managers.
    phones = PhoneOut(many=True, read_only=True)
    emails = EmailOut(many=True, read_only=True)
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)
    owner = serializers.IntegerField(source="owner_id", allow_null=True, read_only=True)
    ladder_stage = serializers.IntegerField(
        source="ladder_stage_id", allow_null=True, read_only=True
    )
    recruited_by = serializers.IntegerField(
        source="recruited_by_id", allow_null=True, read_only=True
    )

    class Meta:
        model = Contact
        fields = [
            "id",
            "display_name",
            "first_name",
            "last_name",
            "preferred_name",
            "pronouns",
            "languages",
            "phones",
            "emails",
            "city",
            "state",
            "zip_code",
            "neighborhood",
            "employer",
            "union",
            "membership_status",
            "email_ok",
            "sms_ok",
            "do_not_contact",
            "tags",
            "owner",
            "recruited_by",
            "assessment",
            "ladder_stage",
            "score",
            "last_contacted_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    # The columns a row needs (``display_name`` reads the names): views read these with
    # ``values()`` and hand ``person_out`` the dicts.
    COLUMNS = (
        "id", "first_name", "last_name", "preferred_name", "pronouns", "languages", "city",
        "state", "zip_code", "neighborhood", "employer", "union", "membership_status",
        "email_ok", "sms_ok", "do_not_contact", "owner_id", "recruited_by_id", "assessment",
        "ladder_stage_id", "score", "last_contacted_at", "created_at", "updated_at",
    )  # fmt: skip

    def to_representation(self, row):
        return person_out(row)


def _when(value, tz) -> str | None:
    """A datetime as DRF's ``DateTimeField`` writes it (ISO 8601 in the current time zone,
    ``Z`` for UTC), without building the field."""
    if value is None:
        return None
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def person_out(row: dict) -> dict:
    """A person as the API shows it, from a row of ``PersonOut.COLUMNS`` (a ``values()`` dict)
    with the ``phones``, ``emails`` and ``tags`` lists the view attaches
    (``views.people.with_lists``). The declared fields above are the schema; this writes them
    out, for a list and a single person alike: DRF's field-by-field walk over model instances
    was most of the time of a 200-row page. The test suite's schemathesis run checks that the
    two agree."""
    tz = timezone.get_current_timezone()
    return {
        "id": row["id"],
        "display_name": display_name(row["first_name"], row["preferred_name"], row["last_name"]),
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "preferred_name": row["preferred_name"],
        "pronouns": row["pronouns"],
        "languages": list(row["languages"]),
        "phones": row["phones"],
        "emails": row["emails"],
        "city": row["city"],
        "state": row["state"],
        "zip_code": row["zip_code"],
        "neighborhood": row["neighborhood"],
        "employer": row["employer"],
        "union": row["union"],
        "membership_status": row["membership_status"],
        "email_ok": row["email_ok"],
        "sms_ok": row["sms_ok"],
        "do_not_contact": row["do_not_contact"],
        "tags": row["tags"],
        "owner": row["owner_id"],
        "recruited_by": row["recruited_by_id"],
        "assessment": row["assessment"],
        "ladder_stage": row["ladder_stage_id"],
        "score": row["score"],
        "last_contacted_at": _when(row["last_contacted_at"], tz),
        "created_at": _when(row["created_at"], tz),
        "updated_at": _when(row["updated_at"], tz),
    }


class PhoneIn(serializers.Serializer):
    number = serializers.CharField(max_length=64, help_text="Any format; US numbers by default.")
    kind = serializers.ChoiceField(choices=Phone.Kind.choices, default=Phone.Kind.MOBILE)


# Contact fields a client may set, with the model's own bounds (max_length, choices).
PERSON_FIELDS = [
    "preferred_name",
    "pronouns",
    "street",
    "unit",
    "city",
    "state",
    "zip_code",
    "neighborhood",
    "employer",
    "union",
    "membership_status",
    "member_since",
    "email_ok",
    "sms_ok",
    "do_not_contact",
]


class PersonFieldsIn(serializers.ModelSerializer):
    languages = serializers.ListField(
        child=serializers.CharField(max_length=40), max_length=MAX_LANGUAGES, required=False
    )
    phones = PhoneIn(many=True, required=False, max_length=MAX_PHONES)
    emails = serializers.ListField(
        child=serializers.CharField(max_length=254), max_length=MAX_EMAILS, required=False
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=60), max_length=MAX_TAGS, required=False
    )
    owner = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**63 - 1,
        help_text="The organizer who owns the relationship (a user id you may assign).",
    )  # fmt: skip

    class Meta:
        model = Contact
        fields = ["first_name", "last_name", *PERSON_FIELDS]
        extra_kwargs = {name: {"required": False} for name in ["first_name", "last_name"]}


class PersonCreateIn(PersonFieldsIn):
    hubs = serializers.ListField(
        child=serializers.SlugField(max_length=80), max_length=20, required=False,
        help_text="Slugs of hubs you belong to; the person becomes a member.",
    )  # fmt: skip
    source = serializers.CharField(max_length=120, required=False, allow_blank=True)
    allow_duplicate = serializers.BooleanField(
        default=False,
        help_text="Add a second person with the same phone or email (after checking the "
        "`duplicates` of a 400).",
    )

    class Meta(PersonFieldsIn.Meta):
        fields = [
            *PersonFieldsIn.Meta.fields,
            *["phones", "emails", "tags", "languages", "owner", "hubs", "source"],
            "allow_duplicate",
        ]


class PersonUpdateIn(PersonFieldsIn):
    class Meta(PersonFieldsIn.Meta):
        fields = [*PersonFieldsIn.Meta.fields, "phones", "emails", "tags", "languages", "owner"]


PERSON_EXAMPLE = OpenApiExample(
    "A person",
    value={
        "id": 42,
        "display_name": "Ana Alvarez",
        "first_name": "Ana",
        "last_name": "Alvarez",
        "preferred_name": "",
        "pronouns": "she/her",
        "languages": ["English", "Spanish"],
        "phones": [{"e164": "+12125550100", "kind": "mobile", "is_primary": True}],
        "emails": [{"address": "ana@example.org", "is_primary": True}],
        "city": "Brooklyn",
        "state": "NY",
        "zip_code": "11237",
        "neighborhood": "Bushwick",
        "employer": "",
        "union": "",
        "membership_status": "good_standing",
        "email_ok": True,
        "sms_ok": True,
        "do_not_contact": False,
        "tags": ["potluck host"],
        "owner": 3,
        "recruited_by": None,
        "assessment": 2,
        "ladder_stage": 3,
        "score": 14.5,
        "last_contacted_at": "2026-11-28T18:30:00Z",
        "created_at": "2026-09-02T15:00:00Z",
        "updated_at": "2026-11-28T18:30:00Z",
    },
    response_only=True,
)

PERSON_CREATE_EXAMPLE = OpenApiExample(
    "Add a person met at a potluck",
    value={
        "first_name": "Ana",
        "last_name": "Alvarez",
        "phones": [{"number": "(212) 555-0100", "kind": "mobile"}],
        "emails": ["ana@example.org"],
        "sms_ok": True,
        "tags": ["potluck"],
        "hubs": ["bushwick"],
    },
    request_only=True,
)
