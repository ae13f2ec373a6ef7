"""Eight foreign keys lose their own index: seven are the first column of another index already
(a unique pair, or the reader's composite index), and every insert wrote both; the eighth, the
actor of a person's history line, is never looked up (like ``created_by`` and ``updated_by``).

Only the indexes are dropped: Django's own AlterField would also drop and re-create each foreign
key (validating every row of ten million activities under a lock) and drop the partial unique
indexes ``one_primary_phone`` and ``one_primary_email`` on the same column without re-creating
them."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# (index, table, column), named as Django named them when it created them.
DROPPED = [
    ("contacts_activity_contact_id_a9b88791", "contacts_activity", "contact_id"),
    ("contacts_contact_owner_id_0103c1ee", "contacts_contact", "owner_id"),
    ("contacts_contactevent_contact_id_47562937", "contacts_contactevent", "contact_id"),
    ("contacts_contactevent_actor_id_fdf0a267", "contacts_contactevent", "actor_id"),
    ("contacts_email_contact_id_393152de", "contacts_email", "contact_id"),
    ("contacts_hubmember_contact_id_ff456940", "contacts_hubmember", "contact_id"),
    ("contacts_hubmember_hub_id_797c874d", "contacts_hubmember", "hub_id"),
    ("contacts_phone_contact_id_889b3d80", "contacts_phone", "contact_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0016_drop_unused_contact_search_vector"),
        ("hubs", "0005_hubrole"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="activity",
                    name="contact",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="activities",
                        to="contacts.contact",
                    ),
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="owner",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        help_text="The organizer who owns the relationship.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="owned_contacts",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="organizer",
                    ),
                ),
                migrations.AlterField(
                    model_name="contactevent",
                    name="contact",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="contacts.contact",
                    ),
                ),
                migrations.AlterField(
                    model_name="contactevent",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="email",
                    name="contact",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="emails",
                        to="contacts.contact",
                    ),
                ),
                migrations.AlterField(
                    model_name="hubmember",
                    name="contact",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="hub_memberships",
                        to="contacts.contact",
                    ),
                ),
                migrations.AlterField(
                    model_name="hubmember",
                    name="hub",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="members",
                        to="hubs.hub",
                    ),
                ),
                migrations.AlterField(
                    model_name="phone",
                    name="contact",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="phones",
                        to="contacts.contact",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    [f'DROP INDEX IF EXISTS "{name}"' for name, _table, _column in DROPPED],
                    reverse_sql=[
                        f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")'
                        for name, table, column in DROPPED
                    ],
                )
            ],
        )
    ]
