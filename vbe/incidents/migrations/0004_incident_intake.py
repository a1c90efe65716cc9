"""The receipt shows what the reporter was told at intake (``IncidentIntake``), never the incident's
current organisation. Every incident already stored gets its record here."""

import django.db.models.deletion
from django.db import migrations, models

NOBODY = "ingen aktiv central samordnare finns"


def back_fill(apps, schema_editor):
    """``reported_to``: the organisation the incident was first sent to (the first re-routing in the log
    names it; without one, its organisation now). ``route`` only where it is known: from the access
    log's routing row, or from a routing message in the outbox; otherwise blank, and the receipt makes
    no claim about who was told."""
    Incident = apps.get_model("incidents", "Incident")
    IncidentIntake = apps.get_model("incidents", "IncidentIntake")
    Organisation = apps.get_model("organisations", "Organisation")
    AccessLogEntry = apps.get_model("audit", "AccessLogEntry")
    Notification = apps.get_model("notifications", "Notification")
    log = AccessLogEntry.objects.filter(object_type="incidents.incident").order_by("pk")
    rows = []
    for incident in Incident.objects.filter(intake__isnull=True).order_by("pk").iterator():
        reported_to_id = incident.organisation_id
        first_move = log.filter(action="incident_rerouted", object_id=str(incident.pk)).first()
        if first_move is not None:
            # "HÄN-… från <name> till <name>" (organisation names are unique).
            before = first_move.detail.removeprefix(f"{incident.reference} från ").rsplit(" till ", 1)[0]
            reported_to_id = Organisation.objects.filter(name=before).values_list("pk", flat=True).first() or (
                reported_to_id
            )
        routed = log.filter(
            action="incident_routed_to_central",
            object_id=str(incident.pk),
            detail__startswith=f"{incident.reference} inrapporterad",
        ).first()
        if routed is not None:
            route = "nobody" if routed.detail.endswith(NOBODY) else "central"
        elif Notification.objects.filter(reference=incident.reference, kind="incident_routed").exists():
            route = "coordinator"
        else:
            route = ""
        rows.append(IncidentIntake(incident_id=incident.pk, reported_to_id=reported_to_id, route=route))
    IncidentIntake.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0003_reference_numbers_in_core"),
        ("organisations", "0001_initial"),
        ("audit", "0001_initial"),
        ("notifications", "0001_outbox"),
    ]

    operations = [
        migrations.CreateModel(
            name="IncidentIntake",
            fields=[
                (
                    "incident",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="intake",
                        serialize=False,
                        to="incidents.incident",
                        verbose_name="händelse",
                    ),
                ),
                (
                    "route",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("coordinator", "Stadsdelsnämndens lokala samordnare"),
                            ("central", "Den centrala samordnaren (ingen lokal samordnare)"),
                            ("nobody", "Ingen (varken lokal eller central samordnare)"),
                        ],
                        max_length=16,
                        verbose_name="mottagen av",
                    ),
                ),
                (
                    "reported_to",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="organisations.organisation",
                        verbose_name="rapporterad till",
                    ),
                ),
            ],
            options={
                "verbose_name": "mottagning",
                "verbose_name_plural": "mottagningar",
            },
        ),
        migrations.RunPython(back_fill, migrations.RunPython.noop),
    ]
