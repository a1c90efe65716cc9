from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="incident",
            name="without_coordinator",
            field=models.BooleanField(db_index=True, default=False, verbose_name="saknar samordnare"),
        ),
    ]
