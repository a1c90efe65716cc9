"""Who reads which part of an assessment, and the decisions shared across boards and companies.

- The assessing organisation's assessors (ASSESS_DEMOCRACY about it) read everything of its
  assessments: drafts, working notes (evidence, sources, findings), reasons and appeal information.
- Every other reader of the actor register (VIEW_ACTOR_REGISTER) reads a *decided* assessment's shared
  part only: organisation, purpose, decision, deciding body, date and how long it holds. A draft of
  another organisation does not exist for them (404), not even by its status.

The shared part leaves this module as ``SharedDecision`` rows read with only those columns, so no
template that shows another organisation's decision can show its notes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from vbe.accounts import permissions
from vbe.accounts.models import User
from vbe.accounts.permissions import Action, require
from vbe.collaboration.assessments import notice_days
from vbe.collaboration.models import Actor, Assessment, Decision, LinkKind

SHARED_COLUMNS = (
    "pk",
    "actor_id",
    "organisation_id",
    "organisation__name",
    "purpose",
    "decision",
    "deciding_body",
    "decided_on",
    "valid_until",
)


@dataclass(frozen=True)
class SharedDecision:
    """The part of a decided assessment that every board and company reads."""

    pk: int
    actor_id: int
    organisation_id: int
    organisation_name: str
    purpose: str
    decision: str
    deciding_body: str
    decided_on: datetime.date
    valid_until: datetime.date | None

    @property
    def purpose_label(self) -> str:
        return str(LinkKind(self.purpose).label)

    @property
    def decision_label(self) -> str:
        return str(Decision(self.decision).label)

    @property
    def expired(self) -> bool:
        return self.valid_until is not None and self.valid_until < timezone.localdate()

    @property
    def url(self) -> str:
        return reverse("collaboration:assessment", args=[self.pk])


def shared(rows: QuerySet[Assessment]) -> list[SharedDecision]:
    """The decided rows of ``rows``, shared part only, in the query's order. One query."""
    return [SharedDecision(*values) for values in rows.exclude(decision="").values_list(*SHARED_COLUMNS)]


def newest_per_organisation(actor_id: int, *, excluding: Iterable[int] = ()) -> list[SharedDecision]:
    """The newest decision on the actor by each organisation (but those in ``excluding``), organisations
    by name. One query along the index ``assessment_actor_org``; an actor has few decisions."""
    rows = (
        Assessment.objects.filter(actor_id=actor_id)
        .exclude(organisation_id__in=list(excluding))
        .order_by("organisation__name", "organisation_id", "-decided_on", "-pk")
    )
    newest: dict[int, SharedDecision] = {}
    for row in shared(rows):
        newest.setdefault(row.organisation_id, row)
    return list(newest.values())


def history(assessment: Assessment) -> list[SharedDecision]:
    """The organisation's other decisions on the actor, newest first: the chain of earlier decisions."""
    rows = (
        Assessment.objects.filter(actor_id=assessment.actor_id, organisation_id=assessment.organisation_id)
        .exclude(pk=assessment.pk)
        .order_by("-decided_on", "-pk")
    )
    return shared(rows)


def can_read_notes(user: User, assessment: Assessment) -> bool:
    return permissions.can(user, Action.ASSESS_DEMOCRACY, assessment.organisation)


def readable(user: User, pk: int) -> tuple[Assessment, bool]:
    """The assessment and whether the user reads its working notes. A reader of the register who does
    not assess for its organisation finds a draft nowhere (404)."""
    require(user, Action.VIEW_ACTOR_REGISTER)
    assessment = get_object_or_404(
        Assessment.objects.select_related("actor", "organisation", "created_by", "decided_by", "supersedes"),
        pk=pk,
    )
    notes = can_read_notes(user, assessment)
    if not notes and not assessment.is_decided:
        raise Http404
    return assessment, notes


def assessed(user: User, pk: int) -> Assessment:
    """For the forms: the assessment, for its assessors only (others 403, or 404 for a draft)."""
    assessment, notes = readable(user, pk)
    if not notes:
        require(user, Action.ASSESS_DEMOCRACY, assessment.organisation)
    return assessment


def actor_url(actor_id: int) -> str:
    return reverse("collaboration:actor", args=[actor_id])


@dataclass(frozen=True)
class ActorSection:
    """The actor page's section on the democracy condition."""

    actor: Actor
    decisions: list[SharedDecision]  # the newest decision by each organisation
    drafts: list[Assessment]  # open drafts of the organisations the user assesses for
    can_assess: bool
    create_url: str
    notice_days: int


def actor_section(user: User, actor: Actor) -> dict:
    """Context for templates/collaboration/_actor_assessments.html on the actor's page: merged into the
    page's context, it adds ``democracy``. Two queries besides the user's memberships."""
    own = permissions.assessing_organisation_ids(user)
    drafts = (
        list(
            Assessment.objects.filter(actor_id=actor.pk, organisation_id__in=sorted(own), decision="")
            .select_related("organisation")
            .order_by("-pk")
        )
        if own
        else []
    )
    return {
        "democracy": ActorSection(
            actor=actor,
            decisions=newest_per_organisation(actor.pk),
            drafts=drafts,
            can_assess=permissions.can(user, Action.ASSESS_DEMOCRACY, None),
            create_url=reverse("collaboration:assessment_create", args=[actor.pk]),
            notice_days=notice_days(),
        )
    }
