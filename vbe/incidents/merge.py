"""Incidents follow a district merge (vbe.organisations.services.merge_districts)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils.translation import gettext as _

from vbe.incidents.models import Incident
from vbe.organisations.services import districts_merged, merge_preview


@receiver(districts_merged)
def follow_merged_districts(*, old_council_ids: list[int], target: Any, target_council: Any, **_signal: Any) -> None:
    """Incidents routed to the old councils go to the target council and district, or nobody could
    handle them."""
    Incident.objects.filter(organisation_id__in=old_council_ids).update(organisation=target_council, district=target)


@receiver(merge_preview)
def incidents_to_move(*, old_council_ids: list[int], **_signal: Any) -> tuple[str, int]:
    return (_("Händelser som flyttas"), Incident.objects.filter(organisation_id__in=old_council_ids).count())
