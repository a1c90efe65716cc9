"""The incident list's order (newest first, the id breaking ties) as indexes: the whole table's, for the
scopes that hold many incidents and for the years shown (MIN/MAX); a unit's, for a unit manager; and the
open incidents' only, for the central coordinators' section of incidents waiting for a new coordinator."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0005_incident_lock_version"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(fields=["created_at", "id"], name="incident_newest_first"),
        ),
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(fields=["unit", "created_at", "id"], name="incident_unit_newest_first"),
        ),
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(
                fields=["created_at", "id"], condition=~models.Q(status="closed"), name="incident_open_by_age"
            ),
        ),
    ]
