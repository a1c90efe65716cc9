"""Test data for the democracy-condition assessments: actors, and assessments made through the services
(so they hold their findings) or written straight to the table where a test needs a given date."""

from __future__ import annotations

import datetime

from django.utils import timezone

from vbe.accounts.models import User
from vbe.collaboration import assessments
from vbe.collaboration.models import Actor, ActorKind, Assessment, Decision, Finding, LinkKind
from vbe.organisations.models import Organisation

# Markers of the working notes: a page that shows them to someone outside the organisation leaks.
JARVA_NOTES = ("JARVA-UNDERLAG", "JARVA-KALLOR", "JARVA-KRITERIENOT", "JARVA-MOTIVERING", "JARVA-OVERKLAGANDE")
JARVA_DRAFT_NOTES = ("JARVA-UTKAST-UNDERLAG", "JARVA-UTKAST-NOT")


def make_actor(name: str = "Testföreningen", *, created_by: User) -> Actor:
    return Actor.objects.create(name=name, kind=ActorKind.NON_PROFIT, created_by=created_by)


def org(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def start(user: User, actor: Actor, slug: str, purpose: str = LinkKind.GRANT) -> Assessment:
    return assessments.create_assessment(user=user, actor_id=actor.pk, organisation=org(slug), purpose=purpose)


def fill(
    user: User, assessment: Assessment, *, evidence: str = "", note: str = "", answer: str = Finding.MET
) -> Assessment:
    draft = assessments.Draft(
        evidence=evidence,
        sources=evidence and evidence.replace("UNDERLAG", "KALLOR"),
        findings={f.pk: (answer, note) for f in assessment.findings.all()},
    )
    assessment.refresh_from_db()
    return assessments.update_draft(
        user=user, assessment_id=assessment.pk, lock_version=assessment.lock_version, draft=draft
    )


def decide(
    user: User,
    assessment: Assessment,
    decision: str = Decision.MEETS,
    *,
    on: datetime.date | None = None,
    reasons: str = "",
    appeal: str = "",
    valid_until: datetime.date | None = None,
) -> Assessment:
    assessment.refresh_from_db()
    on = on or timezone.localdate()
    return assessments.decide(
        user=user,
        assessment_id=assessment.pk,
        lock_version=assessment.lock_version,
        ruling=assessments.Ruling(decision, "Nämnden", on, reasons, appeal, valid_until),
        today=on,
    )


def jarva_decided(cast, actor: Actor, decision: str = Decision.MEETS) -> Assessment:
    """Järva's decision on the actor, with every working note marked (JARVA_NOTES)."""
    assessment = start(cast["coordinator"], actor, "jarva", LinkKind.PREMISES)
    fill(cast["coordinator"], assessment, evidence="JARVA-UNDERLAG", note="JARVA-KRITERIENOT")
    return decide(cast["coordinator"], assessment, decision, reasons="JARVA-MOTIVERING", appeal="JARVA-OVERKLAGANDE")


def jarva_draft(cast, actor: Actor) -> Assessment:
    assessment = start(cast["coordinator"], actor, "jarva", LinkKind.GRANT)
    return fill(cast["coordinator"], assessment, evidence="JARVA-UTKAST-UNDERLAG", note="JARVA-UTKAST-NOT")
