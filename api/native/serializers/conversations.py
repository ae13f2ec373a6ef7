"""One-on-ones, lighter interactions, assessments, follow-ups and the ladder.

Notes are written through the API but never read back (like exports: "the API carries no
notes"); the ask, the commitment and a follow-up's text from a sensitive conversation read
as blank / "Follow-up from a sensitive conversation" for everyone but its author and staff.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers

from contacts.models import Assessment, FollowUp, Interaction, LadderMove, LadderStage
from contacts.selectors.conversations import SENSITIVE_FOLLOW_UP, can_read_sensitive

MAX_NOTES = 20_000
MAX_ISSUES = 30
EARLIEST = dt.date(1990, 1, 1)
LATEST = dt.date(2100, 1, 1)


def check_day(value: dt.date) -> dt.date:
    if not EARLIEST <= value <= LATEST:
        raise serializers.ValidationError(_("Choose a date between 1990 and 2100."))
    return value


def check_past(value: dt.datetime) -> dt.datetime:
    if value.date() < EARLIEST:
        raise serializers.ValidationError(_("Choose a date after 1990."))
    if value > timezone.now() + dt.timedelta(hours=1):
        raise serializers.ValidationError(_("That is in the future. When did you talk?"))
    return value


class InteractionOut(serializers.ModelSerializer):
    contact = serializers.IntegerField(source="contact_id", read_only=True)
    author = serializers.IntegerField(source="author_id", allow_null=True, read_only=True)
    issues = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    ask = serializers.SerializerMethodField()
    commitment = serializers.SerializerMethodField()
    # Blank when not given: declared so the schema says "" is one of the answers.
    medium = serializers.ChoiceField(Interaction.Medium.choices, allow_blank=True, read_only=True)
    answer = serializers.ChoiceField(Interaction.Answer.choices, allow_blank=True, read_only=True)
    outcome = serializers.ChoiceField(Interaction.Outcome.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Interaction
        fields = [
            "id",
            "contact",
            "kind",
            "medium",
            "happened_at",
            "ask",
            "answer",
            "commitment",
            "outcome",
            "issues",
            "is_sensitive",
            "author",
            "created_at",
        ]
        read_only_fields = fields

    def _readable(self, obj: Interaction) -> bool:
        return can_read_sensitive(self.context["request"].user, obj)

    def get_ask(self, obj: Interaction) -> str:
        return obj.ask if self._readable(obj) else ""

    def get_commitment(self, obj: Interaction) -> str:
        return obj.commitment if self._readable(obj) else ""


class OneOnOneIn(serializers.Serializer):
    happened_at = serializers.DateTimeField(required=False, validators=[check_past])
    medium = serializers.ChoiceField(
        choices=Interaction.Medium.choices, default=Interaction.Medium.IN_PERSON
    )
    notes = serializers.CharField(max_length=MAX_NOTES, required=False, allow_blank=True)
    issues = serializers.ListField(
        child=serializers.SlugField(max_length=80), max_length=MAX_ISSUES, required=False,
        help_text="Issue slugs (see the People filters).",
    )  # fmt: skip
    ask = serializers.CharField(max_length=300, required=False, allow_blank=True)
    answer = serializers.ChoiceField(
        choices=Interaction.Answer.choices, required=False, allow_blank=True
    )
    commitment = serializers.CharField(max_length=300, required=False, allow_blank=True)
    assessment = serializers.ChoiceField(
        choices=Assessment.Level.choices, required=False, allow_null=True,
        help_text="1 = leader … 5 = opposed; becomes the person's latest assessment.",
    )  # fmt: skip
    follow_up_on = serializers.DateField(required=False, allow_null=True, validators=[check_day])
    follow_up_what = serializers.CharField(max_length=300, required=False, allow_blank=True)
    is_sensitive = serializers.BooleanField(default=False)
    client_token = serializers.UUIDField(
        required=False, allow_null=True,
        help_text="Send the same token again (a retry) and the first log is returned.",
    )  # fmt: skip

    def validate(self, data):
        if data.get("follow_up_what") and not data.get("follow_up_on"):
            raise serializers.ValidationError(
                {"follow_up_on": [_("Pick a date for the follow-up.")]}
            )
        return data


class InteractionIn(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[c for c in Interaction.Kind.choices if c[0] != Interaction.Kind.ONE_ON_ONE]
    )
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    happened_at = serializers.DateTimeField(required=False, validators=[check_past])
    outcome = serializers.ChoiceField(
        choices=Interaction.Outcome.choices, required=False, allow_blank=True,
        help_text="For a call: how it went. No answer and wrong number do not count as contact.",
    )  # fmt: skip
    is_sensitive = serializers.BooleanField(default=False)
    client_token = serializers.UUIDField(required=False, allow_null=True)


class AssessmentOut(serializers.ModelSerializer):
    contact = serializers.IntegerField(source="contact_id", read_only=True)
    assessed_by = serializers.IntegerField(source="assessed_by_id", allow_null=True)
    interaction = serializers.IntegerField(source="interaction_id", allow_null=True)

    class Meta:
        model = Assessment
        fields = ["id", "contact", "level", "assessed_at", "assessed_by", "interaction"]
        read_only_fields = fields


class FollowUpOut(serializers.ModelSerializer):
    contact = serializers.IntegerField(source="contact_id", read_only=True)
    assigned_to = serializers.IntegerField(source="assigned_to_id", read_only=True)
    interaction = serializers.IntegerField(source="interaction_id", allow_null=True)
    what = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "contact",
            "assigned_to",
            "due_on",
            "what",
            "status",
            "interaction",
            "completed_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_what(self, obj: FollowUp) -> str:
        return str(SENSITIVE_FOLLOW_UP) if getattr(obj, "what_hidden", False) else obj.what


class FollowUpIn(serializers.Serializer):
    contact = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    assigned_to = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False,
        help_text="A user who may see the person; you when left out.",
    )  # fmt: skip
    due_on = serializers.DateField(validators=[check_day])
    what = serializers.CharField(max_length=300, required=False, allow_blank=True)


class SnoozeIn(serializers.Serializer):
    until = serializers.DateField(validators=[check_day], help_text="Today or later.")


class ReassignIn(serializers.Serializer):
    assigned_to = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="A user who works with the person."
    )


class StageOut(serializers.ModelSerializer):
    class Meta:
        model = LadderStage
        fields = ["id", "position", "name", "description", "min_score", "milestones"]
        read_only_fields = fields


class MoveOut(serializers.ModelSerializer):
    contact = serializers.IntegerField(source="contact_id", read_only=True)
    from_stage = serializers.IntegerField(source="from_stage_id", allow_null=True)
    to_stage = serializers.IntegerField(source="to_stage_id", allow_null=True)
    by = serializers.IntegerField(source="by_id", allow_null=True)

    class Meta:
        model = LadderMove
        fields = ["id", "contact", "from_stage", "to_stage", "at", "reason", "manual", "by"]
        read_only_fields = fields


ONE_ON_ONE_EXAMPLE = OpenApiExample(
    "Log a one-on-one",
    value={
        "happened_at": "2026-11-30T18:30:00-05:00",
        "medium": "in_person",
        "notes": "Works nights at the hospital; rent went up 20% this year.",
        "issues": ["housing"],
        "ask": "Will you host a potluck for your building?",
        "answer": "yes",
        "commitment": "Potluck on the 14th",
        "assessment": 2,
        "follow_up_on": "2026-12-07",
        "follow_up_what": "Confirm the potluck date",
        "client_token": "8b0c4c1e-2f7a-4d55-9a55-0d3c6f0b7e21",
    },
    request_only=True,
)

INTERACTION_EXAMPLE = OpenApiExample(
    "Log a call that reached nobody",
    value={"kind": "call", "outcome": "no_answer", "notes": "Left no message"},
    request_only=True,
)

FOLLOW_UP_EXAMPLE = OpenApiExample(
    "Call Ana back about the potluck",
    value={"contact": 42, "due_on": "2026-12-03", "what": "Call Ana back about the potluck"},
    request_only=True,
)
