"""A final status report keeps the document that was decided (vbe.reports.frozen).

No data migration fills it for reports finalised before: the compiler reads the current models, not
this migration's historical ones, so a final report without a copy gets one on its first read
(vbe.reports.services.frozen_document, under the report's row lock)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_year_from_reporting_duty"),
    ]

    operations = [
        migrations.AddField(
            model_name="statusreport",
            name="frozen_document",
            field=models.JSONField(blank=True, editable=False, null=True, verbose_name="färdigställd rapport"),
        ),
    ]
