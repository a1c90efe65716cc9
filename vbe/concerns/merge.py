"""Concerns follow a district merge (vbe.organisations.services.merge_districts): the target council
takes over the old councils' work, so what they held or were shown goes there."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils.translation import gettext as _

from vbe.concerns.models import Concern, Disclosure
from vbe.organisations.services import districts_merged, merge_preview


@receiver(districts_merged)
def follow_merged_districts(
    *, old_council_ids: list[int], source_district_ids: list[int], target: Any, target_council: Any, **_signal: Any
) -> None:
    Concern.objects.filter(organisation_id__in=old_council_ids).update(organisation=target_council)
    Disclosure.objects.filter(to_organisation_id__in=old_council_ids).update(to_organisation=target_council)
    # Where it was observed keeps counting in the area's statistics under the district that now holds it.
    Concern.objects.filter(district_id__in=source_district_ids).update(district=target)


@receiver(merge_preview)
def concerns_to_move(*, old_council_ids: list[int], **_signal: Any) -> tuple[str, int]:
    return (_("Ärenden om oro som flyttas"), Concern.objects.filter(organisation_id__in=old_council_ids).count())
