from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built without locking the people table against writes (a minute on a million people).
    atomic = False

    dependencies = [
        ("contacts", "0014_activity_time_contact_index"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="contact",
            index=models.Index(
                fields=["id"],
                include=("membership_status", "created_at", "last_contacted_at"),
                name="contact_report_cover",
            ),
        ),
    ]
