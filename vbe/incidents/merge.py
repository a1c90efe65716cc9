"""Incidents follow a district merge (vbe.organisations.services.merge_districts).

Every incident the merge changes gets what a re-routing gets (vbe.incidents.services.reroute_incident):
a step in its handling history naming who approved the merge, a new version (a page opened before the
merge is refused), and a row in the access log."""

from __future__ import annotations

from django.db.models import F, Q
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from vbe.accounts.models import User
from vbe.audit.log import record
from vbe.incidents.models import Incident, StatusChange
from vbe.incidents.signals import counted_rows_changed
from vbe.organisations.models import District, Organisation
from vbe.organisations.services import districts_merged, merge_preview


def _describe(
    incident: Incident,
    *,
    old_council_ids: list[int],
    source_district_ids: list[int],
    target: District,
    target_council: Organisation | None,
) -> tuple[str, str]:
    """The history's comment and the log's detail for one incident."""
    comment, detail = [], [incident.reference]
    if target_council is not None and incident.organisation_id in old_council_ids:
        before = incident.organisation.name
        comment.append(
            _("Flyttad från %(before)s till %(after)s när stadsdelsområdena slogs ihop.")
            % {"before": before, "after": target_council.name}
        )
        detail.append(f"från {before} till {target_council.name}")
    if incident.district_id in source_district_ids:
        comment.append(
            _("Stadsdelsområdet ändrat från %(before)s till %(after)s.")
            % {"before": incident.district.name, "after": target.name}
        )
        detail.append(f"område {incident.district.name} → {target.name}")
    return " ".join(comment), "; ".join(detail)


@receiver(districts_merged)
def follow_merged_districts(
    *,
    old_council_ids: list[int],
    source_district_ids: list[int],
    target: District,
    target_council: Organisation | None,
    actor: User | None = None,
    **_signal: object,
) -> None:
    """Incidents routed to the old councils go to the target council, or nobody could handle them; those
    that happened in the old districts count under the target district. Each separately: an incident
    that happened elsewhere and was re-routed to an old council keeps the district where it happened."""
    incidents = list(
        Incident.objects.select_for_update(of=("self",))
        .filter(Q(organisation_id__in=old_council_ids) | Q(district_id__in=source_district_ids))
        .select_related("organisation", "district")
        .order_by("pk")
    )
    if not incidents:
        return
    moves = [
        (
            incident,
            *_describe(
                incident,
                old_council_ids=old_council_ids,
                source_district_ids=source_district_ids,
                target=target,
                target_council=target_council,
            ),
        )
        for incident in incidents
    ]
    ids = [incident.pk for incident in incidents]
    Incident.objects.filter(pk__in=ids, organisation_id__in=old_council_ids).update(organisation=target_council)
    Incident.objects.filter(pk__in=ids, district_id__in=source_district_ids).update(district=target)
    Incident.objects.filter(pk__in=ids).update(lock_version=F("lock_version") + 1, updated_at=timezone.now())
    # The updates send no post_save: the statistics count these again (before the log rows below, so the
    # statistics' lock is taken before the log's, as on every other write).
    counted_rows_changed.send(sender=Incident, ids=ids)
    StatusChange.objects.bulk_create(
        StatusChange(
            incident=incident,
            from_status=incident.status,
            to_status=incident.status,
            comment=comment,
            changed_by=actor,
        )
        for incident, comment, _detail in moves
    )
    for incident, _comment, detail in moves:
        if target_council is not None and incident.organisation_id in old_council_ids:
            incident.organisation = target_council  # the log row is in the scope of the council holding it now
        record(action="incident_moved_by_merge", actor=actor, obj=incident, detail=detail)


@receiver(merge_preview)
def incidents_to_move(*, old_council_ids: list[int], **_signal: object) -> tuple[str, int]:
    return (_("Händelser som flyttas"), Incident.objects.filter(organisation_id__in=old_council_ids).count())
