"""Loading the democracy condition's criteria and the city's collaboration forums from
data/stockholm/collaboration.json.

Like the other loaders it only creates what is missing, so what the central coordinator has edited is
never overwritten: the criteria are created only while there are none at all (a retired criterion stays
retired), and a forum is found by its name. A forum's members are organisations by slug and partners by
name; its focus areas are numbers in the current guideline (``load_reference_data`` loads the
organisations and the guideline first).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from vbe.collaboration.models import Criterion, Forum
from vbe.guidelines.models import FocusArea
from vbe.organisations.models import District, Organisation, Partner

COLLABORATION_FILE = Path(settings.BASE_DIR) / "data" / "stockholm" / "collaboration.json"


@transaction.atomic
def load_collaboration() -> dict[str, int]:
    data = json.loads(COLLABORATION_FILE.read_text(encoding="utf-8"))
    criteria = 0
    if not Criterion.objects.exists():
        Criterion.objects.bulk_create(
            Criterion(number=item["number"], text=item["text"], guidance=item.get("guidance", ""))
            for item in data["criteria"]
        )
        criteria = len(data["criteria"])
    existing = set(Forum.objects.values_list("name", flat=True))
    districts = {d.code: d for d in District.objects.all()}
    organisations = {o.slug: o for o in Organisation.objects.all()}
    partners = {p.name: p for p in Partner.objects.all()}
    focus_areas = {
        area.number: area for area in FocusArea.objects.filter(intervention_area__guideline__is_current=True)
    }
    forums = 0
    for item in data["forums"]:
        if item["name"] in existing:
            continue
        forum = Forum.objects.create(
            name=item["name"],
            kind=item["kind"],
            district=districts.get(item["district"] or ""),
            description=item.get("description", ""),
        )
        forum.member_organisations.set([organisations[s] for s in item["organisations"] if s in organisations])
        forum.member_partners.set([partners[n] for n in item["partners"] if n in partners])
        forum.focus_areas.set([focus_areas[n] for n in item["focus_areas"] if n in focus_areas])
        forums += 1
    return {"democracy_criteria": criteria, "forums": forums}
