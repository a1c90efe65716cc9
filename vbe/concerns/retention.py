"""Gallring: closed concerns past their retention period are pseudonymised, and a protocol is kept.

What stays after a purge is only what statistics need (organisation, district, month, environment,
whether a child was concerned, outcome); names, numbers, contact details, free text and the link to
the reporter are gone, from the concern and from every record tied to it. Running it again for the
same day changes nothing.

``PURGED_FIELDS`` (with ``PURGED_ACTION_RECORDS`` for what other apps hang on a concern's action;
``purged_fields()`` is both) is the one list of what a purge clears. vbe/concerns/tests/test_purge_fields.py
fails when a text field of a concern model is neither on it (and encrypted) nor declared to hold no
personal data, so a new field cannot be forgotten here.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from vbe.audit.log import record
from vbe.concerns.models import (
    ActionTaken,
    Concern,
    Consent,
    Disclosure,
    Event,
    PurgeRecord,
    Referral,
    State,
    Transfer,
)

# Model -> field -> the value it gets. Every text that can hold personal data is here.
PURGED_FIELDS: dict[type, dict[str, object]] = {
    Concern: {
        "observation": "",
        "person_name": "",
        "person_pnr": "",
        "person_pnr_index": "",
        "person_contact": "",
        "assessment": "",
        "assessment_areas": [],
        "closure_reason": "",
        "child_report_not_made_reason": "",
        "legal_hold_reason": "",
        "reporter": None,
        "assigned_to": None,
    },
    Event: {"summary": "", "note": ""},
    ActionTaken: {"note": "", "made_by": ""},
    Consent: {"purpose": "", "given_by": ""},
    Referral: {"note": "", "preconditions": []},
    Transfer: {"legal_ground": ""},
    Disclosure: {"legal_ground": "", "decided_by": "", "revocation_reason": ""},
}


# What other apps keep about a concern's action, reached through ActionTaken's reverse one-to-one
# relation by its accessor (so this app imports nothing above it): vbe.collaboration's ForumRaising,
# the written legal ground of raising the concern in a forum. The row stays, as the action does (its
# forum and kind are statistics); the text goes.
PURGED_ACTION_RECORDS: dict[str, dict[str, object]] = {"forum_raising": {"legal_ground": ""}}


def _action_record(accessor: str):
    """The model behind ``ActionTaken.<accessor>`` and the name of its link to the action."""
    relation = ActionTaken._meta.get_field(accessor)
    return relation.related_model, relation.field.name


def purged_fields() -> dict[type, dict[str, object]]:
    """Every model a purge clears, and what: ``PURGED_FIELDS`` and the action records."""
    fields = dict(PURGED_FIELDS)
    for accessor, values in PURGED_ACTION_RECORDS.items():
        model, _link = _action_record(accessor)
        fields[model] = values
    return fields


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
        for model, values in PURGED_FIELDS.items():
            rows = model.objects.filter(pk__in=ids) if model is Concern else model.objects.filter(concern_id__in=ids)
            rows.update(**values)
        for accessor, values in PURGED_ACTION_RECORDS.items():
            model, link = _action_record(accessor)
            model.objects.filter(**{f"{link}__concern_id__in": ids}).update(**values)
        # The chronology's intake entries were written by the reporter: that link goes with the others.
        for concern in to_purge:
            if concern.reporter_id is not None:
                Event.objects.filter(concern_id=concern.pk, actor_id=concern.reporter_id).update(actor=None)
        Concern.objects.filter(pk__in=ids).update(purged_at=timezone.now())
    protocol = PurgeRecord.objects.create(
        run_for=today,
        dry_run=dry_run,
        purged=len(to_purge),
        held=held,
        references="\n".join(c.reference for c in to_purge),
    )
    record(
        action="concerns_purge_dry_run" if dry_run else "concerns_purged",
        actor=None,  # the scheduled purge
        obj=protocol,
        detail=f"{len(to_purge)} gallrade, {held} bevaras",
    )
    return protocol


def days_left(concern: Concern, today: datetime.date | None = None) -> int | None:
    """Days until the concern is purged, for the handlers' "gallras om N dagar"."""
    if concern.retain_until is None or concern.purged_at is not None or concern.legal_hold:
        return None
    return max(0, (concern.retain_until - (today or timezone.localdate())).days)
