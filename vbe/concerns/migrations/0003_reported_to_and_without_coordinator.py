import django.db.models.deletion
from django.db import migrations, models


def fill_reported_to(apps, schema_editor):
    """Existing concerns were reported to the organisation of their first hand-over, or hold it still."""
    Concern = apps.get_model("concerns", "Concern")
    Transfer = apps.get_model("concerns", "Transfer")
    for concern in Concern.objects.filter(reported_to__isnull=True).only("pk", "organisation_id"):
        first = Transfer.objects.filter(concern_id=concern.pk).order_by("at", "pk").first()
        origin = first.from_organisation_id if first else concern.organisation_id
        Concern.objects.filter(pk=concern.pk).update(reported_to_id=origin)


class Migration(migrations.Migration):
    dependencies = [
        ("concerns", "0002_default_retention_periods"),
        ("organisations", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="concern",
            name="reported_to",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organisations.organisation",
                verbose_name="rapporterad till",
            ),
        ),
        migrations.RunPython(fill_reported_to, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="concern",
            name="reported_to",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organisations.organisation",
                verbose_name="rapporterad till",
            ),
        ),
        migrations.AddField(
            model_name="concern",
            name="without_coordinator",
            field=models.BooleanField(db_index=True, default=False, verbose_name="saknar samordnare"),
        ),
    ]
