"""Loading the guideline's staff groups and named trainings from data/stockholm/training.json.

Like the other loaders it only creates what is missing and never touches a row that exists, so the
central coordinator's edits survive every start: a staff group is found by its slug (a renamed group
keeps it), a course by its key in the file (kept on the row, so a renamed course is not made again),
else by its code when the file gives one, else by its title (case-insensitive, as the catalogue keeps
titles unique: a course of that name added by hand is not duplicated). Focus areas are linked by number in the current guideline, when the
guideline has been loaded (``load_reference_data`` loads it first).

In the file, ``target_groups`` and ``required_for`` are lists of slugs, or "@all" (every group in the
file) or "@guideline" (the groups the guideline names, i.e. all but the catch-all "Övriga").
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from vbe.competence.catalogue import title_taken
from vbe.competence.models import Course, StaffGroup
from vbe.guidelines.models import FocusArea

TRAINING_FILE = Path(settings.BASE_DIR) / "data" / "stockholm" / "training.json"


def _group_slugs(ref: str | list[str], data: dict) -> list[str]:
    if ref == "@all":
        return [g["slug"] for g in data["staff_groups"]]
    if ref == "@guideline":
        return list(data["guideline_groups"])
    return list(ref)


def _existing_course(entry: dict) -> bool:
    """Found by its key; or by code or title (compared case-folded, as ``title_taken`` does), then
    given the key (a catalogue loaded before the key existed), which changes nothing anyone sees."""
    if Course.objects.filter(reference_key=entry["key"]).exists():
        return True
    code, title = entry.get("code", "").casefold(), entry["title"].casefold()
    for pk, its_code, its_title, its_key in Course.objects.values_list("pk", "code", "title", "reference_key"):
        if (code and its_code.casefold() == code) or its_title.casefold() == title:
            if not its_key:
                Course.objects.filter(pk=pk).update(reference_key=entry["key"])
            return True
    return False


@transaction.atomic
def load_training() -> dict[str, int]:
    data = json.loads(TRAINING_FILE.read_text(encoding="utf-8"))
    counts = {"staff_groups": 0, "courses": 0}
    for position, entry in enumerate(data["staff_groups"], start=1):
        if StaffGroup.objects.filter(slug=entry["slug"]).exists():
            continue
        # A group renamed to this name by hand keeps its own slug; a second row may not take the name.
        if title_taken(StaffGroup.objects.all(), "name", entry["name"]):
            continue
        StaffGroup.objects.create(
            slug=entry["slug"], name=entry["name"], description=entry["description"], position=position * 10
        )
        counts["staff_groups"] += 1
    groups = {g.slug: g for g in StaffGroup.objects.all()}
    for entry in data["courses"]:
        if _existing_course(entry):
            continue
        course = Course.objects.create(
            reference_key=entry["key"],
            title=entry["title"],
            code=entry.get("code", ""),
            provider=entry["provider"],
            level=entry["level"],
            format=entry["format"],
            length_minutes=entry.get("length_minutes"),
            validity_years=entry.get("validity_years"),
            description=entry["description"],
            url=entry.get("url", ""),
        )
        course.target_groups.set([groups[s] for s in _group_slugs(entry["target_groups"], data) if s in groups])
        course.required_for.set([groups[s] for s in _group_slugs(entry["required_for"], data) if s in groups])
        course.focus_areas.set(
            FocusArea.objects.filter(
                number__in=entry.get("focus_areas", []), intervention_area__guideline__is_current=True
            )
        )
        counts["courses"] += 1
    return counts
