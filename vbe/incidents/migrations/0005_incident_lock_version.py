"""Handling an incident checks the version the handler saw, as every other write from a page does."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0004_incident_intake"),
    ]

    operations = [
        migrations.AddField(
            model_name="incident",
            name="lock_version",
            field=models.PositiveIntegerField(default=1),
        ),
    ]
