from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from vbe.audit.models import AccessLogEntry
from vbe.organisations.models import District, Neighbourhood, Organisation, Unit, UnitKind
from vbe.organisations.services import merge_districts


def test_merging_moves_neighbourhoods_and_units_and_keeps_history(db):
    farsta, skarpnack = District.objects.get(name="Farsta"), District.objects.get(name="Skarpnäck")
    old_council = Organisation.objects.get(district=skarpnack)
    unit = Unit.objects.create(organisation=old_council, name="Fältgruppen Skarpnäck test", kind=UnitKind.FIELD_TEAM)
    moved = set(skarpnack.neighbourhoods.values_list("name", flat=True))
    merge_districts(sources=[skarpnack, farsta], target=farsta)
    assert moved <= set(Neighbourhood.objects.filter(district=farsta).values_list("name", flat=True))
    unit.refresh_from_db()
    assert unit.organisation == Organisation.objects.get(district=farsta)
    skarpnack.refresh_from_db()
    old_council.refresh_from_db()
    assert not skarpnack.is_active and not old_council.is_active
    assert District.objects.get(pk=farsta.pk).geometry["type"] == "MultiPolygon"
    assert AccessLogEntry.objects.get(action="districts_merged").detail == "Skarpnäck → Farsta"


def test_merging_a_district_into_itself_is_refused(db):
    farsta = District.objects.get(name="Farsta")
    with pytest.raises(ValidationError, match="minst ett område"):
        merge_districts(sources=[farsta], target=farsta)


def test_admin_merges_through_the_admin_action(cast):
    client = cast.client("admin")
    ids = list(District.objects.filter(name__in=["Bromma", "Kungsholmen"]).values_list("pk", flat=True))
    confirm = client.post("/admin/organisations/district/", {"action": "merge", "_selected_action": ids})
    assert confirm.status_code == 200 and "Slå ihop till" in confirm.content.decode()
    bromma = District.objects.get(name="Bromma")
    client.post(
        "/admin/organisations/district/",
        {"action": "merge", "_selected_action": ids, "confirm": "1", "target": bromma.pk},
    )
    assert not District.objects.get(name="Kungsholmen").is_active
    assert Neighbourhood.objects.get(name="Stora Essingen").district == bromma
