"""Loading the guideline (areas, methods, duties, reporting cycle) from data/stockholm.

Like the organisation loader it only creates what is missing, so it is safe to run at every start.
Organisation references in the file are slugs, or a group: "@district_council" (every district
council in the tree at load time).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from vbe.guidelines.models import (
    CoordinatorDuty,
    FocusArea,
    Guideline,
    InterventionArea,
    Method,
    ReportingDuty,
)
from vbe.organisations.models import Organisation, OrganisationKind

GUIDELINE_FILE = Path(settings.BASE_DIR) / "data" / "stockholm" / "guideline-2024.json"


def _organisations(refs: list[str]) -> list[Organisation]:
    result: list[Organisation] = []
    for ref in refs:
        if ref == "@district_council":
            result.extend(Organisation.objects.filter(kind=OrganisationKind.DISTRICT_COUNCIL, is_active=True))
        else:
            result.append(Organisation.objects.get(slug=ref))
    return result


@transaction.atomic
def load_guideline() -> dict[str, int]:
    data = json.loads(GUIDELINE_FILE.read_text(encoding="utf-8"))
    g = data["guideline"]
    guideline, created = Guideline.objects.get_or_create(
        name=g["name"], version=g["version"], defaults={"summary": g["summary"], "is_current": g["is_current"]}
    )
    counts = {"guidelines": int(created), "focus_areas": 0, "methods": 0}
    for ia in data["intervention_areas"]:
        area, _ = InterventionArea.objects.get_or_create(
            guideline=guideline, number=ia["number"], defaults={"name": ia["name"], "summary": ia["summary"]}
        )
        for fa in ia["focus_areas"]:
            focus, created = FocusArea.objects.get_or_create(
                intervention_area=area,
                number=fa["number"],
                defaults={"slug": fa["slug"], "name": fa["name"], "summary": fa["summary"]},
            )
            if created:
                focus.responsible.set(_organisations(fa["responsible"]))
                counts["focus_areas"] += 1
            for name in fa["methods"]:
                _, created = Method.objects.get_or_create(focus_area=focus, name=name)
                counts["methods"] += created
    for number, text in enumerate(data["coordinator_duties"], start=1):
        CoordinatorDuty.objects.get_or_create(guideline=guideline, number=number, defaults={"text": text})
    for rd in data["reporting_duties"]:
        duty, created = ReportingDuty.objects.get_or_create(
            guideline=guideline,
            document=rd["document"],
            defaults={
                "cadence": rd["cadence"],
                "due_month": rd["due_month"],
                "due_day": rd["due_day"],
                "description": rd["description"],
            },
        )
        if created:
            duty.organisations.set(_organisations(rd["organisations"]))
    return counts
