"""Phone banks (call lists, their people and results, survey questions and totals) and
pressure (targets and the actions people took toward them).

What is never sent: the notes of a call (they live on the person's conversation, read through
``/people/<id>/interactions/``) and the notes of a pressure action; the phone number a list
dials only to the caller who holds that person (``/next/``), as on the caller page.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema_field
from rest_framework import serializers

from api.native.serializers.conversations import check_day
from campaigns.models import CallList, CallTarget, PressureAction, SurveyQuestion, Target

MAX_ANSWERS = 50
MAX_PICKS = 30


class QuestionOut(serializers.ModelSerializer):
    class Meta:
        model = SurveyQuestion
        fields = ["id", "position", "text", "text_es", "kind", "choices"]
        read_only_fields = fields


class CallListOut(serializers.ModelSerializer):
    campaign = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    hub = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = CallList
        fields = [
            "id",
            "name",
            "kind",
            "campaign",
            "hub",
            "source",
            "claim_minutes",
            "created_at",
            "built_at",
        ]
        read_only_fields = fields


class CountOut(serializers.Serializer):
    result = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class CallerCountOut(serializers.Serializer):
    name = serializers.CharField()
    count = serializers.IntegerField()


class ChoiceCountOut(serializers.Serializer):
    choice = serializers.CharField()
    count = serializers.IntegerField()


class QuestionTotalsOut(serializers.Serializer):
    question = serializers.IntegerField(source="question.pk")
    answered = serializers.IntegerField(help_text="People on the list who answered it.")
    choices = serializers.SerializerMethodField()
    latest_texts = serializers.ListField(
        child=serializers.CharField(), help_text="The latest free-text answers (at most 10)."
    )

    @extend_schema_field(ChoiceCountOut(many=True))
    def get_choices(self, obj) -> list[dict]:
        return [{"choice": c, "count": n} for c, n in obj.choices]


class ProgressOut(serializers.Serializer):
    total = serializers.IntegerField(help_text="People on the list.")
    remaining = serializers.IntegerField(help_text="Still to call (and callable).")
    skipped = serializers.IntegerField(
        help_text="Open, but nobody will be handed them: they asked not to be called since, "
        "or their number turned out wrong."
    )
    worked = serializers.IntegerField()
    reached = serializers.IntegerField(help_text="Talked, or asked to be called back.")
    percent = serializers.IntegerField(help_text="Worked, of the total.")
    by_result = serializers.SerializerMethodField()
    by_caller = serializers.SerializerMethodField()
    questions = QuestionTotalsOut(many=True, help_text="Each survey question's answer totals.")

    @extend_schema_field(CountOut(many=True))
    def get_by_result(self, obj) -> list[dict]:
        return [{"result": v, "label": str(label), "count": n} for v, label, n in obj.by_result]

    @extend_schema_field(CallerCountOut(many=True))
    def get_by_caller(self, obj) -> list[dict]:
        return [{"name": name, "count": n} for name, n in obj.by_caller]


class CallListDetailOut(CallListOut):
    script = serializers.CharField(read_only=True)
    script_es = serializers.CharField(read_only=True)
    reason = serializers.CharField(
        read_only=True, help_text="Why the people are on the list, as the caller reads it."
    )
    questions = QuestionOut(many=True, read_only=True, source="question_rows")
    can_manage = serializers.BooleanField(read_only=True)
    progress = ProgressOut(
        read_only=True,
        allow_null=True,
        help_text="The progress page's numbers: for the list's managers (staff and the hub's "
        "captains); null for callers.",
    )

    class Meta(CallListOut.Meta):
        fields = [
            *CallListOut.Meta.fields,
            "script",
            "script_es",
            "reason",
            "questions",
            "can_manage",
            "progress",
        ]
        read_only_fields = fields


class CallTargetOut(serializers.ModelSerializer):
    """One person on a list and what became of them (no phone, no notes: the results CSV's
    columns)."""

    contact = serializers.IntegerField(source="contact_id", read_only=True)
    first_name = serializers.CharField(source="contact.first_name", read_only=True)
    last_name = serializers.CharField(source="contact.last_name", read_only=True)
    completed_by = serializers.IntegerField(source="completed_by_id", allow_null=True)
    held = serializers.SerializerMethodField(help_text="A caller holds this person right now.")

    class Meta:
        model = CallTarget
        fields = [
            "id",
            "contact",
            "first_name",
            "last_name",
            "result",
            "completed_at",
            "completed_by",
            "held",
        ]
        read_only_fields = fields

    def get_held(self, obj: CallTarget) -> bool:
        return bool(
            not obj.result and obj.claimed_until is not None and obj.claimed_until > timezone.now()
        )


class NextOut(serializers.Serializer):
    """The one person the caller holds: who to call, on which number, until when."""

    id = serializers.IntegerField(help_text="The row to record the result on.")
    contact = serializers.IntegerField(source="contact_id")
    first_name = serializers.CharField(source="contact.first_name")
    last_name = serializers.CharField(source="contact.last_name")
    preferred_name = serializers.CharField(source="contact.preferred_name")
    phone = serializers.CharField(help_text="The number to call (E.164).")
    claimed_until = serializers.DateTimeField(
        help_text="Yours until then; after it, another caller may be handed this person."
    )


class AnswerIn(serializers.Serializer):
    question = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    choices = serializers.ListField(
        child=serializers.CharField(max_length=80),
        max_length=MAX_PICKS,
        required=False,
        help_text="For a choice question: the choices picked (one for a single choice).",
    )
    text = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, help_text="For a free-text question."
    )


class CallResultIn(serializers.Serializer):
    result = serializers.ChoiceField(
        choices=CallTarget.Result.choices,
        help_text="What happened (`texted` is for text banks' own page; a text list takes "
        "`wrong_number` or `do_not_call` here).",
    )
    notes = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        help_text="Kept on the person's conversation, never sent back here.",
    )
    call_back_on = serializers.DateField(
        required=False, allow_null=True, help_text="For `call_back`: today or a later day."
    )
    call_back_at = serializers.TimeField(required=False, allow_null=True)
    answers = AnswerIn(many=True, required=False, max_length=MAX_ANSWERS)

    def validate_call_back_on(self, value: dt.date | None):
        return check_day(value) if value is not None else value

    def answers_for(self, call_list: CallList) -> dict:
        """``{question_id: value}`` as the caller page's form gives it; a question of another
        list or a choice the question does not offer is a 400, as the form would say."""
        questions = {q.pk: q for q in call_list.questions.all()}
        out: dict = {}
        for i, answer in enumerate(self.validated_data.get("answers", [])):
            question = questions.get(answer["question"])
            if question is None:
                raise serializers.ValidationError(
                    {"answers": {i: {"question": [_("Not a question of this list.")]}}}
                )
            if question.kind == SurveyQuestion.Kind.TEXT:
                out[question.pk] = answer.get("text", "")
                continue
            picked = answer.get("choices", [])
            wrong = [c for c in picked if c not in question.choices]
            if wrong or (question.kind == SurveyQuestion.Kind.SINGLE and len(picked) > 1):
                raise serializers.ValidationError(
                    {"answers": {i: {"choices": [_("Pick from the question's choices.")]}}}
                )
            out[question.pk] = (
                picked[0] if question.kind == SurveyQuestion.Kind.SINGLE and picked else picked
            )
        return out


class DistrictOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField()


class TargetOut(serializers.ModelSerializer):
    district = DistrictOut(read_only=True, allow_null=True)
    campaigns = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    email = serializers.CharField(read_only=True, help_text="Empty when not known.")

    class Meta:
        model = Target
        fields = [
            "id",
            "name",
            "office",
            "level",
            "district",
            "phone",
            "email",
            "office_address",
            "is_active",
            "campaigns",
        ]
        read_only_fields = fields


class PressureActionOut(serializers.ModelSerializer):
    campaign = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    target = serializers.IntegerField(source="target_id", read_only=True)
    contact = serializers.IntegerField(source="contact_id", read_only=True)
    logged_by = serializers.IntegerField(source="logged_by_id", allow_null=True)

    class Meta:
        model = PressureAction
        fields = [
            "id",
            "campaign",
            "target",
            "contact",
            "kind",
            "source",
            "occurred_at",
            "day",
            "logged_by",
        ]
        read_only_fields = fields


class PressureActionIn(serializers.Serializer):
    campaign = serializers.SlugField(max_length=120, help_text="The campaign's slug.")
    target = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="One of the campaign's targets in office."
    )
    contact = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="Who did it: a person you may see."
    )
    kind = serializers.ChoiceField(choices=PressureAction.Kind.choices)
    day = serializers.DateField(required=False, help_text="When (default today; the last year).")
    notes = serializers.CharField(max_length=1000, required=False, allow_blank=True)

    def validate_day(self, value: dt.date) -> dt.date:
        today = timezone.localdate()
        if value > today:
            raise serializers.ValidationError(_("That day has not come yet."))
        if (today - value).days > 366:
            raise serializers.ValidationError(_("Log actions of the last year only."))
        return value


CALL_RESULT_EXAMPLE = OpenApiExample(
    "Talked; coming to the potluck; call back Thursday",
    value={
        "result": "call_back",
        "notes": "Works nights, best after 6",
        "call_back_on": "2026-12-03",
        "call_back_at": "18:30",
        "answers": [
            {"question": 7, "choices": ["Yes"]},
            {"question": 8, "choices": ["Childcare", "Rent"]},
            {"question": 9, "text": "Wants to bring her neighbor"},
        ],
    },
    request_only=True,
)

PRESSURE_ACTION_EXAMPLE = OpenApiExample(
    "Ana testified at the council hearing",
    value={
        "campaign": "rent-freeze",
        "target": 12,
        "contact": 42,
        "kind": "testimony",
        "day": "2026-11-30",
        "notes": "Spoke about her building's heat",
    },
    request_only=True,
)
