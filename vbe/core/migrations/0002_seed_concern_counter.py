"""Concern references used to be MAX()+1: the counter starts after the highest number of each year."""

import re

from django.db import migrations

PATTERN = re.compile(r"ORO-(\d{4})-(\d+)")


def seed(apps, schema_editor):
    Concern = apps.get_model("concerns", "Concern")
    ReferenceCounter = apps.get_model("core", "ReferenceCounter")
    highest: dict[int, int] = {}
    for reference in Concern.objects.values_list("reference", flat=True).iterator():
        match = PATTERN.fullmatch(reference)
        if match:
            year, number = int(match[1]), int(match[2])
            highest[year] = max(highest.get(year, 0), number)
    for year, number in highest.items():
        counter, _ = ReferenceCounter.objects.get_or_create(prefix="ORO", year=year)
        if counter.last_number < number:
            counter.last_number = number
            counter.save(update_fields=["last_number"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_reference_counter"),
        ("concerns", "0003_reported_to_and_without_coordinator"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
