"""Changes to the organisation tree that span several rows.

A district merge changes the tree here, and the domains above it (incidents, concerns) move their own
rows: the tree cannot know them, so it announces the merge (``districts_merged``) inside its
transaction, and asks what each would move before a decision (``merge_preview``). Each domain connects
its receivers in its AppConfig.ready.
"""

from __future__ import annotations

from typing import TypedDict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _

from vbe.audit.log import Actor, record
from vbe.organisations.models import District, Neighbourhood, Organisation, Unit

# Both are sent with sender=District and ``old_council_ids`` (the merged districts' councils). The
# merge also passes ``source_district_ids``, ``target`` (the district), ``target_council`` (None only
# when the old districts had no councils) and ``actor`` (who approved the merge, None for the system
# itself): each domain names them in the trace and the access log of every row it moves. A preview
# receiver returns ``(label, count)``, e.g. ("Händelser som flyttas", 12).
districts_merged = Signal()
merge_preview = Signal()


def _merged_geometry(districts: list[District]) -> dict[str, object] | None:
    polygons: list[object] = []
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
        raise ValidationError(_("Välj minst ett område att slå ihop med målområdet."))
    # A district merged away earlier has an inactive council: what moved there would reach nobody
    # working today (or its former coordinators), so the tree is only ever merged into what is in use.
    gone = [d.name for d in [target, *sources] if not d.is_active]
    if gone:
        raise ValidationError(
            _("%(districts)s är inte längre i bruk och kan inte slås ihop.") % {"districts": ", ".join(gone)}
        )
    target_council = Organisation.objects.filter(district=target).first()
    if target_council is not None and not target_council.is_active:
        raise ValidationError(_("%(council)s är inte längre en aktiv organisation.") % {"council": target_council.name})
    if target_council is None and Organisation.objects.filter(district__in=sources).exists():
        raise ValidationError(
            _("%(district)s har ingen stadsdelsnämnd som verksamheterna kan flyttas till.") % {"district": target.name}
        )
    return sources, target_council


class MergeEffect(TypedDict):
    target_council: Organisation | None
    moves: list[tuple[str, int]]  # (label, count), one per domain that moves rows


def merge_effect(*, sources: list[District], target: District) -> MergeEffect:
    """What a merge would move, for the person who decides on it: the council that would receive the
    old councils' work, and how many rows of each kind would go there (``moves``: label and count)."""
    old_council_ids = list(
        Organisation.objects.filter(district__in=[d for d in sources if d.pk != target.pk]).values_list("pk", flat=True)
    )
    answers = merge_preview.send(sender=District, old_council_ids=old_council_ids)
    return {
        "target_council": Organisation.objects.filter(district=target).first(),
        # django-stubs types a signal's answers as ``str | None``; these receivers answer (label, count).
        "moves": sorted(answer for _receiver, answer in answers),  # type: ignore[misc]
    }


@transaction.atomic
def merge_districts(*, sources: list[District], target: District, actor: Actor | None) -> None:
    """Merge ``sources`` into ``target``, as when Rinkeby-Kista and Spånga-Tensta became Järva.

    Their neighbourhoods and geometry move to the target; the units of their district councils move
    to the target's council, and the domains above move what was routed to those councils (incidents,
    concerns: personal data changes hands) on ``districts_merged``; the old districts and councils stay,
    inactive, so history keeps its names.

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
        Organisation.objects.filter(pk__in=[c.pk for c in old_councils]).update(is_active=False)
    # What was routed to the old councils follows its area, or nobody could handle it.
    districts_merged.send(
        sender=District,
        old_council_ids=[c.pk for c in old_councils],
        source_district_ids=source_ids,
        target=target,
        target_council=target_council,
        actor=actor,
    )
    record(
        action="districts_merged",
        actor=actor,
        obj=target,
        detail=f"{', '.join(d.name for d in sources)} → {target.name}",
    )
