import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import vbe.core.fields


class Migration(migrations.Migration):
    dependencies = [
        ("concerns", "0003_reported_to_and_without_coordinator"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="disclosure",
            options={"ordering": ["decided_at", "pk"]},
        ),
        migrations.AddField(
            model_name="actiontaken",
            name="made_by",
            field=vbe.core.fields.EncryptedTextField(blank=True, verbose_name="gjord av"),
        ),
        migrations.AddField(
            model_name="concern",
            name="child_report_not_made_reason",
            field=vbe.core.fields.EncryptedTextField(blank=True, verbose_name="varför ingen orosanmälan har gjorts"),
        ),
        migrations.AddField(
            model_name="disclosure",
            name="revocation_reason",
            field=vbe.core.fields.EncryptedTextField(blank=True, verbose_name="skäl till återkallandet"),
        ),
        migrations.AddField(
            model_name="disclosure",
            name="revoked_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="disclosure",
            name="revoked_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="återkallat"),
        ),
        migrations.AlterField(
            model_name="event",
            name="actor",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
    ]
