"""Action Network API v2 (OSDI): HAL+JSON resources under /api/v2/.

Every path answers with and without a trailing slash (parsons never adds one), so a POST is
never redirected. Ids are ``<uuid>`` or ``action_network:<uuid>`` (api/osdi/ids.py)."""

from __future__ import annotations

from django.urls import path, re_path, register_converter

from api.osdi import schema, views

app_name = "osdi"


class OsdiId:
    regex = r"(?:action_network:)?[0-9a-fA-F-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


register_converter(OsdiId, "osdi")


def route(pattern: str, view, name: str) -> list:
    """The path with and without its trailing slash, one name."""
    return [path(pattern, view.as_view(), name=name), path(pattern + "/", view.as_view())]


urlpatterns = [
    path("", views.EntryPoint.as_view(), name="entry"),
    *route("people", views.People, "people"),
    *route("people/<osdi:person_id>", views.Person, "person"),
    *route("people/<osdi:person_id>/attendances", views.PersonAttendances, "person_attendances"),
    *route("people/<osdi:person_id>/signatures", views.PersonSignatures, "person_signatures"),
    *route("people/<osdi:person_id>/taggings", views.PersonTaggings, "person_taggings"),
    *route("people/<osdi:person_id>/outreaches", views.PersonOutreaches, "person_outreaches"),
    *route("tags", views.Tags, "tags"),
    *route("tags/<osdi:tag_id>", views.TagDetail, "tag"),
    *route("tags/<osdi:tag_id>/taggings", views.Taggings, "taggings"),
    *route("tags/<osdi:tag_id>/taggings/<osdi:tagging_id>", views.TaggingDetail, "tagging"),
    *route("events", views.Events, "events"),
    *route("events/<osdi:event_id>", views.EventDetail, "event"),
    *route("events/<osdi:event_id>/attendances", views.Attendances, "attendances"),
    *route(
        "events/<osdi:event_id>/attendances/<osdi:attendance_id>",
        views.AttendanceDetail,
        "attendance",
    ),
    *route("petitions", views.Petitions, "petitions"),
    *route("petitions/<osdi:petition_id>", views.PetitionDetail, "petition"),
    *route("petitions/<osdi:petition_id>/signatures", views.Signatures, "signatures"),
    *route(
        "petitions/<osdi:petition_id>/signatures/<osdi:signature_id>",
        views.SignatureDetail,
        "signature",
    ),
    *route("advocacy_campaigns", views.AdvocacyCampaigns, "advocacy_campaigns"),
    *route(
        "advocacy_campaigns/<osdi:campaign_id>", views.AdvocacyCampaignDetail, "advocacy_campaign"
    ),
    *route("advocacy_campaigns/<osdi:campaign_id>/outreaches", views.Outreaches, "outreaches"),
    *route(
        "advocacy_campaigns/<osdi:campaign_id>/outreaches/<osdi:outreach_id>",
        views.OutreachDetail,
        "outreach",
    ),
    *route("forms", views.Empty.with_rel("osdi:forms", "forms", schema.FormPage), "forms"),
    # Submissions and anything else Action Network has and we do not: a JSON 404.
    re_path(r"^.+$", views.NotFound.as_view()),
]
