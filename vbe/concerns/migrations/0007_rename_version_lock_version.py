"""The optimistic lock has one name across the portal's models: ``lock_version``."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("concerns", "0006_rewrite_old_event_summaries"),
    ]

    operations = [
        migrations.RenameField(model_name="concern", old_name="version", new_name="lock_version"),
    ]
