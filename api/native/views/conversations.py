"""One-on-ones and interactions (per person), assessments, follow-ups and the ladder — logged
through the services the log page and My day use (assessment, follow-up, history, ladder)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.native.base import NativeAPIView, NativeListView
from api.native.serializers.common import ERRORS, READ_ERRORS
from api.native.serializers.conversations import (
    FOLLOW_UP_EXAMPLE,
    INTERACTION_EXAMPLE,
    ONE_ON_ONE_EXAMPLE,
    AssessmentOut,
    FollowUpIn,
    FollowUpOut,
    InteractionIn,
    InteractionOut,
    MoveOut,
    OneOnOneIn,
    ReassignIn,
    SnoozeIn,
    StageOut,
)
from contacts.models import Assessment, FollowUp, Interaction, Issue, LadderMove, LadderStage
from contacts.selectors.access import contact_for_user, contacts_for_user
from contacts.selectors.conversations import (
    assignable_users,
    follow_up_for_user,
    follow_up_hidden,
    follow_ups_for_user,
)
from contacts.services import conversations as services


def _interactions(user, contact_id: int):
    return (
        Interaction.objects.filter(contact_id=contact_id).defer("notes").prefetch_related("issues")
    )


def _issues(slugs: list[str]) -> list[Issue]:
    issues = list(Issue.objects.filter(slug__in=slugs, is_active=True))
    if len(issues) != len(set(slugs)):
        raise ValidationError({"issues": [_("Pick issues from the list.")]})
    return issues


@extend_schema_view(
    get=extend_schema(
        summary="A person's interactions",
        description="One-on-ones, calls, texts, door knocks and meetings with the person, "
        "newest first (notes are never returned).",
        responses={200: InteractionOut(many=True), **READ_ERRORS},
    ),
    post=extend_schema(
        summary="Log a call, text, door knock or meeting",
        request=InteractionIn,
        responses={201: InteractionOut, **ERRORS},
        examples=[INTERACTION_EXAMPLE],
    ),
)
class InteractionsView(NativeListView):
    serializer_class = InteractionOut
    queryset = Interaction.objects.none()  # the schema\'s model; get_queryset scopes
    keyset = "-happened_at"

    def get_queryset(self):
        contact = contact_for_user(self.request.user, self.kwargs["pk"])
        return _interactions(self.request.user, contact.pk)

    def post(self, request, pk: int):
        contact = contact_for_user(request.user, pk)
        data = InteractionIn(data=request.data)
        data.is_valid(raise_exception=True)
        interaction = services.interaction_log(
            by=request.user, contact=contact, **data.validated_data
        )
        out = InteractionOut(interaction, context={"request": request})
        return Response(out.data, status=status.HTTP_201_CREATED)


class OneOnOneView(NativeAPIView):
    @extend_schema(
        summary="Log a one-on-one",
        description="As **Log a one-on-one**: the conversation, its assessment (the person's "
        "latest), its follow-up (yours) and issues in one save, counted on the ladder. The same "
        "`client_token` again returns the first log (200) and adds nothing.",
        request=OneOnOneIn,
        responses={201: InteractionOut, 200: InteractionOut, **ERRORS},
        examples=[ONE_ON_ONE_EXAMPLE],
    )
    def post(self, request, pk: int):
        contact = contact_for_user(request.user, pk)
        data = OneOnOneIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields["issues"] = _issues(fields.get("issues", []))
        before = Interaction.objects.filter(author=request.user).order_by("-pk").first()
        interaction = services.one_on_one_log(by=request.user, contact=contact, **fields)
        again = getattr(interaction, "resubmitted", False) or (
            before is not None and interaction.pk <= before.pk
        )
        out = InteractionOut(interaction, context={"request": request})
        return Response(out.data, status=status.HTTP_200_OK if again else status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        summary="A person's assessments",
        description="Every dated 1–5 assessment, newest first; the latest is the person's.",
        responses={200: AssessmentOut(many=True), **READ_ERRORS},
    )
)
class AssessmentsView(NativeListView):
    serializer_class = AssessmentOut
    queryset = Assessment.objects.none()  # the schema\'s model; get_queryset scopes
    keyset = "-assessed_at"

    def get_queryset(self):
        contact = contact_for_user(self.request.user, self.kwargs["pk"])
        return Assessment.objects.filter(contact_id=contact.pk)


@extend_schema_view(
    get=extend_schema(
        summary="A person's ladder moves",
        description="Every move up or down the ladder: from, to, when, why, newest first.",
        responses={200: MoveOut(many=True), **READ_ERRORS},
    )
)
class PersonMovesView(NativeListView):
    serializer_class = MoveOut
    queryset = LadderMove.objects.none()  # the schema\'s model; get_queryset scopes
    keyset = "-at"

    def get_queryset(self):
        contact = contact_for_user(self.request.user, self.kwargs["pk"])
        return LadderMove.objects.filter(contact_id=contact.pk)


class FollowUpQuery(serializers.Serializer):
    mine = serializers.BooleanField(
        default=True, help_text="Only yours (default); false: about everyone you may see."
    )
    status = serializers.ChoiceField(choices=FollowUp.Status.choices, default=FollowUp.Status.OPEN)
    due = serializers.BooleanField(
        default=False, help_text="Only those due today or overdue (in the chapter's time zone)."
    )


@extend_schema_view(
    get=extend_schema(
        summary="Follow-ups",
        description="Your open follow-ups by due date (My day), or everyone's you may see.",
        parameters=[FollowUpQuery],
        responses={200: FollowUpOut(many=True), **ERRORS},
    ),
    post=extend_schema(
        summary="Add a follow-up",
        description="A dated task about a person, for you or for a user who may see them.",
        request=FollowUpIn,
        responses={201: FollowUpOut, **ERRORS},
        examples=[FOLLOW_UP_EXAMPLE],
    ),
)
class FollowUpsView(NativeListView):
    serializer_class = FollowUpOut
    queryset = FollowUp.objects.none()  # the schema\'s model; get_queryset scopes
    keyset = "due_on"

    def get_queryset(self):
        user = self.request.user
        query = FollowUpQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        qs = follow_ups_for_user(user).filter(status=params["status"])
        if params["mine"]:
            qs = qs.filter(assigned_to_id=user.pk)
        if params["due"]:
            qs = qs.filter(due_on__lte=timezone.localdate())
        return qs.annotate(what_hidden=follow_up_hidden(user))

    def post(self, request):
        data = FollowUpIn(data=request.data)
        data.is_valid(raise_exception=True)
        data = data.validated_data
        contact = contact_for_user(request.user, data["contact"])
        assignee_id = data.get("assigned_to", request.user.pk)
        assignee = assignable_users(contact).filter(pk=assignee_id).first()
        if assignee is None:
            raise ValidationError({"assigned_to": [_("This user cannot see this person.")]})
        follow_up = services.follow_up_create(
            by=request.user,
            contact=contact,
            assigned_to=assignee,
            due_on=data["due_on"],
            what=data.get("what", ""),
        )
        follow_up = (
            follow_ups_for_user(request.user)
            .annotate(what_hidden=follow_up_hidden(request.user))
            .get(pk=follow_up.pk)
        )
        return Response(FollowUpOut(follow_up).data, status=status.HTTP_201_CREATED)


class FollowUpCompleteView(NativeAPIView):
    @extend_schema(
        summary="Complete a follow-up",
        description="Mark it done (a history entry on the person). Completing it again "
        "changes nothing.",
        request=None,
        responses={200: FollowUpOut, **READ_ERRORS},
    )
    def post(self, request, pk: int):
        follow_up_for_user(request.user, pk)  # 404 outside the user's scope, before any lock
        services.follow_up_complete(by=request.user, follow_up_id=pk)
        return Response(FollowUpOut(_follow_up(request.user, pk)).data)


def _follow_up(user, pk: int) -> FollowUp:
    return follow_ups_for_user(user).annotate(what_hidden=follow_up_hidden(user)).get(pk=pk)


class FollowUpSnoozeView(NativeAPIView):
    @extend_schema(
        summary="Snooze a follow-up",
        description="Move an open follow-up to a later day (**Snooze** on My day); a history "
        "entry on the person.",
        request=SnoozeIn,
        responses={200: FollowUpOut, **ERRORS},
    )
    def post(self, request, pk: int):
        follow_up_for_user(request.user, pk)
        data = SnoozeIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.follow_up_snooze(
            by=request.user, follow_up_id=pk, until=data.validated_data["until"]
        )
        return Response(FollowUpOut(_follow_up(request.user, pk)).data)


class FollowUpReassignView(NativeAPIView):
    @extend_schema(
        summary="Give a follow-up to someone else",
        description="To a user who works with the person (**Reassign** on My day).",
        request=ReassignIn,
        responses={200: FollowUpOut, **ERRORS},
    )
    def post(self, request, pk: int):
        follow_up_for_user(request.user, pk)
        data = ReassignIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.follow_up_reassign(
            by=request.user, follow_up_id=pk, to_user_id=data.validated_data["assigned_to"]
        )
        return Response(FollowUpOut(_follow_up(request.user, pk)).data)


@extend_schema_view(
    get=extend_schema(
        summary="Ladder stages",
        description="The chapter's ladder of engagement, lowest first.",
        responses={200: StageOut(many=True), **READ_ERRORS},
    )
)
class StagesView(NativeListView):
    serializer_class = StageOut
    keyset = "position"
    queryset = LadderStage.objects.all()


@extend_schema_view(
    get=extend_schema(
        summary="Ladder moves",
        description="Moves of everyone you may see, newest first.",
        parameters=[OpenApiParameter("stage", int, description="Only moves to this stage.")],
        responses={200: MoveOut(many=True), **ERRORS},
    )
)
class MovesView(NativeListView):
    serializer_class = MoveOut
    keyset = "-id"

    def get_queryset(self):
        qs = LadderMove.objects.filter(
            contact_id__in=contacts_for_user(self.request.user).values("pk")
        )
        raw = self.request.query_params.get("stage")
        if raw:
            from organizer.lib.numbers import parse_id

            stage = parse_id(raw)
            if stage is None:
                raise ValidationError({"stage": [_("Use a stage id.")]})
            qs = qs.filter(to_stage_id=stage)
        return qs
