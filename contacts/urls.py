from __future__ import annotations

from django.urls import path

from contacts.views import conversations, imports, ladder, people, reminders

app_name = "contacts"

urlpatterns = [
    # --- people: list, search, person page, edit, merge, export (views/people.py) ---
    path("", people.people, name="list"),
    path("new/", people.create, name="create"),
    path("export.csv", people.export_csv, name="export"),
    path("bulk/", people.bulk, name="bulk"),
    path("duplicates/", people.duplicates, name="duplicates"),
    path("<int:pk>/", people.detail, name="detail"),
    path("<int:pk>/edit/", people.edit, name="edit"),
    path("<int:pk>/merge/", people.merge, name="merge"),
    path("<int:pk>/relationships/", people.relationship_new, name="relationship_add"),
    path("<int:pk>/relationships/candidates/", people.candidates, name="relationship_candidates"),
    # --- conversations: log a one-on-one, interactions, follow-ups, My day (views/conversations.py)
    path("my-day/", conversations.my_day, name="my_day"),
    path("log/", conversations.log_one_on_one, name="log"),
    path("log/who/", conversations.log_people, name="log_people"),
    path("<int:pk>/interactions/", conversations.interaction_create, name="interaction_log"),
    path("<int:pk>/call/", conversations.call_outcome, name="call_outcome"),
    path(
        "follow-ups/<int:pk>/complete/", conversations.follow_up_complete, name="follow_up_complete"
    ),
    path("follow-ups/<int:pk>/snooze/", conversations.follow_up_snooze, name="follow_up_snooze"),
    path(
        "follow-ups/<int:pk>/reassign/", conversations.follow_up_reassign, name="follow_up_reassign"
    ),
    # --- imports (views/imports.py) ---
    path("import/", imports.upload, name="import_upload"),
    path("import/<uuid:pk>/", imports.job_detail, name="import_job"),
    path("import/<uuid:pk>/preview/", imports.preview, name="import_preview"),
    path("import/<uuid:pk>/start/", imports.start, name="import_start"),
    path("import/<uuid:pk>/rejected.csv", imports.rejected_csv, name="import_rejected_csv"),
    # --- ladder ---
    path("ladder/", ladder.config, name="ladder"),
    path("ladder/stages/", ladder.stage_save, name="ladder_stage_add"),
    path("ladder/stages/<int:pk>/", ladder.stage_save, name="ladder_stage_save"),
    path("ladder/stages/<int:pk>/delete/", ladder.stage_delete, name="ladder_stage_delete"),
    path("ladder/stages/<int:pk>/move/", ladder.stage_move, name="ladder_stage_move"),
    path("ladder/points/", ladder.weights_save, name="ladder_weights"),
    path("ladder/half-life/", ladder.half_life_save, name="ladder_half_life"),
    path("ladder/jobs/<int:pk>/", ladder.job_status, name="ladder_job"),
    path("<int:pk>/stage/", ladder.stage_hold, name="stage_hold"),
    # --- reminders: staff list of today's deliveries, retry, own settings (views/reminders.py) ---
    path("reminders/", reminders.reminder_deliveries, name="reminder_deliveries"),
    path("reminders/<int:pk>/retry/", reminders.reminder_retry_now, name="reminder_retry"),
    path("reminders/settings/", reminders.reminder_settings, name="reminder_settings"),
]
