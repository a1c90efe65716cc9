"""Default retention periods; the administrator changes them to match the city's information
management plan."""

from django.db import migrations

DEFAULTS = {
    "no_further_action": 365,
    "handed_over": 3 * 365,
    "measures_completed": 3 * 365,
    "referred_to_social_services": 3 * 365,
}


def add_defaults(apps, schema_editor):
    RetentionPeriod = apps.get_model("concerns", "RetentionPeriod")
    for outcome, days in DEFAULTS.items():
        RetentionPeriod.objects.get_or_create(outcome=outcome, defaults={"days": days})


class Migration(migrations.Migration):
    dependencies = [("concerns", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
