"""Gallring: closed concerns past their retention period are pseudonymised, and a protocol is kept.

What stays after a purge is only what statistics need (organisation, district, month, environment,
whether a child was concerned, outcome); names, numbers, contact details, free text and the link to
the reporter are gone. Running it again for the same day changes nothing.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from vbe.audit.log import record
from vbe.concerns.models import ActionTaken, Concern, Consent, Event, PurgeRecord, State


def due_for_purge(today: datetime.date):
    return Concern.objects.filter(state=State.CLOSED, retain_until__lte=today, purged_at=None)


@transaction.atomic
def purge_expired(*, today: datetime.date | None = None, dry_run: bool = False) -> PurgeRecord:
    today = today or timezone.localdate()
    due = due_for_purge(today)
    held = due.filter(legal_hold=True).count()
    to_purge = list(due.filter(legal_hold=False).select_for_update().order_by("reference"))
    if not dry_run:
        ids = [c.pk for c in to_purge]
        Event.objects.filter(concern_id__in=ids).update(note="")
        ActionTaken.objects.filter(concern_id__in=ids).update(note="")
        Consent.objects.filter(concern_id__in=ids).update(given_by="")
        Concern.objects.filter(pk__in=ids).update(
            observation="",
            person_name="",
            person_pnr="",
            person_pnr_index="",
            person_contact="",
            assessment="",
            closure_reason="",
            assessment_areas=[],
            reporter=None,
            assigned_to=None,
            purged_at=timezone.now(),
        )
    protocol = PurgeRecord.objects.create(
        run_for=today,
        dry_run=dry_run,
        purged=len(to_purge),
        held=held,
        references="\n".join(c.reference for c in to_purge),
    )
    record(
        action="concerns_purge_dry_run" if dry_run else "concerns_purged",
        obj=protocol,
        detail=f"{len(to_purge)} gallrade, {held} bevaras",
    )
    return protocol


def days_left(concern: Concern, today: datetime.date | None = None) -> int | None:
    """Days until the concern is purged, for the handlers' "gallras om N dagar"."""
    if concern.retain_until is None or concern.purged_at is not None or concern.legal_hold:
        return None
    return max(0, (concern.retain_until - (today or timezone.localdate())).days)
