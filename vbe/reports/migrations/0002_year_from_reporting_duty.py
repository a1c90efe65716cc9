"""The years of a status report are its reporting duty's cadence, read as data: the database no longer
insists on odd years."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="statusreport",
            name="status_report_odd_year",
        ),
        migrations.AlterField(
            model_name="statusreport",
            name="year",
            field=models.PositiveSmallIntegerField(
                help_text="Ett år då riktlinjerna kräver en nulägesrapport.", unique=True, verbose_name="år"
            ),
        ),
    ]
