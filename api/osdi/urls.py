"""Action Network API v2 (OSDI): HAL+JSON resources under /api/v2/.

Every path answers with and without a trailing slash (Action Network's clients send both;
parsons never adds one), so a POST is never redirected."""

from __future__ import annotations

from django.urls import re_path

from api.osdi import views

app_name = "osdi"

ID = r"(?:action_network:)?[0-9a-fA-F-]{1,64}"


def route(pattern: str, view, name: str):
    return re_path(rf"^{pattern}/?$", view.as_view(), name=name)


urlpatterns = [
    re_path(r"^$", views.EntryPoint.as_view(), name="entry"),
    route("people", views.People, "people"),
    route(rf"people/(?P<person_id>{ID})", views.Person, "person"),
    route(
        rf"people/(?P<person_id>{ID})/attendances", views.PersonAttendances, "person_attendances"
    ),
    route(rf"people/(?P<person_id>{ID})/signatures", views.PersonSignatures, "person_signatures"),
    route(rf"people/(?P<person_id>{ID})/taggings", views.PersonTaggings, "person_taggings"),
    route("tags", views.Tags, "tags"),
    route(rf"tags/(?P<tag_id>{ID})", views.TagDetail, "tag"),
    route(rf"tags/(?P<tag_id>{ID})/taggings", views.Taggings, "taggings"),
    route(rf"tags/(?P<tag_id>{ID})/taggings/(?P<tagging_id>{ID})", views.TaggingDetail, "tagging"),
    route("events", views.Events, "events"),
    route(rf"events/(?P<event_id>{ID})", views.EventDetail, "event"),
    route(rf"events/(?P<event_id>{ID})/attendances", views.Attendances, "attendances"),
    route(
        rf"events/(?P<event_id>{ID})/attendances/(?P<attendance_id>{ID})",
        views.AttendanceDetail,
        "attendance",
    ),
    route("petitions", views.Petitions, "petitions"),
    route(rf"petitions/(?P<petition_id>{ID})", views.PetitionDetail, "petition"),
    route(rf"petitions/(?P<petition_id>{ID})/signatures", views.Signatures, "signatures"),
    route(
        rf"petitions/(?P<petition_id>{ID})/signatures/(?P<signature_id>{ID})",
        views.SignatureDetail,
        "signature",
    ),
    re_path(
        r"^advocacy_campaigns/?$",
        views.Empty.as_view(rel="osdi:advocacy_campaigns", path="advocacy_campaigns"),
        name="advocacy_campaigns",
    ),
    re_path(r"^forms/?$", views.Empty.as_view(rel="osdi:forms", path="forms"), name="forms"),
    # Outreaches, submissions and anything else Action Network has and we do not: a JSON 404.
    re_path(r"^.+$", views.NotFound.as_view(), name="missing"),
]
