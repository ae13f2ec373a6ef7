"""The ladder that ships: Contact → Supporter → Volunteer → Active volunteer → Leader → Organizer,
with default points per activity and a 90-day half-life. Staff change all of it in the app."""

from django.db import migrations

STAGES = [
    (0, "Contact", "Someone the organization knows.", 0, []),
    (1, "Supporter", "Has done something with us: signed, came, talked.", 1, []),
    (2, "Volunteer", "Gives time: shifts, doors, calls.", 8, ["had_one_on_one"]),
    (
        3,
        "Active volunteer",
        "Shows up again and again.",
        20,
        ["had_one_on_one", "attended_2_events_90d"],
    ),
    (4, "Leader", "Moves others: leads actions, brings people in.", 40, ["led_action"]),
    (
        5,
        "Organizer",
        "Cadre: builds the base, organizes organizers.",
        80,
        ["led_action", "recruited_someone"],
    ),
]

WEIGHTS = [
    ("one_on_one", "Had a one-on-one", 5),
    ("event_attended", "Attended an event", 3),
    ("shift", "Volunteered a shift", 4),
    ("door_knocked", "Knocked a door as a volunteer", 0.25),
    ("signatures", "Gathered a petition signature", 0.1),
    ("recruited", "Recruited someone", 8),
    ("event_led", "Led an event or action", 10),
]


def forwards(apps, schema_editor):
    LadderStage = apps.get_model("contacts", "LadderStage")
    ActivityWeight = apps.get_model("contacts", "ActivityWeight")
    ScoringSettings = apps.get_model("contacts", "ScoringSettings")
    if not LadderStage.objects.exists():
        for position, name, description, min_score, milestones in STAGES:
            LadderStage.objects.create(
                position=position,
                name=name,
                description=description,
                min_score=min_score,
                milestones=milestones,
            )
    for kind, label, points in WEIGHTS:
        ActivityWeight.objects.get_or_create(kind=kind, defaults={"label": label, "points": points})
    ScoringSettings.objects.get_or_create(pk=1, defaults={"half_life_days": 90})


class Migration(migrations.Migration):
    dependencies = [("contacts", "0003_ladder_and_reminders")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
