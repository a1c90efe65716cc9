"""Shared by the raising tests: a Järva concern (the cast's caseworker assigned), its consents, and the
forums of the reference data it can and cannot be raised in."""

from __future__ import annotations

import datetime

from django.utils import timezone

from vbe.collaboration.models import Forum
from vbe.concerns import sharing
from vbe.concerns.models import Concern, Consent
from vbe.concerns.tests.conftest import submit_test_concern

# Relative to today: a raising or a consent is never in the future, nor years before the concern came in.
RAISED_ON = timezone.localdate() - datetime.timedelta(days=5)
GIVEN_ON = RAISED_ON - datetime.timedelta(days=10)
LEGAL_GROUND = "Offentlighets- och sekretesslagen 10 kap. 2 §"


def version(concern: Concern) -> int:
    return Concern.objects.get(pk=concern.pk).lock_version


def jarva_concern(cast, key: str = "lyft") -> Concern:
    concern = submit_test_concern(cast, key)
    Concern.objects.filter(pk=concern.pk).update(assigned_to=cast["caseworker"])
    return Concern.objects.get(pk=concern.pk)


def consent(cast, concern: Concern, *, given_on: datetime.date = GIVEN_ON, purpose: str = "SSPF Järva") -> Consent:
    return sharing.record_consent(
        actor=cast["coordinator"],
        concern_id=concern.pk,
        lock_version=version(concern),
        purpose=purpose,
        given_by="Vårdnadshavare",
        given_on=given_on,
    )


def forum(name: str) -> Forum:
    return Forum.objects.get(name=name)
