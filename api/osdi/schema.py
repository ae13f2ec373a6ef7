"""The OSDI API (/api/v2/) in the OpenAPI schema: the HAL shapes as components, and one
``extend_schema`` per operation (applied in views.py through ``describe``).

The resources are built as plain dicts (resources.py), so the shapes here are declared, not
derived: serializers used only by drf-spectacular, whose field names may carry a colon
(``osdi:attendances``, ``action_network:person_id``), hence ``_shape``. Each collection page is
its own component (``PersonPage`` …): the name of the embedded list is the collection's rel.

/api/v2/ shares the schema document and docs page of /api/v1/ (api/native/schema.py), under
tags named "OSDI: …". Every path answers with and without a trailing slash; only the form
without it (the one parsons uses) is in the schema.
"""

from __future__ import annotations

import copy

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers as s

HOST = "https://organizer.example.org/api/v2/"
PERSON_UUID = "d9f4b1e2-3a5c-5b7e-8f01-00000000002a"
EVENT_UUID = "0c3e5d7a-9b1f-5c2d-a4e6-000000000007"
TAG_UUID = "5a6b7c8d-1e2f-5a3b-9c4d-000000000003"


def _shape(name: str, fields: dict, doc: str = ""):
    """A serializer class named ``name`` with ``fields`` (names may be any JSON key)."""

    def get_fields(self):
        return copy.deepcopy(fields)

    return type(name, (s.Serializer,), {"get_fields": get_fields, "__doc__": doc or None})


def _text(**kw):
    return s.CharField(**kw)


def _list(child, **kw):
    return s.ListField(child=child, **kw)


Link = _shape("HalLink", {"href": s.URLField()}, "A HAL link.")
Curie = _shape(
    "HalCurie",
    {"name": _text(), "href": _text(), "templated": s.BooleanField()},
    "Where the documentation of a link relation (``osdi:…``) lives.",
)
Error = _shape(
    "OsdiError",
    {"error": _text(help_text="What went wrong, in words a person can act on.")},
    "Every error, as Action Network writes it.",
)
Notice = _shape("OsdiNotice", {"notice": _text()}, "A deletion done.")

_date = {"required": False, "allow_null": True}


def _links(*rels: str, name: str):
    return _shape(name, {"self": Link(), **{rel: Link() for rel in rels}})


EmailAddress = _shape(
    "OsdiEmailAddress",
    {
        "primary": s.BooleanField(),
        "address": _text(),
        "status": s.ChoiceField(choices=["subscribed", "unsubscribed"]),
    },
)
PhoneNumber = _shape(
    "OsdiPhoneNumber",
    {
        "primary": s.BooleanField(),
        "number": _text(help_text="Digits, country code first (no +)."),
        "number_type": _text(),
        "status": s.ChoiceField(choices=["subscribed", "unsubscribed"]),
    },
)
Location = _shape(
    "OsdiLocation",
    {
        "latitude": s.FloatField(),
        "longitude": s.FloatField(),
        "accuracy": _text(required=False),
    },
)
PostalAddress = _shape(
    "OsdiPostalAddress",
    {
        "primary": s.BooleanField(),
        "address_lines": _list(_text(), required=False),
        "locality": _text(required=False),
        "region": _text(required=False),
        "postal_code": _text(required=False),
        "country": _text(),
        "location": Location(required=False),
    },
)
Person = _shape(
    "OsdiPerson",
    {
        "identifiers": _list(_text()),
        "created_date": s.DateTimeField(**_date),
        "modified_date": s.DateTimeField(**_date),
        "given_name": _text(allow_blank=True),
        "family_name": _text(allow_blank=True),
        "languages_spoken": _list(_text()),
        "email_addresses": EmailAddress(many=True),
        "phone_numbers": PhoneNumber(many=True),
        "postal_addresses": PostalAddress(many=True),
        "custom_fields": s.DictField(child=_text()),
        "_links": _links(
            "osdi:attendances",
            "osdi:signatures",
            "osdi:taggings",
            "osdi:outreaches",
            name="OsdiPersonLinks",
        )(),
    },
    "A person (Action Network's person resource).",
)
Tag = _shape(
    "OsdiTag",
    {
        "identifiers": _list(_text()),
        "name": _text(),
        "_links": _links("osdi:taggings", name="OsdiTagLinks")(),
    },
)
Tagging = _shape(
    "OsdiTagging",
    {
        "identifiers": _list(_text()),
        "item_type": _text(),
        "_links": _links("osdi:tag", "osdi:person", name="OsdiTaggingLinks")(),
    },
    "One person carrying one tag.",
)
EventLocation = _shape(
    "OsdiEventLocation",
    {"venue": _text(required=False), "location": Location(required=False)},
)
Event = _shape(
    "OsdiEvent",
    {
        "identifiers": _list(_text()),
        "created_date": s.DateTimeField(**_date),
        "modified_date": s.DateTimeField(**_date),
        "title": _text(),
        "name": _text(),
        "description": _text(allow_blank=True),
        "start_date": s.DateTimeField(**_date),
        "end_date": s.DateTimeField(**_date),
        "status": s.ChoiceField(choices=["confirmed", "cancelled"]),
        "visibility": s.ChoiceField(choices=["public", "private"]),
        "type": _text(),
        "location": EventLocation(),
        "instructions": _text(allow_blank=True),
        "capacity": s.IntegerField(),
        "action_network:event_type": _text(),
        "action_network:hub": _text(help_text="The slug of the event's hub."),
        "total_accepted": s.IntegerField(required=False),
        "_links": _links(
            "osdi:attendances", "osdi:record_attendance_helper", name="OsdiEventLinks"
        )(),
    },
)
Attendance = _shape(
    "OsdiAttendance",
    {
        "identifiers": _list(_text()),
        "created_date": s.DateTimeField(**_date),
        "modified_date": s.DateTimeField(**_date),
        "status": s.ChoiceField(choices=["accepted", "cancelled"]),
        "attended": s.BooleanField(),
        "action_network:person_id": _text(),
        "action_network:event_id": _text(),
        "_links": _links("osdi:event", "osdi:person", name="OsdiAttendanceLinks")(),
    },
    "An RSVP to an event (and whether they came).",
)
Petition = _shape(
    "OsdiPetition",
    {
        "identifiers": _list(_text()),
        "created_date": s.DateTimeField(**_date),
        "modified_date": s.DateTimeField(**_date),
        "title": _text(),
        "description": _text(allow_blank=True),
        "petition_text": _text(allow_blank=True),
        "target": _shape("OsdiTarget", {"name": _text(allow_blank=True)})(many=True),
        "total_signatures": s.IntegerField(required=False),
        "_links": _links(
            "osdi:signatures", "osdi:record_signature_helper", name="OsdiPetitionLinks"
        )(),
    },
)
Signature = _shape(
    "OsdiSignature",
    {
        "identifiers": _list(_text()),
        "created_date": s.DateTimeField(**_date),
        "modified_date": s.DateTimeField(**_date),
        "action_network:person_id": _text(),
        "action_network:petition_id": _text(),
        "action_network:source": _text(allow_blank=True),
        "_links": _links("osdi:petition", "osdi:person", name="OsdiSignatureLinks")(),
    },
)
OutreachTarget = _shape(
    "OsdiOutreachTarget",
    {
        "identifiers": _list(_text()),
        "title": _text(help_text="Their office."),
        "name": _text(),
    },
    "A person the campaign presses (a target).",
)
AdvocacyCampaign = _shape(
    "OsdiAdvocacyCampaign",
    {
        "identifiers": _list(_text()),
        "created_date": s.DateTimeField(**_date),
        "modified_date": s.DateTimeField(**_date),
        "title": _text(),
        "description": _text(allow_blank=True, help_text="The ask, in one line."),
        "action_network:script": _text(allow_blank=True),
        "targets": OutreachTarget(many=True),
        "total_outreaches": s.IntegerField(required=False),
        "_links": _links(
            "osdi:outreaches", "osdi:record_outreach_helper", name="OsdiAdvocacyCampaignLinks"
        )(),
    },
    "A campaign with a call page: its ask and the targets it names.",
)
Outreach = _shape(
    "OsdiOutreach",
    {
        "identifiers": _list(_text()),
        "created_date": s.DateTimeField(**_date),
        "modified_date": s.DateTimeField(**_date),
        "action_date": s.DateTimeField(**_date),
        "type": _text(help_text="phone, email, postal mail, in-person or testimony."),
        "action_network:kind": _text(),
        "targets": OutreachTarget(many=True),
        "action_network:person_id": _text(),
        "action_network:advocacy_campaign_id": _text(),
        "_links": _links("osdi:advocacy_campaign", "osdi:person", name="OsdiOutreachLinks")(),
    },
    "A pressure action: a person called, wrote to or visited a target.",
)
Empty = _shape("OsdiNothing", {}, "Nothing maps onto this resource here: always empty.")


def _page(name: str, rel: str, item, *, counted: bool = True):
    """A collection page: paging numbers, links (self, next, previous, one per item) and the
    items under ``_embedded[rel]``."""
    links = _shape(
        f"{name}Links",
        {
            "self": Link(),
            "next": Link(required=False),
            "previous": Link(required=False),
            rel: Link(many=True),
            "curies": Curie(many=True),
        },
    )
    fields = {
        "page": s.IntegerField(min_value=1),
        "per_page": s.IntegerField(min_value=1, max_value=100),
        "total_pages": s.IntegerField(min_value=1, required=counted),
        "total_records": s.IntegerField(min_value=0, required=counted),
        "_links": links(),
        "_embedded": _shape(f"{name}Embedded", {rel: item(many=True)})(),
    }
    doc = "One page of the collection." + (
        ""
        if counted
        else " No totals (counting a large list on every page is slow): follow "
        "`_links.next` while it is there."
    )
    return _shape(name, fields, doc)


PersonPage = _page("OsdiPersonPage", "osdi:people", Person, counted=False)
TagPage = _page("OsdiTagPage", "osdi:tags", Tag)
TaggingPage = _page("OsdiTaggingPage", "osdi:taggings", Tagging)
EventPage = _page("OsdiEventPage", "osdi:events", Event)
AttendancePage = _page("OsdiAttendancePage", "osdi:attendances", Attendance)
PetitionPage = _page("OsdiPetitionPage", "osdi:petitions", Petition)
SignaturePage = _page("OsdiSignaturePage", "osdi:signatures", Signature)
CampaignPage = _page("OsdiAdvocacyCampaignPage", "osdi:advocacy_campaigns", AdvocacyCampaign)
OutreachPage = _page("OsdiOutreachPage", "osdi:outreaches", Outreach)
FormPage = _page("OsdiFormPage", "osdi:forms", Empty)

EntryPoint = _shape(
    "OsdiEntryPoint",
    {
        "motd": _text(),
        "vendor_name": _text(),
        "product_name": _text(),
        "osdi_version": _text(),
        "max_page_size": s.IntegerField(),
        "_links": _shape(
            "OsdiEntryPointLinks",
            {
                "self": Link(),
                "curies": Curie(many=True),
                **{
                    f"osdi:{rel}": Link()
                    for rel in (
                        "people",
                        "person_signup_helper",
                        "tags",
                        "events",
                        "petitions",
                        "advocacy_campaigns",
                        "forms",
                    )
                },
            },
        )(),
    },
)

# --- request bodies ------------------------------------------------------------------------------

_short = {"max_length": 254, "required": False}
PersonIn = _shape(
    "OsdiPersonInput",
    {
        "given_name": _text(max_length=100, required=False, allow_blank=True),
        "family_name": _text(max_length=100, required=False, allow_blank=True),
        "email_addresses": _shape("OsdiEmailInput", {"address": s.EmailField(max_length=254)})(
            many=True, required=False
        ),
        "phone_numbers": _shape("OsdiPhoneInput", {"number": _text(max_length=30)})(
            many=True, required=False
        ),
        "postal_addresses": _shape(
            "OsdiPostalAddressInput",
            {
                "address_lines": _list(_text(max_length=200), max_length=2, required=False),
                "locality": _text(**_short),
                "region": _text(**_short),
                "postal_code": _text(max_length=20, required=False),
            },
        )(many=True, required=False),
        "languages_spoken": _list(_text(max_length=20), max_length=10, required=False),
    },
    "A person as sent: matched by email address or phone number, as everywhere.",
)


def _tags():
    return s.ListField(child=_text(max_length=100), max_length=50, required=False)


Signup = _shape(
    "OsdiPersonSignup",
    {
        "person": PersonIn(),
        "add_tags": _tags(),
        "remove_tags": _tags(),
    },
    "The person signup helper: create the person, or update the one with this email or phone.",
)
TagIn = _shape("OsdiTagInput", {"name": _text(max_length=100)})
PersonLink = _shape(
    "OsdiPersonReferenceLinks",
    {"osdi:person": Link()},
)
PersonReference = _shape(
    "OsdiPersonReference",
    {
        "_links": PersonLink(required=False),
        "identifiers": _list(_text(max_length=100), max_length=5, required=False),
        "person": PersonIn(required=False),
    },
    "Who: a person link, an ``action_network:`` identifier, or a person object (matched by "
    "email or phone; created when new).",
)
OutreachIn = _shape(
    "OsdiOutreachInput",
    {
        "_links": PersonLink(required=False),
        "identifiers": _list(_text(max_length=100), max_length=5, required=False),
        "person": PersonIn(required=False),
        "targets": _shape(
            "OsdiOutreachTargetInput",
            {
                "identifiers": _list(_text(max_length=100), max_length=5, required=False),
                "name": _text(max_length=200, required=False),
                "given_name": _text(max_length=100, required=False),
                "family_name": _text(max_length=100, required=False),
                "title": _text(max_length=200, required=False),
            },
        )(many=True, required=False, max_length=20),
        "type": s.ChoiceField(
            choices=["phone", "email", "postal mail", "in-person", "testimony"], required=False
        ),
    },
    "The record-outreach helper: who (a person link, identifiers, or a person object matched "
    "by email or phone as the signup helper does), which of the campaign's targets (by "
    "identifier or name; none when it has one), and how (a phone call unless said).",
)
EventIn = _shape(
    "OsdiEventInput",
    {
        "title": _text(max_length=200),
        "description": _text(max_length=5000, required=False, allow_blank=True),
        "start_date": s.DateTimeField(),
        "end_date": s.DateTimeField(required=False),
        "location": _shape("OsdiEventLocationInput", {"venue": _text(max_length=200)})(
            required=False
        ),
        "capacity": s.IntegerField(min_value=0, required=False),
        "hub": _text(max_length=100, required=False, help_text="The slug of a hub you run."),
    },
)

# --- parameters, responses and the decorator ----------------------------------------------------

PAGING = [
    OpenApiParameter("page", int, description="Page number, from 1.", required=False),
    OpenApiParameter(
        "per_page", int, description="Rows per page (25 unless asked; at most 100).", required=False
    ),
]


def _filter(fields: list[str]) -> OpenApiParameter:
    return OpenApiParameter(
        "filter",
        str,
        required=False,
        description="OData-style: `field op 'value'` joined by `and` (at most 5); ops eq, gt, "
        "lt, ge, le. Fields here: " + ", ".join(fields) + ".",
        examples=[OpenApiExample("Changed since", value=f"{fields[0]} gt '2024-01-01'")]
        if fields
        else [],
    )


ERRORS = {
    400: OpenApiResponse(Error, description="The request cannot be done as sent; says why."),
    401: OpenApiResponse(Error, description="No token or session, or a revoked token."),
    403: OpenApiResponse(Error, description="Signed in, but this is not yours to do."),
    404: OpenApiResponse(Error, description="No such resource, or not one you may see."),
    429: OpenApiResponse(Error, description="Too many requests: wait `Retry-After` seconds."),
}
AUTH = [{"osdiToken": []}, {"tokenAuth": []}, {"cookieAuth": []}]


def describe(op: str, tag: str, summary: str, response, *, request=None, filters=None, paged=False,
             examples=(), codes=(200,), conflict=False, description=""):  # fmt: skip
    params = []
    if paged:
        params = [*PAGING, _filter(filters or [])]
    responses = {code: response for code in codes}
    responses.update(ERRORS)
    if conflict:
        responses[409] = OpenApiResponse(
            Error, description="The email or phone is a person's you cannot see."
        )
    return extend_schema(
        operation_id=op,
        tags=[f"OSDI: {tag}"],
        summary=summary,
        description=description,
        request=request,
        responses=responses,
        parameters=params,
        examples=list(examples),
        auth=AUTH,
    )


PERSON_EXAMPLE = OpenApiExample(
    "A person",
    response_only=True,
    value={
        "identifiers": [f"action_network:{PERSON_UUID}"],
        "created_date": "2024-03-01T17:02:11Z",
        "modified_date": "2024-05-20T09:41:00Z",
        "given_name": "Rosa",
        "family_name": "Díaz",
        "languages_spoken": ["es", "en"],
        "email_addresses": [
            {"primary": True, "address": "rosa@example.org", "status": "subscribed"}
        ],
        "phone_numbers": [
            {
                "primary": True,
                "number": "15555550123",
                "number_type": "Mobile",
                "status": "subscribed",
            }
        ],
        "postal_addresses": [
            {"primary": True, "locality": "Oakland", "region": "CA", "country": "US"}
        ],
        "custom_fields": {"employer": "Harbor Hospital"},
        "_links": {
            "self": {"href": f"{HOST}people/{PERSON_UUID}"},
            "osdi:attendances": {"href": f"{HOST}people/{PERSON_UUID}/attendances"},
            "osdi:signatures": {"href": f"{HOST}people/{PERSON_UUID}/signatures"},
            "osdi:taggings": {"href": f"{HOST}people/{PERSON_UUID}/taggings"},
        },
    },
)
SIGNUP_EXAMPLE = OpenApiExample(
    "Sign someone up, tagged",
    request_only=True,
    value={
        "person": {
            "given_name": "Rosa",
            "family_name": "Díaz",
            "email_addresses": [{"address": "rosa@example.org"}],
            "phone_numbers": [{"number": "+1 555 555 0123"}],
        },
        "add_tags": ["Nurses 2024"],
    },
)
REFERENCE_EXAMPLE = OpenApiExample(
    "By person link",
    request_only=True,
    value={"_links": {"osdi:person": {"href": f"{HOST}people/{PERSON_UUID}"}}},
)
REFERENCE_BY_EMAIL = OpenApiExample(
    "By email (created when new)",
    request_only=True,
    value={"person": {"given_name": "Sam", "email_addresses": [{"address": "sam@example.org"}]}},
)
EVENT_EXAMPLE = OpenApiExample(
    "A house meeting",
    request_only=True,
    value={
        "title": "House meeting on Elm St",
        "start_date": "2024-06-01T18:00:00Z",
        "location": {"venue": "12 Elm St"},
        "hub": "eastside",
    },
)
OUTREACH_EXAMPLE = OpenApiExample(
    "Record a call",
    value={
        "person": {"email_addresses": [{"address": "rosa@example.org"}], "given_name": "Rosa"},
        "targets": [{"identifiers": ["action_network:0d1c2b3a-4e5f-5a6b-8c7d-000000000004"]}],
        "type": "phone",
    },
    request_only=True,
)
PAGE_EXAMPLE = OpenApiExample(
    "A page of tags",
    response_only=True,
    value={
        "page": 1,
        "per_page": 25,
        "total_pages": 1,
        "total_records": 1,
        "_links": {
            "self": {"href": f"{HOST}tags?page=1"},
            "osdi:tags": [{"href": f"{HOST}tags/{TAG_UUID}"}],
            "curies": [
                {
                    "name": "osdi",
                    "href": "https://actionnetwork.org/docs/v2/{rel}",
                    "templated": True,
                }
            ],
        },
        "_embedded": {
            "osdi:tags": [
                {
                    "identifiers": [f"action_network:{TAG_UUID}"],
                    "name": "Nurses 2024",
                    "_links": {
                        "self": {"href": f"{HOST}tags/{TAG_UUID}"},
                        "osdi:taggings": {"href": f"{HOST}tags/{TAG_UUID}/taggings"},
                    },
                }
            ]
        },
    },
)
