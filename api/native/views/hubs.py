"""Hubs and memberships; turf, pieces, assignments and door results; workplace maps.

Each endpoint loads its hub or piece through the selector its page uses: ``hub_for_user``
(members see the hub), ``managed_hub_for_user`` (captains and staff: members management and
turf), ``piece_for_user`` (the walker and the hub's captains), ``workplace_hub_for_user``.
"""

from __future__ import annotations

from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from api.native.base import NativeAPIView, NativeListView
from api.native.serializers.common import ERRORS, READ_ERRORS
from api.native.serializers.hubs import (
    RESULT_EXAMPLE,
    AssignmentOut,
    DoorOut,
    HubOut,
    MemberIn,
    MemberOut,
    PieceOut,
    PlacementOut,
    ResultIn,
    ResultOut,
    RoleOut,
    TurfOut,
    WorkplaceMapOut,
    WorksiteOut,
)
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
from hubs.selectors.access import hub_for_user, hubs_for_user, managed_hub_for_user
from hubs.selectors.hubs import addable_contact_for_user, can_see_people
from hubs.selectors.turf import turfs_for_hub
from hubs.selectors.walk import door_of_piece, piece_for_user, pieces_for_user, residents_for_user
from hubs.selectors.workplace import workplace_hub_for_user, workplace_map
from hubs.services import hubs as hub_services
from hubs.services.walk import door_result_record


@extend_schema_view(
    get=extend_schema(
        summary="Hubs",
        description="The hubs you belong to (staff: every hub).",
        responses={200: HubOut(many=True), **READ_ERRORS},
    )
)
class HubsView(NativeListView):
    serializer_class = HubOut
    queryset = Hub.objects.none()  # the schema\'s model; get_queryset scopes
    keyset = "id"

    def get_queryset(self):
        return hubs_for_user(self.request.user)


class HubView(NativeAPIView):
    @extend_schema(summary="Get a hub", responses={200: HubOut, **READ_ERRORS})
    def get(self, request, slug: str):
        return Response(HubOut(hub_for_user(request.user, slug)).data)


@extend_schema_view(
    get=extend_schema(
        summary="A hub's members (people)",
        description="People in the hub, for its captains, organizers and staff (a volunteer "
        "of the hub gets 403, as the hub page shows them no people).",
        responses={200: MemberOut(many=True), **READ_ERRORS},
    ),
    post=extend_schema(
        summary="Add a person to a hub",
        description="For the hub's captains and staff (**Manage members**); a person you may "
        "see. Already a member: 400.",
        request=MemberIn,
        responses={201: MemberOut, **ERRORS},
    ),
)
class MembersView(NativeListView):
    serializer_class = MemberOut
    queryset = HubMember.objects.none()  # the schema\'s model; get_queryset scopes
    keyset = "id"

    def get_queryset(self):
        hub = hub_for_user(self.request.user, self.kwargs["slug"])
        if not can_see_people(self.request.user, hub):
            raise PermissionDenied(_("Only the hub's captains and organizers see its people."))
        return HubMember.objects.filter(hub=hub).select_related("contact")

    def post(self, request, slug: str):
        hub = managed_hub_for_user(request.user, slug)
        data = MemberIn(data=request.data)
        data.is_valid(raise_exception=True)
        data = data.validated_data
        contact = addable_contact_for_user(request.user, data["contact"])
        member = hub_services.hub_member_add(
            by=request.user, hub=hub, contact=contact, role=data["role"], since=data.get("since")
        )
        return Response(MemberOut(member).data, status=status.HTTP_201_CREATED)


class MemberView(NativeAPIView):
    @extend_schema(
        summary="Remove a person from a hub",
        description="For the hub's captains and staff. The person stays; only the membership "
        "goes (a history entry on their timeline).",
        responses={204: None, **READ_ERRORS},
    )
    def delete(self, request, slug: str, member_id: int):
        hub = managed_hub_for_user(request.user, slug)
        get_object_or_404(HubMember, pk=member_id, hub=hub)
        hub_services.hub_member_remove(by=request.user, hub=hub, member_id=member_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(
        summary="A hub's users and their roles",
        description="Captains, organizers and volunteers of the hub (HubRole).",
        responses={200: RoleOut(many=True), **READ_ERRORS},
    )
)
class RolesView(NativeListView):
    serializer_class = RoleOut
    queryset = HubRole.objects.none()  # the schema\'s model; get_queryset scopes
    keyset = "id"

    def get_queryset(self):
        hub = hub_for_user(self.request.user, self.kwargs["slug"])
        return HubRole.objects.filter(hub=hub).select_related("user")


@extend_schema_view(
    get=extend_schema(
        summary="A hub's turf",
        description="For the hub's captains and staff.",
        responses={200: TurfOut(many=True), **READ_ERRORS},
    )
)
class TurfsView(NativeListView):
    serializer_class = TurfOut
    queryset = Turf.objects.none()  # the schema\'s model; get_queryset scopes
    keyset = "id"

    def get_queryset(self):
        hub = managed_hub_for_user(self.request.user, self.kwargs["slug"])
        return turfs_for_hub(hub).select_related("hub")


def _pieces(user):
    return pieces_for_user(user).annotate(door_count=Count("doors", distinct=True))


@extend_schema_view(
    get=extend_schema(
        summary="Walk-list pieces",
        description="Pieces assigned to you, and every piece of the hubs you captain.",
        responses={200: PieceOut(many=True), **READ_ERRORS},
    )
)
class PiecesView(NativeListView):
    serializer_class = PieceOut
    queryset = TurfPiece.objects.none()  # the schema\'s model; get_queryset scopes
    keyset = "id"

    def get_queryset(self):
        return _pieces(self.request.user)


class PieceView(NativeAPIView):
    @extend_schema(summary="Get a piece", responses={200: PieceOut, **READ_ERRORS})
    def get(self, request, pk: int):
        return Response(PieceOut(get_object_or_404(_pieces(request.user), pk=pk)).data)


@extend_schema_view(
    get=extend_schema(
        summary="A piece's doors",
        description="Doors in walking order, each with its latest result.",
        responses={200: DoorOut(many=True), **READ_ERRORS},
    )
)
class DoorsView(NativeListView):
    serializer_class = DoorOut
    queryset = TurfDoor.objects.none()  # the schema\'s model; get_queryset scopes
    keyset = "position"

    def get_queryset(self):
        piece = piece_for_user(self.request.user, self.kwargs["pk"])
        latest = DoorResult.objects.filter(door_id=OuterRef("pk")).order_by("-at", "-pk")
        return (
            TurfDoor.objects.filter(piece=piece)
            .select_related("unit__building")
            .annotate(latest_result=Subquery(latest.values("result")[:1]))
        )


@extend_schema_view(
    get=extend_schema(
        summary="A piece's door results",
        description="Every result recorded on the piece, newest first.",
        responses={200: ResultOut(many=True), **READ_ERRORS},
    )
)
class ResultsView(NativeListView):
    serializer_class = ResultOut
    queryset = DoorResult.objects.none()  # the schema\'s model; get_queryset scopes
    keyset = "-id"

    def get_queryset(self):
        piece = piece_for_user(self.request.user, self.kwargs["pk"])
        return DoorResult.objects.filter(piece=piece)


class DoorResultView(NativeAPIView):
    @extend_schema(
        summary="Record a door result",
        description="One tap on the walk list: the same `client_token` again (or the same bare "
        "result within seconds) records nothing more and returns the first result. A door "
        "moved to another piece is a 404.",
        request=ResultIn,
        responses={201: ResultOut, **ERRORS},
        examples=[RESULT_EXAMPLE],
    )
    def post(self, request, pk: int, door_id: int):
        piece = piece_for_user(request.user, pk)
        door = door_of_piece(piece, door_id)
        data = ResultIn(data=request.data)
        data.is_valid(raise_exception=True)
        data = data.validated_data
        contact = None
        if data.get("contact"):
            contact = get_object_or_404(residents_for_user(request.user, piece), pk=data["contact"])
        result = door_result_record(
            by=request.user,
            piece=piece,
            door=door,
            result=data["result"],
            note=data.get("note", ""),
            contact=contact,
            client_token=data.get("client_token"),
            at=data.get("at"),
        )
        return Response(ResultOut(result).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        summary="A piece's door assignments",
        description="Who had which doors of the piece, and when (kept through rebalancing).",
        responses={200: AssignmentOut(many=True), **READ_ERRORS},
    )
)
class AssignmentsView(NativeListView):
    serializer_class = AssignmentOut
    queryset = DoorAssignment.objects.none()  # the schema\'s model; get_queryset scopes
    keyset = "-id"

    def get_queryset(self):
        piece = piece_for_user(self.request.user, self.kwargs["pk"])
        return DoorAssignment.objects.filter(piece=piece)


@extend_schema_view(
    get=extend_schema(
        summary="A workplace hub's worksites",
        description="Worksites with their departments and shifts (workplace hubs; for the "
        "hub's captains, organizers and staff).",
        responses={200: WorksiteOut(many=True), **READ_ERRORS},
    )
)
class WorksitesView(NativeListView):
    serializer_class = WorksiteOut
    queryset = Worksite.objects.none()  # the schema\'s model; get_queryset scopes
    keyset = "id"

    def get_queryset(self):
        hub = workplace_hub_for_user(self.request.user, self.kwargs["slug"])
        return Worksite.objects.filter(hub=hub).prefetch_related("departments", Prefetch("shifts"))


@extend_schema_view(
    get=extend_schema(
        summary="A workplace hub's placements",
        description="Every coworker placed on the map, with their latest assessment.",
        responses={200: PlacementOut(many=True), **READ_ERRORS},
    )
)
class PlacementsView(NativeListView):
    serializer_class = PlacementOut
    queryset = Placement.objects.none()  # the schema\'s model; get_queryset scopes
    keyset = "id"

    def get_queryset(self):
        hub = workplace_hub_for_user(self.request.user, self.kwargs["slug"])
        return Placement.objects.filter(hub=hub).select_related("contact")


class WorkplaceMapView(NativeAPIView):
    @extend_schema(
        summary="A workplace map's tally",
        description="Per department: people at 1–5 and unassessed, the share at 1–2 against "
        "the hub's threshold (out of the headcount when set), and the department's leaders.",
        responses={200: WorkplaceMapOut, **READ_ERRORS},
    )
    def get(self, request, slug: str):
        hub = workplace_hub_for_user(request.user, slug)
        return Response(WorkplaceMapOut(workplace_map(hub)).data)
