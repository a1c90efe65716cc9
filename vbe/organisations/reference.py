"""Loading Stockholm's organisations and geography from data/stockholm (see data/SOURCES.md).

Creates what is missing and leaves what exists alone, so running it twice changes nothing and an
administrator's edits (renamed boards, merged districts, a reception's new phone number) are never
overwritten.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from vbe.organisations.models import (
    CITY_WIDE_PURPOSES,
    ContactRoute,
    District,
    Neighbourhood,
    Organisation,
    Partner,
)

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
    # Here rather than in the command: the contacts describe the organisations and partners just loaded.
    contacts = load_contacts()
    created["partners"] += contacts.pop("partners")
    return {**created, **contacts}


ROUTE_DETAILS = ("name", "description", "phone", "email", "url", "opening_hours")
PARTNER_DETAILS = ("description", "role", "when_to_contact", "phone", "email", "website")


def _fill_blanks(obj: Partner, item: dict, fields: tuple[str, ...]) -> None:
    """Sets the fields that are empty in the database and given in the file, on a partner the file has
    never described (see load_contacts)."""
    blank = [f for f in fields if not getattr(obj, f) and item.get(f)]
    for f in blank:
        setattr(obj, f, item[f])
    if blank:
        obj.save(update_fields=blank)


def _route_key(organisation: Organisation, purpose: str) -> dict[str, object]:
    # The city has one central office and one socialjour wherever an administrator has moved them:
    # found by purpose alone, so a move is not undone by a second route at the file's organisation.
    if purpose in CITY_WIDE_PURPOSES:
        return {"purpose": purpose}
    return {"organisation": organisation, "purpose": purpose}


@transaction.atomic
def load_contacts() -> dict[str, int]:
    """The contact routes of organisations (receptions for orosanmälan, the central office, the
    socialjour) and what partners do in this work, from contacts.json. Creates what is missing, with
    the file's details; a route or partner that exists is left as it is, with one exception: a partner
    from before the portal kept contact details (neither its role nor when to contact it set) gets the
    file's details once. So a field an administrator emptied stays empty; a route is never deleted (the
    admin site does not offer it), only emptied. An organisation the file names but the database no
    longer has (renamed slug, merged district) is skipped: the administrator's tree wins.

    get_or_create throughout: two loads at once meet at a unique constraint, and the second reads the
    first's row instead of failing."""
    data = _read_json("contacts.json")
    created = {"contact_routes": 0, "partners": 0}
    slugs = {r["organisation"] for r in data["contact_routes"]}
    organisations = {o.slug: o for o in Organisation.objects.filter(slug__in=slugs)}
    for item in data["contact_routes"]:
        organisation = organisations.get(item["organisation"])
        if organisation is None:
            continue
        route, was_created = ContactRoute.objects.get_or_create(
            **_route_key(organisation, item["purpose"]),
            defaults={"organisation": organisation, "purpose": item["purpose"]}
            | {f: item.get(f, "") for f in ROUTE_DETAILS},
        )
        created["contact_routes"] += was_created
    for item in data["partners"]:
        partner = Partner.objects.filter(name=item["name"]).first()
        if partner is None and "kind" not in item:  # details for a partner an administrator renamed or removed
            continue
        if partner is None:
            parent = Partner.objects.filter(name=item["parent"]).first() if item.get("parent") else None
            partner, was_created = Partner.objects.get_or_create(
                name=item["name"],
                defaults={"kind": item["kind"], "parent": parent} | {f: item.get(f, "") for f in PARTNER_DETAILS},
            )
            created["partners"] += was_created
            if was_created:
                continue
        if not (partner.role or partner.when_to_contact):
            _fill_blanks(partner, item, PARTNER_DETAILS)
    return created
