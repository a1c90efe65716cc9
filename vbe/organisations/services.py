"""Changes to the organisation tree that span several rows."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from vbe.audit.log import record
from vbe.organisations.models import District, Neighbourhood, Organisation, Unit


def _merged_geometry(districts: list[District]) -> dict | None:
    polygons: list = []
    for district in districts:
        geometry = district.geometry or {}
        if geometry.get("type") == "Polygon":
            polygons.append(geometry["coordinates"])
        elif geometry.get("type") == "MultiPolygon":
            polygons.extend(geometry["coordinates"])
    return {"type": "MultiPolygon", "coordinates": polygons} if polygons else None


@transaction.atomic
def merge_districts(*, sources: list[District], target: District, request: Any = None) -> None:
    """Merge ``sources`` into ``target``, as when Rinkeby-Kista and Spånga-Tensta became Järva.

    Their neighbourhoods and geometry move to the target; the units of their district councils move
    to the target's council; the old districts and councils stay, inactive, so history keeps its names.
    """
    sources = [d for d in sources if d.pk != target.pk]
    if not sources:
        raise ValidationError("Välj minst ett område att slå ihop med målområdet.")
    target = District.objects.select_for_update().get(pk=target.pk)
    target_council = Organisation.objects.filter(district=target).first()
    source_ids = [d.pk for d in sources]
    old_councils = list(Organisation.objects.filter(district_id__in=source_ids))
    if old_councils and target_council is None:
        raise ValidationError(f"{target.name} har ingen stadsdelsnämnd som verksamheterna kan flyttas till.")

    Neighbourhood.objects.filter(district_id__in=source_ids).update(district=target)
    target.geometry = _merged_geometry([target, *sources])
    target.is_active = True
    target.save(update_fields=["geometry", "is_active"])
    District.objects.filter(pk__in=source_ids).update(is_active=False)
    if old_councils:
        Unit.objects.filter(organisation__in=old_councils).update(organisation=target_council)
        # Incidents routed to the old councils follow their area, or nobody could handle them.
        from vbe.incidents.models import Incident

        Incident.objects.filter(organisation__in=old_councils).update(organisation=target_council, district=target)
        Organisation.objects.filter(pk__in=[c.pk for c in old_councils]).update(is_active=False)
    record(
        action="districts_merged",
        request=request,
        obj=target,
        detail=f"{', '.join(d.name for d in sources)} → {target.name}",
    )
