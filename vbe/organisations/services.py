"""Changes to the organisation tree that span several rows."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from vbe.accounts.models import Membership, Role
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


def check_merge(*, sources: list[District], target: District) -> tuple[list[District], Organisation | None]:
    """The districts that would be merged into ``target`` (``target`` itself left out) and the council
    their councils' units and incidents would move to. Raises ValidationError when the merge cannot be
    done. Asked when a merge is proposed and again when it is applied."""
    sources = [d for d in sources if d.pk != target.pk]
    if not sources:
        raise ValidationError("Välj minst ett område att slå ihop med målområdet.")
    target_council = Organisation.objects.filter(district=target).first()
    if target_council is None and Organisation.objects.filter(district__in=sources).exists():
        raise ValidationError(f"{target.name} har ingen stadsdelsnämnd som verksamheterna kan flyttas till.")
    return sources, target_council


def merge_effect(*, sources: list[District], target: District) -> dict[str, Any]:
    """What a merge would move, for the person who decides on it: the number of incidents that would
    go to the target council, and who coordinates there now (the people who would read them)."""
    from vbe.incidents.models import Incident

    target_council = Organisation.objects.filter(district=target).first()
    old_councils = Organisation.objects.filter(district__in=[d for d in sources if d.pk != target.pk])
    coordinators = (
        Membership.objects.filter(organisation=target_council, role=Role.COORDINATOR, user__is_active=True)
        .select_related("user")
        .order_by("user__full_name")
        if target_council is not None
        else Membership.objects.none()
    )
    return {
        "incidents": Incident.objects.filter(organisation__in=old_councils).count(),
        "target_council": target_council,
        "coordinators": [m.user for m in coordinators],
    }


@transaction.atomic
def merge_districts(*, sources: list[District], target: District, request: Any = None) -> None:
    """Merge ``sources`` into ``target``, as when Rinkeby-Kista and Spånga-Tensta became Järva.

    Their neighbourhoods and geometry move to the target; the units of their district councils move
    to the target's council, and so do the incidents routed to those councils (personal data changes
    hands); the old districts and councils stay, inactive, so history keeps its names.

    Applied only when a second person approves a proposal (vbe.accounts.four_eyes, kind
    ``merge_districts``): one administrator alone could otherwise move an organisation's incidents to a
    council they coordinate.
    """
    target = District.objects.select_for_update().get(pk=target.pk)
    sources, target_council = check_merge(sources=sources, target=target)
    source_ids = [d.pk for d in sources]
    old_councils = list(Organisation.objects.filter(district_id__in=source_ids))

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
