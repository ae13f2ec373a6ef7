from __future__ import annotations

from django.urls import path

from hubs.views import hubs, turf, walk, workplace

app_name = "hubs"

urlpatterns = [
    # --- hubs: list, hub page, members, captains (views/hubs.py) ---
    path("", hubs.index, name="index"),
    path("new/", hubs.create, name="create"),
    path("<slug:slug>/", hubs.detail, name="detail"),
    path("<slug:slug>/edit/", hubs.edit, name="edit"),
    path("<slug:slug>/members/", hubs.members, name="members"),
    path("<slug:slug>/members/add/", hubs.member_add, name="member_add"),
    path("<slug:slug>/members/<int:member_id>/remove/", hubs.member_remove, name="member_remove"),
    path("<slug:slug>/users/<int:user_id>/role/", hubs.membership_role, name="membership_role"),
    # --- turf: doors, cutting, pieces, assignment, progress (views/turf.py) ---
    path("doors/import/", turf.doors_import_upload, name="doors_import"),
    path("doors/import/<str:token>/", turf.doors_import_preview, name="doors_import_preview"),
    path(
        "doors/import/<str:token>/rejections.csv",
        turf.doors_import_rejections,
        name="doors_import_rejections",
    ),
    path("doors/from-people/", turf.doors_from_people, name="doors_from_people"),
    path("<slug:slug>/turf/", turf.turf_index, name="turf_index"),
    path("<slug:slug>/turf/new/", turf.turf_new, name="turf_new"),
    path("<slug:slug>/turf/preview/", turf.turf_preview, name="turf_preview"),
    path("<slug:slug>/turf/doors.json", turf.turf_doors, name="turf_doors"),
    path("<slug:slug>/turf/<int:pk>/", turf.turf_detail, name="turf_detail"),
    path("<slug:slug>/turf/<int:pk>/split/", turf.turf_split_view, name="turf_split"),
    path(
        "<slug:slug>/turf/<int:pk>/pieces/<int:piece_id>/assign/",
        turf.piece_assign_view,
        name="turf_piece_assign",
    ),
    path(
        "<slug:slug>/turf/<int:pk>/pieces/<int:piece_id>/rebalance/",
        turf.piece_rebalance_view,
        name="turf_piece_rebalance",
    ),
    # --- walk lists: results at the door, printable lists, paper entry (views/walk.py) ---
    path("pieces/sw.js", walk.piece_worker, name="piece_worker"),
    path("pieces/<int:piece_id>/", walk.walk_list_page, name="walk_list"),
    path("pieces/<int:piece_id>/doors/<int:door_id>/result/", walk.walk_result, name="walk_result"),
    path("pieces/<int:piece_id>/print/", walk.walk_print, name="walk_print"),
    path("pieces/<int:piece_id>/paper/", walk.walk_paper, name="walk_paper"),
    # --- workplace map, organizing chart, structure tests (views/workplace.py) ---
    path("<slug:slug>/workplace/", workplace.workplace_map, name="workplace"),
    path("<slug:slug>/workplace/setup/", workplace.setup, name="workplace_setup"),
    path("<slug:slug>/workplace/place/", workplace.place, name="workplace_place"),
    path("<slug:slug>/workplace/place/roster/", workplace.roster, name="workplace_roster"),
    path(
        "<slug:slug>/workplace/people/<int:contact_id>/assess/",
        workplace.assess,
        name="workplace_assess",
    ),
    path("<slug:slug>/workplace/chart/", workplace.chart, name="workplace_chart"),
    path(
        "<slug:slug>/workplace/chart/<int:contact_id>/assign/",
        workplace.assign,
        name="workplace_assign",
    ),
    path("<slug:slug>/workplace/tests/new/", workplace.test_new, name="structure_new"),
    path(
        "<slug:slug>/workplace/tests/<int:test_id>/", workplace.test_detail, name="structure_test"
    ),
    path(
        "<slug:slug>/workplace/tests/<int:test_id>/reach/<int:contact_id>/",
        workplace.reach,
        name="structure_reach",
    ),
    path(
        "<slug:slug>/workplace/tests/<int:test_id>/result/",
        workplace.test_result,
        name="structure_result",
    ),
]
