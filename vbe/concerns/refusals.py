"""Logging a refused look-up of a concern the same way whether or not the reference exists.

A row written only for existing concerns would make the answer slower exactly when the concern exists,
and so tell an outsider which references are real. The reference goes into the log only when it has
the form of one (ORO-2026-00042): anything else typed into an address could be free text.
"""

from __future__ import annotations

import re

from django.http import HttpRequest

from vbe.audit.log import record
from vbe.concerns import intake
from vbe.concerns.models import Concern

REFERENCE_FORM = re.compile(re.escape(intake.REFERENCE_PREFIX) + r"-[0-9]{4}-[0-9]{5,9}")


def log_refused(request: HttpRequest, reference: str, concern: Concern | None) -> None:
    record(
        action="concern_access_refused",
        actor=request.user,
        object_type="concerns.concern",
        object_id=str(concern.pk) if concern is not None else "",
        subject_ref=reference if REFERENCE_FORM.fullmatch(reference) else "",
        outcome="denied",
        organisation_id=concern.organisation_id if concern is not None else None,
    )
