"""Concerns are counted by the environment the handler assessed, no longer the one the reporter guessed:
concerns 0009 reset every concern's environment to "not assessed", so the summary tables count again."""

from django.db import migrations


def count_again(apps, schema_editor):
    from vbe.statistics import summary

    summary.rebuild(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("statistics", "0002_count_existing_records"),
        ("concerns", "0009_referrals_redex_and_assessed_environment"),
    ]

    operations = [migrations.RunPython(count_again, migrations.RunPython.noop)]
