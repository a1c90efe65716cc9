"""URL × role entries for the democracy-condition assessments.

The matrix actor has a decision and an open draft by Järva. Every reader of the actor register reads
the decision's shared part; Järva's assessors (its coordinator and unit manager) alone reach the
draft, its forms and the renew button; to other readers of the register the draft does not exist (404).
Starting an assessment and the list are for anyone who assesses for some organisation. Renewing is a
POST.
"""

from __future__ import annotations

import datetime

from tests.matrix import FORBIDDEN, NOT_ALLOWED, NOT_FOUND, OK, Entry, expect, only
from vbe.collaboration.models import Actor, ActorKind, Assessment, Decision, LinkKind
from vbe.organisations.models import Organisation

REGISTER_READERS = (
    "unit_manager",
    "coordinator",
    "coordinator_other",
    "coordinator_board",
    "central_coordinator",
    "board_reader",
)
ASSESSORS = ("unit_manager", "coordinator", "coordinator_other", "coordinator_board", "central_coordinator")
JARVA_ASSESSORS = ("unit_manager", "coordinator")
MATRIX_ACTOR = "Matrisföreningen"


def matrix_world(ctx: dict) -> dict[str, int]:
    """The matrix actor, Järva's decision on it (for premises) and Järva's open draft (for a grant),
    made once per test."""
    actor = Actor.objects.filter(name=MATRIX_ACTOR).first()
    if actor is None:
        actor = Actor.objects.create(
            name=MATRIX_ACTOR, kind=ActorKind.NON_PROFIT, created_by=ctx["cast"]["coordinator"]
        )
        jarva = Organisation.objects.get(slug="jarva")
        Assessment.objects.create(
            actor=actor,
            organisation=jarva,
            purpose=LinkKind.PREMISES,
            decision=Decision.MEETS,
            deciding_body="Järva stadsdelsnämnd",
            decided_on=datetime.date(2026, 1, 15),
            valid_until=datetime.date(2027, 1, 15),
            evidence="Matrisens underlag",
            created_by=ctx["cast"]["coordinator"],
        )
        Assessment.objects.create(
            actor=actor, organisation=jarva, purpose=LinkKind.GRANT, created_by=ctx["cast"]["coordinator"]
        )
    decided = Assessment.objects.filter(actor=actor).exclude(decision="").values_list("pk", flat=True).first()
    draft = Assessment.objects.filter(actor=actor, decision="").values_list("pk", flat=True).first()
    return {"actor": actor.pk, "decided": decided, "draft": draft}


def _on_draft() -> dict[str, int]:
    """A form of Järva's draft: its assessors; other readers of the register find nothing; the rest 403."""
    others = {role: NOT_FOUND for role in REGISTER_READERS if role not in JARVA_ASSESSORS}
    return expect(FORBIDDEN, **others, **dict.fromkeys(JARVA_ASSESSORS, OK))


MATRIX = {
    "collaboration:assessments": Entry(lambda ctx: "/samverkan/bedomningar/", only(*ASSESSORS)),
    "collaboration:assessment_create": Entry(
        lambda ctx: f"/samverkan/aktorer/{matrix_world(ctx)['actor']}/bedomningar/ny/", only(*ASSESSORS)
    ),
    "collaboration:assessment": Entry(
        lambda ctx: f"/samverkan/bedomningar/{matrix_world(ctx)['decided']}/", only(*REGISTER_READERS)
    ),
    "collaboration:assessment_edit": Entry(
        lambda ctx: f"/samverkan/bedomningar/{matrix_world(ctx)['draft']}/andra/", _on_draft()
    ),
    "collaboration:assessment_decide": Entry(
        lambda ctx: f"/samverkan/bedomningar/{matrix_world(ctx)['draft']}/beslut/", _on_draft()
    ),
    # POST only: a GET is refused before anyone's role is asked.
    "collaboration:assessment_renew": Entry(
        lambda ctx: f"/samverkan/bedomningar/{matrix_world(ctx)['decided']}/fornya/", expect(NOT_ALLOWED)
    ),
}
