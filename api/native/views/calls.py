"""Phone banks and pressure: call lists with their progress, people and results; the caller's
"next person" and "record a result"; targets and pressure actions.

Each endpoint loads its list through the selector its page uses: ``call_lists_for_user`` (staff,
the hub's captains, the list's callers), ``managed_call_list_for_user`` (staff and the hub's
captains: the progress page, the people and their results), ``workable_call_list_for_user``
(callers and managers: the caller page). Claims and results go through ``call_next_target``
and ``call_record``, the caller page's own services; targets and actions through
``campaigns.selectors.pressure`` and ``pressure_action_record``, as from the person page.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.native.base import NativeAPIView, NativeListView
from api.native.serializers.calls import (
    CALL_RESULT_EXAMPLE,
    PRESSURE_ACTION_EXAMPLE,
    CallListDetailOut,
    CallListOut,
    CallResultIn,
    CallTargetOut,
    NextOut,
    PressureActionIn,
    PressureActionOut,
    TargetOut,
)
from api.native.serializers.common import ERRORS, READ_ERRORS, ErrorOut
from campaigns.models import CallList, CallTarget, PressureAction, Target
from campaigns.selectors.access import campaign_for_user
from campaigns.selectors.calls import (
    call_list_for_user,
    call_list_progress,
    call_lists_for_user,
    can_manage_call_list,
    managed_call_list_for_user,
    source_description,
    workable_call_list_for_user,
)
from campaigns.selectors.pressure import (
    pressure_actions_for_user,
    target_for_user,
    targets_for_user,
)
from campaigns.services.calls import ClaimLost, call_next_target, call_record
from campaigns.services.pressure import pressure_action_record
from contacts.selectors.access import contact_for_user
from organizer.lib.numbers import parse_id


@extend_schema_view(
    get=extend_schema(
        summary="Call lists",
        description="Staff: every list; a captain: the lists of the hubs they captain; anyone: "
        "the lists they are assigned to call.",
        responses={200: CallListOut(many=True), **READ_ERRORS},
    )
)
class CallListsView(NativeListView):
    serializer_class = CallListOut
    queryset = CallList.objects.none()  # the schema's model; get_queryset scopes
    keyset = "id"

    def get_queryset(self):
        return call_lists_for_user(self.request.user).select_related("campaign", "hub")


class CallListView(NativeAPIView):
    @extend_schema(
        summary="Get a call list",
        description="The script, its survey questions and why the people are on it; for its "
        "managers (staff and the hub's captains) also the progress page's numbers: how many "
        "are left, each result's count, calls per caller and each question's answer totals.",
        responses={200: CallListDetailOut, **READ_ERRORS},
    )
    def get(self, request, pk: int):
        call_list = call_list_for_user(request.user, pk)
        call_list.question_rows = list(call_list.questions.all())
        call_list.reason = source_description(call_list)
        call_list.can_manage = can_manage_call_list(request.user, call_list)
        call_list.progress = call_list_progress(call_list) if call_list.can_manage else None
        return Response(CallListDetailOut(call_list).data)


@extend_schema_view(
    get=extend_schema(
        summary="A call list's people and results",
        description="For the list's managers: everyone on the list with their result, when "
        "and by whom (no phones, no notes). `result=open` for those not yet worked; "
        "`result=<a result>` for one result.",
        parameters=[
            OpenApiParameter(
                "result",
                str,
                enum=["open", *CallTarget.Result.values],
                description="`open` (not yet worked) or one result.",
            )
        ],
        responses={200: CallTargetOut(many=True), 400: ErrorOut, **READ_ERRORS},
    )
)
class CallTargetsView(NativeListView):
    serializer_class = CallTargetOut
    queryset = CallTarget.objects.none()  # the schema's model; get_queryset scopes
    keyset = "id"

    def get_queryset(self):
        call_list = managed_call_list_for_user(self.request.user, self.kwargs["pk"])
        rows = CallTarget.objects.filter(call_list=call_list).select_related("contact")
        wanted = self.request.query_params.get("result")
        if wanted == "open":
            rows = rows.filter(result="")
        elif wanted:
            if wanted not in CallTarget.Result.values:
                raise ValidationError({"result": [_("Use open or one of the results.")]})
            rows = rows.filter(result=wanted)
        return rows


class CallNextView(NativeAPIView):
    @extend_schema(
        summary="Next person to call",
        description="For the list's callers (and managers), as the caller page: the person you "
        "hold, else the next one, claimed for you for the list's `claim_minutes` (two callers "
        "are never handed the same person). 204 when nobody is left to call.",
        request=None,
        responses={200: NextOut, 204: None, **READ_ERRORS},
    )
    def post(self, request, pk: int):
        call_list = workable_call_list_for_user(request.user, pk)
        target = call_next_target(user=request.user, call_list=call_list)
        if target is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(NextOut(target).data)


class CallResultView(NativeAPIView):
    @extend_schema(
        summary="Record a call's result",
        description="On the person you hold (from `next`), as the caller page: the call goes "
        "on their history, `do_not_call` marks them so, `wrong_number` marks the number, "
        "`call_back` (with `call_back_on`) gives you a follow-up, and `answers` save their "
        "survey answers. 409 when the person is no longer yours (already recorded, or handed "
        "to another caller after your claim ran out): ask for the next one.",
        request=CallResultIn,
        responses={201: CallTargetOut, 409: ErrorOut, **ERRORS},
        examples=[CALL_RESULT_EXAMPLE],
    )
    def post(self, request, pk: int, target_id: int):
        call_list = workable_call_list_for_user(request.user, pk)
        data = CallResultIn(data=request.data)
        data.is_valid(raise_exception=True)
        answers = data.answers_for(call_list)
        values = data.validated_data
        try:
            target = call_record(
                by=request.user,
                call_list=call_list,
                target_id=target_id,
                result=values["result"],
                notes=values.get("notes", ""),
                call_back_on=values.get("call_back_on"),
                call_back_at=values.get("call_back_at"),
                answers=answers,
            )
        except ClaimLost as exc:
            return Response({"detail": exc.messages[0]}, status=status.HTTP_409_CONFLICT)
        return Response(CallTargetOut(target).data, status=status.HTTP_201_CREATED)


def _targets(user):
    return targets_for_user(user).select_related("district").prefetch_related("campaigns")


@extend_schema_view(
    get=extend_schema(
        summary="Targets",
        description="Officials and decision-makers. Staff: all; captains and organizers: the "
        "targets of the campaigns they see.",
        responses={200: TargetOut(many=True), **READ_ERRORS},
    )
)
class TargetsView(NativeListView):
    serializer_class = TargetOut
    queryset = Target.objects.none()  # the schema's model; get_queryset scopes
    keyset = "id"

    def get_queryset(self):
        return _targets(self.request.user)


class TargetView(NativeAPIView):
    @extend_schema(summary="Get a target", responses={200: TargetOut, **READ_ERRORS})
    def get(self, request, pk: int):
        target_for_user(request.user, pk)
        return Response(TargetOut(_targets(request.user).get(pk=pk)).data)


@extend_schema_view(
    get=extend_schema(
        summary="Pressure actions",
        description="Calls, emails, letters, visits and testimony toward targets, for the "
        "campaigns you see and by people you may see, newest first (no notes). Filter with "
        "`campaign` (a slug) or `contact` (a person's id).",
        parameters=[
            OpenApiParameter("campaign", str, description="A campaign's slug."),
            OpenApiParameter("contact", OpenApiTypes.INT, description="A person's id."),
        ],
        responses={200: PressureActionOut(many=True), 400: ErrorOut, **READ_ERRORS},
    ),
    post=extend_schema(
        summary="Log a pressure action",
        description="As from the person's page: what a person you may see did toward one of "
        "a campaign's targets. Counted once a day per person, target, kind and campaign: the "
        "same again answers 200 with the action already logged (201 when new).",
        request=PressureActionIn,
        responses={201: PressureActionOut, 200: PressureActionOut, **ERRORS},
        examples=[PRESSURE_ACTION_EXAMPLE],
    ),
)
class PressureActionsView(NativeListView):
    serializer_class = PressureActionOut
    queryset = PressureAction.objects.none()  # the schema's model; get_queryset scopes
    keyset = "-id"

    def get_queryset(self):
        rows = pressure_actions_for_user(self.request.user).select_related("campaign")
        params = self.request.query_params
        if params.get("campaign"):
            rows = rows.filter(campaign__slug=params["campaign"][:120])
        if params.get("contact"):
            contact = parse_id(params["contact"])
            if contact is None:
                raise ValidationError({"contact": [_("Use a person's id.")]})
            rows = rows.filter(contact_id=contact)
        return rows

    def post(self, request):
        data = PressureActionIn(data=request.data)
        data.is_valid(raise_exception=True)
        data = data.validated_data
        campaign = campaign_for_user(request.user, data["campaign"])
        contact = contact_for_user(request.user, data["contact"])
        target = Target.objects.filter(
            pk=data["target"], campaigns=campaign, is_active=True
        ).first()
        if target is None:
            raise ValidationError({"target": [_("Choose one of this campaign's targets.")]})
        at = timezone.now()
        day = data.get("day") or timezone.localdate()
        if day != timezone.localdate():  # an earlier day: noon of it, as the page does
            at = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
        action, created = pressure_action_record(
            campaign=campaign,
            target=target,
            contact=contact,
            kind=data["kind"],
            source=PressureAction.Source.ORGANIZER,
            notes=data.get("notes", ""),
            by=request.user,
            at=at,
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(PressureActionOut(action).data, status=code)
