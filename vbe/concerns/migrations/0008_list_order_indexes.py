"""The case list's order (newest first, the id breaking ties) as an index, read backwards a page at a
time; and the open concerns' only, for the central coordinators' section of concerns waiting for a new
coordinator."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("concerns", "0007_rename_version_lock_version"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="concern",
            index=models.Index(fields=["created_at", "id"], name="concern_newest_first"),
        ),
        migrations.AddIndex(
            model_name="concern",
            index=models.Index(
                fields=["created_at", "id"], condition=~models.Q(state="closed"), name="concern_open_by_age"
            ),
        ),
    ]
