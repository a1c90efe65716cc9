"""Loading the resources other pages link to by name from data/stockholm/resources.json: the city-wide
concern routine (``orosrutin``) and the routine for ongoing lethal violence (``pdv-rutin``).

Like the other loaders it only creates what is missing: a resource is found by its key, which never
changes, so a title or text the central coordinator has edited is never overwritten, and a resource
archived by hand stays archived. The owner is an organisation by slug; focus areas and methods are
linked by number and name in the current guideline (``load_reference_data`` loads the guideline
first). Each new resource gets its version 1, written by nobody (the portal's reference data).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from vbe.guidelines.models import FocusArea, Method
from vbe.knowledge import search
from vbe.knowledge.models import Resource
from vbe.knowledge.resources import record_version
from vbe.knowledge.review import next_review
from vbe.organisations.models import Organisation

RESOURCES_FILE = Path(settings.BASE_DIR) / "data" / "stockholm" / "resources.json"
NOTE = "Inläst från stadens referensdata"


def _methods(pairs: list[list]) -> list[Method]:
    if not pairs:
        return []
    wanted = Q()
    for number, name in pairs:
        wanted |= Q(focus_area__number=number, name=name)
    return list(Method.objects.filter(wanted, focus_area__intervention_area__guideline__is_current=True))


def _create(entry: dict, owner: Organisation) -> bool:
    now = timezone.now()
    resource = Resource(
        key=entry["key"],
        kind=entry["kind"],
        title=entry["title"],
        summary=entry.get("summary", ""),
        body=entry.get("body", ""),
        url=entry.get("url", ""),
        owner=owner,
        review_interval_months=entry.get("review_interval_months", 12),
        next_review_on=next_review(timezone.localdate(), entry.get("review_interval_months", 12)),
        created_at=now,
        updated_at=now,
        version=1,
    )
    try:
        with transaction.atomic():  # a savepoint: a loader run at the same moment made it first
            resource.save()
    except IntegrityError:
        return False
    resource.focus_areas.set(
        FocusArea.objects.filter(number__in=entry.get("focus_areas", []), intervention_area__guideline__is_current=True)
    )
    resource.methods.set(_methods(entry.get("methods", [])))
    record_version(resource, changed_by=None, note=NOTE)
    search.reindex(resource)
    return True


@transaction.atomic
def load_resources() -> dict[str, int]:
    data = json.loads(RESOURCES_FILE.read_text(encoding="utf-8"))
    count = 0
    for entry in data["resources"]:
        if Resource.objects.filter(key=entry["key"]).exists():
            continue
        owner = Organisation.objects.filter(slug=entry["owner"]).first()
        if owner is None:  # the organisations are loaded first; without its owner a resource waits
            continue
        count += _create(entry, owner)
    return {"resources": count}
