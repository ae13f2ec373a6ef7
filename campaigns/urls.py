from __future__ import annotations

from django.urls import path

from campaigns.views import calls, campaigns, events, kiosk, petitions, pressure

app_name = "campaigns"

urlpatterns = [
    path("", campaigns.index, name="index"),
    path("new/", campaigns.campaign_new, name="new"),
    path("events/new/", events.event_new, name="event_new"),
    path("events/<int:pk>/", events.event_detail, name="event"),
    path("events/<int:pk>/edit/", events.event_edit, name="event_edit"),
    path("events/<int:pk>/cancel/", events.event_cancel, name="event_cancel"),
    path("events/<int:pk>/shifts/", events.shift_add, name="shift_add"),
    path("events/<int:pk>/shifts/<int:shift_id>/delete/", events.shift_delete, name="shift_delete"),
    path("events/<int:pk>/follow-ups/", events.follow_ups, name="follow_ups"),
    path("events/<int:pk>/supporter-link/", events.supporter_link, name="supporter_link"),
    path("events/<int:pk>/kiosk/", kiosk.kiosk, name="kiosk"),
    path("events/<int:pk>/kiosk/sign-in/", kiosk.checkin, name="checkin"),
    path("events/<int:pk>/kiosk/walk-in/", kiosk.walk_in, name="walk_in"),
    path("events/<int:pk>/kiosk/hand-out/", kiosk.hand_out, name="hand_out"),
    path("events/<int:pk>/kiosk/sign-petition/", kiosk.sign_petition, name="kiosk_sign"),
    path("petitions/", petitions.petition_list, name="petitions"),
    path("petitions/<int:pk>/", petitions.petition_detail, name="petition"),
    path("petitions/<int:pk>/edit/", petitions.petition_edit, name="petition_edit"),
    path("petitions/<int:pk>/paper/", petitions.paper_sheet, name="paper_sheet"),
    path("petitions/<int:pk>/delivery/", petitions.delivery, name="delivery"),
    path("petitions/<int:pk>/delivery.csv", petitions.delivery_csv, name="delivery_csv"),
    path("calls/", calls.call_lists, name="call_lists"),
    path("calls/<int:pk>/", calls.call_list_detail, name="call_list"),
    path("calls/<int:pk>/callers/", calls.call_list_assign_view, name="call_list_assign"),
    path("calls/<int:pk>/results.csv", calls.results_csv, name="call_list_csv"),
    path("calls/<int:pk>/build/", calls.call_list_rebuild, name="call_list_build"),
    path("calls/<int:pk>/work/", calls.work, name="call_work"),
    path("calls/<int:pk>/work/<int:target_id>/", calls.record, name="call_record"),
    path("messages/", events.event_messages, name="messages"),
    path("messages/<int:message_id>/retry/", events.event_message_retry, name="message_retry"),
    # Targets and pressure
    path("districts/", pressure.districts, name="districts"),
    path("targets/", pressure.targets, name="targets"),
    path("targets/new/", pressure.target_edit, name="target_new"),
    path("targets/<int:pk>/edit/", pressure.target_edit, name="target_edit"),
    path("pressure/people/<int:contact_id>/", pressure.person_actions, name="person_pressure"),
    path("<slug:slug>/pressure/", pressure.campaign_pressure, name="pressure"),
    path("<slug:slug>/pressure/edit/", pressure.campaign_pressure_edit, name="pressure_edit"),
    path("<slug:slug>/pressure/log/<int:contact_id>/", pressure.action_log, name="pressure_log"),
    path("<slug:slug>/", campaigns.campaign_detail, name="detail"),
    path("<slug:slug>/edit/", campaigns.campaign_edit, name="edit"),
    path("<slug:slug>/calls/new/", calls.call_list_new, name="call_list_new"),
    path("<slug:slug>/petitions/new/", petitions.petition_new, name="petition_new"),
    path("<slug:slug>/goals/", campaigns.goal_add, name="goal_add"),
    path("<slug:slug>/goals/<int:goal_id>/delete/", campaigns.goal_delete, name="goal_delete"),
]
