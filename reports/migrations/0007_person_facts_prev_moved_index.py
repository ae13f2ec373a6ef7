from django.db import migrations

# The people with two ladder moves or more since a period's start are the only ones whose stage
# at the start is looked up in the moves (reports.metrics._fact_start_sql): found through this
# index (a few thousand of a million) rather than by reading every fact row.


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0006_person_districts"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX reports_personfact_prev_moved ON reports_personfact (prev_moved_at);",
            "DROP INDEX IF EXISTS reports_personfact_prev_moved;",
        )
    ]
