"""Hubs, their members (people) and roles (users), turf and walk lists, workplace maps."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers

from contacts.models import HubMember
from hubs.models import (
    DoorAssignment,
    DoorResult,
    Hub,
    HubRole,
    Placement,
    Turf,
    TurfDoor,
    TurfPiece,
    Worksite,
)


class HubOut(serializers.ModelSerializer):
    class Meta:
        model = Hub
        fields = [
            "id",
            "slug",
            "name",
            "kind",
            "description",
            "meeting_time",
            "meeting_place",
            "majority_threshold",
            "leader_span",
            "headcount",
            "created_at",
        ]
        read_only_fields = fields


class MemberOut(serializers.ModelSerializer):
    contact = serializers.IntegerField(source="contact_id", read_only=True)
    display_name = serializers.CharField(source="contact.display_name", read_only=True)

    class Meta:
        model = HubMember
        fields = ["id", "contact", "display_name", "role", "since"]
        read_only_fields = fields


class MemberIn(serializers.Serializer):
    contact = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    role = serializers.ChoiceField(choices=HubMember.Role.choices, default=HubMember.Role.MEMBER)
    since = serializers.DateField(required=False)

    def validate_since(self, value):
        from api.native.serializers.conversations import check_day

        return check_day(value)


class RoleOut(serializers.ModelSerializer):
    user = serializers.IntegerField(source="user_id", read_only=True)
    name = serializers.SerializerMethodField()

    class Meta:
        model = HubRole
        fields = ["id", "user", "name", "role", "since"]
        read_only_fields = fields

    def get_name(self, obj: HubRole) -> str:
        return obj.user.name or obj.user.email.split("@")[0]


class TurfOut(serializers.ModelSerializer):
    hub = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    doors = serializers.IntegerField(source="door_count", read_only=True)

    class Meta:
        model = Turf
        fields = ["id", "hub", "name", "doors", "created_at"]
        read_only_fields = fields


class PieceOut(serializers.ModelSerializer):
    turf = serializers.IntegerField(source="turf_id", read_only=True)
    hub = serializers.CharField(source="turf.hub.slug", read_only=True)
    assigned_to = serializers.IntegerField(source="assigned_to_id", allow_null=True)
    doors = serializers.IntegerField(source="door_count", read_only=True)

    class Meta:
        model = TurfPiece
        fields = [
            "id",
            "turf",
            "hub",
            "number",
            "assigned_to",
            "due_on",
            "doors",
            "emptied_at",
            "created_at",
        ]
        read_only_fields = fields


class DoorOut(serializers.ModelSerializer):
    street_number = serializers.CharField(source="unit.building.street_number")
    street = serializers.CharField(source="unit.building.street")
    unit = serializers.CharField(source="unit.label")
    zip_code = serializers.CharField(source="unit.building.zip_code")
    latest_result = serializers.SerializerMethodField()

    class Meta:
        model = TurfDoor
        fields = ["id", "position", "street_number", "street", "unit", "zip_code", "latest_result"]
        read_only_fields = fields

    def get_latest_result(self, obj) -> str | None:
        return getattr(obj, "latest_result", None)


class ResultOut(serializers.ModelSerializer):
    door = serializers.IntegerField(source="door_id", allow_null=True)
    piece = serializers.IntegerField(source="piece_id", allow_null=True)
    contact = serializers.IntegerField(source="contact_id", allow_null=True)
    by = serializers.IntegerField(source="by_id", allow_null=True)

    class Meta:
        model = DoorResult
        fields = ["id", "door", "piece", "contact", "result", "at", "by"]
        read_only_fields = fields


class ResultIn(serializers.Serializer):
    result = serializers.ChoiceField(choices=DoorResult.Result.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    contact = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False, allow_null=True,
        help_text="A resident of the door the walk list shows you.",
    )  # fmt: skip
    client_token = serializers.UUIDField(required=False, allow_null=True)
    at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="When the tap happened (a phone offline)."
    )


class AssignmentOut(serializers.ModelSerializer):
    door = serializers.IntegerField(source="door_id", read_only=True)
    piece = serializers.IntegerField(source="piece_id", read_only=True)
    assignee = serializers.IntegerField(source="assignee_id", allow_null=True)
    by = serializers.IntegerField(source="by_id", allow_null=True)

    class Meta:
        model = DoorAssignment
        fields = ["id", "door", "piece", "assignee", "started_at", "ended_at", "by"]
        read_only_fields = fields


class NamedOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class DepartmentOut(NamedOut):
    headcount = serializers.IntegerField(allow_null=True)


class WorksiteOut(serializers.ModelSerializer):
    departments = DepartmentOut(many=True, read_only=True)
    shifts = NamedOut(many=True, read_only=True)

    class Meta:
        model = Worksite
        fields = ["id", "name", "address", "departments", "shifts"]
        read_only_fields = fields


class PlacementOut(serializers.ModelSerializer):
    contact = serializers.IntegerField(source="contact_id", read_only=True)
    display_name = serializers.CharField(source="contact.display_name", read_only=True)
    assessment = serializers.IntegerField(source="contact.assessment", allow_null=True)
    worksite = serializers.IntegerField(source="worksite_id", read_only=True)
    department = serializers.IntegerField(source="department_id", allow_null=True)
    shift = serializers.IntegerField(source="shift_id", allow_null=True)
    organized_by = serializers.IntegerField(source="organized_by_id", allow_null=True)

    class Meta:
        model = Placement
        fields = [
            "id",
            "contact",
            "display_name",
            "assessment",
            "worksite",
            "department",
            "shift",
            "organized_by",
        ]
        read_only_fields = fields


class TallyOut(serializers.Serializer):
    counts = serializers.ListField(
        child=serializers.IntegerField(), help_text="People at 1, 2, 3, 4 and 5."
    )
    unassessed = serializers.IntegerField()
    total = serializers.IntegerField(help_text="Everyone placed.")
    headcount = serializers.IntegerField(allow_null=True)
    base = serializers.IntegerField(help_text="What the share is out of.")
    strong = serializers.IntegerField(help_text="People at 1 or 2.")
    share = serializers.IntegerField(help_text="Percent at 1–2.")
    threshold = serializers.IntegerField()
    majority = serializers.BooleanField()
    needed = serializers.IntegerField(help_text="More people at 1–2 needed for the majority.")


class DepartmentTallyOut(serializers.Serializer):
    department = serializers.SerializerMethodField()
    name = serializers.CharField()
    tally = TallyOut()
    leaders = serializers.SerializerMethodField()

    def get_department(self, obj) -> int | None:
        return obj.department.pk if obj.department else None

    def get_leaders(self, obj) -> list[int]:
        return [c.pk for c in obj.leaders]


class WorkplaceMapOut(serializers.Serializer):
    hub = serializers.CharField(source="hub.slug")
    total = TallyOut()
    departments = DepartmentTallyOut(many=True)


RESULT_EXAMPLE = OpenApiExample(
    "Signed at the door",
    value={
        "result": "signed",
        "contact": 42,
        "client_token": "1f6b7d0e-4e1b-4e8f-b0c4-0b9f7c1d2e3a",
        "at": "2026-11-30T14:05:00-05:00",
    },
    request_only=True,
)
