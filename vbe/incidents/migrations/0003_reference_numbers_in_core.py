"""Incident numbers move to the portal's one counter (vbe.core), carrying over every number used."""

import re

from django.db import migrations

PREFIX = "HÄN"
PATTERN = re.compile(r"HÄN-(\d{4})-(\d+)")


def carry_over(apps, schema_editor):
    ReferenceSequence = apps.get_model("incidents", "ReferenceSequence")
    Incident = apps.get_model("incidents", "Incident")
    ReferenceCounter = apps.get_model("core", "ReferenceCounter")
    highest = {sequence.year: sequence.last_number for sequence in ReferenceSequence.objects.all()}
    # The incidents themselves too: a number stored without the sequence (an import) is never reused.
    for reference in Incident.objects.values_list("reference", flat=True).iterator():
        match = PATTERN.fullmatch(reference)
        if match:
            year, number = int(match[1]), int(match[2])
            highest[year] = max(highest.get(year, 0), number)
    for year, number in highest.items():
        counter, _ = ReferenceCounter.objects.get_or_create(prefix=PREFIX, year=year)
        if counter.last_number < number:
            counter.last_number = number
            counter.save(update_fields=["last_number"])


def carry_back(apps, schema_editor):
    ReferenceSequence = apps.get_model("incidents", "ReferenceSequence")
    ReferenceCounter = apps.get_model("core", "ReferenceCounter")
    for counter in ReferenceCounter.objects.filter(prefix=PREFIX):
        ReferenceSequence.objects.update_or_create(year=counter.year, defaults={"last_number": counter.last_number})


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0002_without_coordinator"),
        ("core", "0001_reference_counter"),
    ]

    operations = [
        migrations.RunPython(carry_over, carry_back),
        migrations.DeleteModel(name="ReferenceSequence"),
    ]
