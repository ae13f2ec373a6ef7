"""Campaigns and their goals with progress (``campaigns.metrics`` through the campaign page's
selector), scoped by ``campaigns_for_user``."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.response import Response

from api.native.base import NativeAPIView, NativeListView
from api.native.serializers.common import READ_ERRORS
from api.native.serializers.reports import CampaignDetailOut, CampaignOut
from campaigns.models import Campaign
from campaigns.selectors.access import campaign_for_user, campaigns_for_user
from campaigns.selectors.campaigns import campaign_page


@extend_schema_view(
    get=extend_schema(
        summary="Campaigns",
        description="Campaigns of your hubs (staff: all).",
        responses={200: CampaignOut(many=True), **READ_ERRORS},
    )
)
class CampaignsView(NativeListView):
    serializer_class = CampaignOut
    queryset = Campaign.objects.none()  # the schema\'s model; get_queryset scopes
    keyset = "id"

    def get_queryset(self):
        return campaigns_for_user(self.request.user).prefetch_related("hubs")


class CampaignView(NativeAPIView):
    @extend_schema(
        summary="Get a campaign with its goals",
        description="Each goal's count, chapter-wide and per hub, with its pace (where the "
        "campaign should be by the end of today, and how many a day it needs) — the numbers "
        "of the campaign page.",
        responses={200: CampaignDetailOut, **READ_ERRORS},
    )
    def get(self, request, slug: str):
        campaign = campaign_for_user(request.user, slug)
        page = campaign_page(campaign)
        campaign.goals_progress = page.goals
        data = CampaignDetailOut(campaign).data
        return Response(data)
