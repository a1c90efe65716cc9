"""The summary tables start out holding every record already there (vbe.statistics.summary.rebuild)."""

from django.db import migrations


def count_existing(apps, schema_editor):
    from vbe.statistics import summary

    summary.rebuild(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("statistics", "0001_summary_tables"),
        ("incidents", "0005_incident_lock_version"),
        ("concerns", "0007_rename_version_lock_version"),
    ]

    operations = [migrations.RunPython(count_existing, migrations.RunPython.noop)]
