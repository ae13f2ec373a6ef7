# HubMembership (a user's role in a hub) becomes HubRole, so it no longer reads like HubMember
# (a person in a hub); the related names follow: user.hub_roles, hub.roles.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hubs", "0004_workplace_headcounts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="hubmembership", name="hub_membership_unique_user"),
        migrations.RenameModel(old_name="HubMembership", new_name="HubRole"),
        migrations.AlterModelOptions(
            name="hubrole",
            options={"verbose_name": "hub role", "verbose_name_plural": "hub roles"},
        ),
        migrations.AlterField(
            model_name="hubrole",
            name="hub",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="roles", to="hubs.hub"
            ),
        ),
        migrations.AlterField(
            model_name="hubrole",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="hub_roles",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="hubrole",
            constraint=models.UniqueConstraint(fields=("hub", "user"), name="hub_role_unique_user"),
        ),
    ]
