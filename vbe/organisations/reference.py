"""Loading Stockholm's organisations and geography from data/stockholm (see data/SOURCES.md).

Creates what is missing and leaves what exists alone, so running it twice changes nothing and an
administrator's edits (renamed boards, merged districts) are never overwritten.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from vbe.organisations.models import District, Neighbourhood, Organisation, Partner

DATA_DIR = Path(settings.BASE_DIR) / "data" / "stockholm"


def _read_json(name: str) -> dict:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


@transaction.atomic
def load_geography() -> dict[str, int]:
    created = {"districts": 0, "neighbourhoods": 0}
    district_geo = {
        str(f["properties"]["omradeskod"]): (f["properties"]["namn"], f["geometry"])
        for f in _read_json("stockholm-stadsdelsomraden.geojson")["features"]
    }
    for code, (name, geometry) in sorted(district_geo.items()):
        _, was_created = District.objects.get_or_create(code=code, defaults={"name": name, "geometry": geometry})
        created["districts"] += was_created

    neighbourhood_geo = {
        f["properties"]["name"]: f["geometry"]
        for f in _read_json("stockholm-stadsdelar-utan-vatten-simplified.geojson")["features"]
    }
    districts = {d.code: d for d in District.objects.all()}
    with (DATA_DIR / "stockholm-stadsdel-till-stadsdelsomrade.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            _, was_created = Neighbourhood.objects.get_or_create(
                name=row["stadsdel"],
                defaults={
                    "district": districts[row["omradeskod"]],
                    "geometry": neighbourhood_geo.get(row["stadsdel"].upper()),
                },
            )
            created["neighbourhoods"] += was_created
    return created


@transaction.atomic
def load_organisations() -> dict[str, int]:
    data = _read_json("organisations.json")
    created = {"organisations": 0, "partners": 0}
    districts = {d.code: d for d in District.objects.all()}
    for item in data["organisations"]:  # parents come before their children in the file
        parent = Organisation.objects.get(slug=item["parent"]) if item.get("parent") else None
        _, was_created = Organisation.objects.get_or_create(
            slug=item["slug"],
            defaults={
                "name": item["name"],
                "short_name": item.get("short_name", ""),
                "kind": item["kind"],
                "parent": parent,
                "requires_coordinator": item.get("requires_coordinator", False),
                "mission": item.get("mission", ""),
                "social_services_contact": item.get("social_services_contact", ""),
                "district": districts.get(item.get("district", "")),
            },
        )
        created["organisations"] += was_created
    for item in data["partners"]:
        parent = Partner.objects.get(name=item["parent"]) if item.get("parent") else None
        _, was_created = Partner.objects.get_or_create(
            name=item["name"],
            defaults={"kind": item["kind"], "parent": parent, "description": item.get("description", "")},
        )
        created["partners"] += was_created
    return created
