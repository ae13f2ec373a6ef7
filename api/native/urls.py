"""The native API under /api/v1/: what OSDI has no words for. Docs at /api/v1/docs/."""

from __future__ import annotations

from django.urls import path

from api.native import schema
from api.native.views import calls, campaigns, conversations, hubs, people, reports

app_name = "native"

urlpatterns = [
    path("schema/", schema.SchemaView.as_view(), name="schema"),
    path("docs/", schema.docs, name="docs"),
    # People, conversations and the ladder
    path("people/", people.PeopleView.as_view(), name="people"),
    path("people/<int:pk>/", people.PersonView.as_view(), name="person"),
    path(
        "people/<int:pk>/interactions/",
        conversations.InteractionsView.as_view(),
        name="interactions",
    ),
    path("people/<int:pk>/one-on-ones/", conversations.OneOnOneView.as_view(), name="one_on_ones"),
    path(
        "people/<int:pk>/assessments/", conversations.AssessmentsView.as_view(), name="assessments"
    ),
    path("people/<int:pk>/ladder-moves/", conversations.PersonMovesView.as_view(), name="moves"),
    path("follow-ups/", conversations.FollowUpsView.as_view(), name="follow_ups"),
    path(
        "follow-ups/<int:pk>/complete/",
        conversations.FollowUpCompleteView.as_view(),
        name="follow_up_complete",
    ),
    path(
        "follow-ups/<int:pk>/snooze/",
        conversations.FollowUpSnoozeView.as_view(),
        name="follow_up_snooze",
    ),
    path(
        "follow-ups/<int:pk>/reassign/",
        conversations.FollowUpReassignView.as_view(),
        name="follow_up_reassign",
    ),
    path("ladder/stages/", conversations.StagesView.as_view(), name="stages"),
    path("ladder/moves/", conversations.MovesView.as_view(), name="ladder_moves"),
    # Hubs, turf and walk lists, workplace maps
    path("hubs/", hubs.HubsView.as_view(), name="hubs"),
    path("hubs/<slug:slug>/", hubs.HubView.as_view(), name="hub"),
    path("hubs/<slug:slug>/members/", hubs.MembersView.as_view(), name="members"),
    path("hubs/<slug:slug>/members/<int:member_id>/", hubs.MemberView.as_view(), name="member"),
    path("hubs/<slug:slug>/roles/", hubs.RolesView.as_view(), name="roles"),
    path("hubs/<slug:slug>/turfs/", hubs.TurfsView.as_view(), name="turfs"),
    path("hubs/<slug:slug>/worksites/", hubs.WorksitesView.as_view(), name="worksites"),
    path("hubs/<slug:slug>/placements/", hubs.PlacementsView.as_view(), name="placements"),
    path("hubs/<slug:slug>/workplace-map/", hubs.WorkplaceMapView.as_view(), name="workplace"),
    path("pieces/", hubs.PiecesView.as_view(), name="pieces"),
    path("pieces/<int:pk>/", hubs.PieceView.as_view(), name="piece"),
    path("pieces/<int:pk>/doors/", hubs.DoorsView.as_view(), name="doors"),
    path(
        "pieces/<int:pk>/doors/<int:door_id>/results/",
        hubs.DoorResultView.as_view(),
        name="door_result",
    ),
    path("pieces/<int:pk>/results/", hubs.ResultsView.as_view(), name="results"),
    path("pieces/<int:pk>/assignments/", hubs.AssignmentsView.as_view(), name="assignments"),
    # Campaigns and reports
    path("campaigns/", campaigns.CampaignsView.as_view(), name="campaigns"),
    path("campaigns/<slug:slug>/", campaigns.CampaignView.as_view(), name="campaign"),
    # Phone banks, targets and pressure
    path("call-lists/", calls.CallListsView.as_view(), name="call_lists"),
    path("call-lists/<int:pk>/", calls.CallListView.as_view(), name="call_list"),
    path("call-lists/<int:pk>/targets/", calls.CallTargetsView.as_view(), name="call_targets"),
    path("call-lists/<int:pk>/next/", calls.CallNextView.as_view(), name="call_next"),
    path(
        "call-lists/<int:pk>/targets/<int:target_id>/result/",
        calls.CallResultView.as_view(),
        name="call_result",
    ),
    path("targets/", calls.TargetsView.as_view(), name="targets"),
    path("targets/<int:pk>/", calls.TargetView.as_view(), name="target"),
    path("pressure-actions/", calls.PressureActionsView.as_view(), name="pressure_actions"),
    path("reports/headline/", reports.HeadlineReport.as_view(), name="report_headline"),
    path("reports/depth/", reports.DepthReport.as_view(), name="report_depth"),
    path("reports/ladder/", reports.LadderReport.as_view(), name="report_ladder"),
    path("reports/organizers/", reports.OrganizersReport.as_view(), name="report_organizers"),
    path("reports/hubs/", reports.HubsReport.as_view(), name="report_hubs"),
    path("reports/cohorts/", reports.CohortsReport.as_view(), name="report_cohorts"),
    path("reports/campaigns/", reports.CampaignsReport.as_view(), name="report_campaigns"),
    path("reports/workplaces/", reports.WorkplacesReport.as_view(), name="report_workplaces"),
    path(
        "reports/concentration/",
        reports.ConcentrationReport.as_view(),
        name="report_concentration",
    ),
]
