import django.db.models.deletion
from django.db import migrations, models


def headers_for_saved_reports(apps, schema_editor):
    """Every organisation and year with answers already saved gets its header, at version 1."""
    DutyReport = apps.get_model("plans", "DutyReport")
    SelfReport = apps.get_model("plans", "SelfReport")
    saved = DutyReport.objects.values_list("organisation_id", "year").distinct()
    SelfReport.objects.bulk_create(
        SelfReport(organisation_id=organisation_id, year=year, lock_version=1) for organisation_id, year in saved
    )


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0001_initial"),
        ("plans", "0002_followed_up_years"),
    ]

    operations = [
        migrations.CreateModel(
            name="SelfReport",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("year", models.PositiveSmallIntegerField(verbose_name="år")),
                ("lock_version", models.PositiveIntegerField(default=0)),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="organisations.organisation"
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("organisation", "year"), name="self_report_once_a_year")
                ],
            },
        ),
        migrations.RunPython(headers_for_saved_reports, migrations.RunPython.noop),
    ]
