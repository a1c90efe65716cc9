"""The coordinator's task list: for each organisation, what is left of this year's plan cycle.

Computed, not stored: a missing plan, a draft without situation picture or measures, a plan awaiting
the board's decision, last year's plan without its follow-up, and the duty self-report.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.http import urlencode

from vbe.guidelines.duties import DueDocument, duties_for
from vbe.guidelines.models import CoordinatorDuty, Document
from vbe.organisations.models import Organisation
from vbe.plans.models import LOCKED_STATES, DutyReport, Plan, PlanKind, PlanState
from vbe.plans.services import kind_for

PLAN_DOCUMENT = {PlanKind.DISTRICT: Document.DISTRICT_PLAN, PlanKind.BOARD: Document.BOARD_PLAN}


@dataclass(frozen=True)
class Task:
    text: str
    url: str
    link_text: str
    due: datetime.date | None = None


@dataclass
class OrganisationTasks:
    organisation: Organisation
    year: int
    tasks: list[Task] = field(default_factory=list)


def _due(documents: list[DueDocument], document: str) -> DueDocument | None:
    return next((d for d in documents if d.duty.document == document), None)


def owed_plan(organisation: Organisation, year: int) -> DueDocument | None:
    """The plan ``organisation`` owes in ``year`` under the reporting duties, if any."""
    return _due(duties_for(organisation, year), PLAN_DOCUMENT[kind_for(organisation)])


def owes_plans(organisation: Organisation) -> bool:
    """Whether any reporting duty asks ``organisation`` for a plan (district or board)."""
    return organisation.reporting_duties.filter(
        guideline__is_current=True, document=PLAN_DOCUMENT[kind_for(organisation)]
    ).exists()


def default_plan_year(organisation: Organisation, this_year: int) -> int:
    """The next year, from this one, for which the organisation owes a plan it has not started."""
    started = set(Plan.objects.filter(organisation=organisation, is_current=True).values_list("year", flat=True))
    for year in range(this_year, this_year + 3):
        if year not in started and owed_plan(organisation, year):
            return year
    return this_year + this_year % 2 if kind_for(organisation) == PlanKind.BOARD else this_year


def _plan_tasks(plan: Plan, year: int) -> list[Task]:
    detail = reverse("plans:detail", args=[plan.pk])
    if plan.state == PlanState.DRAFT:
        tasks = []
        if not plan.situation_analysis.strip():
            tasks.append(
                Task(
                    f"{plan.title}: lägesbilden är inte skriven.",
                    reverse("plans:edit", args=[plan.pk]),
                    "Skriv lägesbilden",
                )
            )
        if not plan.measure_count:
            tasks.append(
                Task(
                    f"{plan.title}: planen har inga åtgärder.",
                    reverse("plans:measure_add", args=[plan.pk]),
                    "Lägg till en åtgärd",
                )
            )
        if not tasks:
            tasks.append(Task(f"{plan.title} är ett utkast som kan lämnas till nämnden.", detail, "Lämna till nämnden"))
        return tasks
    if plan.state == PlanState.READY:
        return [Task(f"{plan.title} väntar på nämndens beslut.", detail, "Registrera beslutet")]
    return []


def _follow_up_task(plan: Plan, year: int, followed: int, due: datetime.date | None = None) -> Task | None:
    url = reverse("plans:follow_up", args=[plan.pk, year])
    if followed < plan.measure_count:
        missing = plan.measure_count - followed
        return Task(
            f"{plan.title}: uppföljningen för {year} saknas för {missing} av {plan.measure_count} åtgärder.",
            url,
            f"Följ upp {year}",
            due,
        )
    if plan.state == PlanState.DECIDED and plan.measure_count:
        return Task(
            f"{plan.title}: uppföljningen för {year} är ifylld men inte markerad som klar.", url, "Markera som klar"
        )
    return None


def tasks_for(organisations: Iterable[Organisation], year: int) -> list[OrganisationTasks]:
    """A bounded number of queries: three in all, and one per organisation for its reporting duties."""
    organisations = list(organisations)
    plans = list(
        Plan.objects.filter(organisation__in=organisations, is_current=True, year__lte=year, end_year__gte=year - 1)
        .annotate(
            measure_count=Count("measures", distinct=True),
            followed_last=Count("measures__follow_ups", filter=Q(measures__follow_ups__year=year - 1), distinct=True),
            followed_this=Count("measures__follow_ups", filter=Q(measures__follow_ups__year=year), distinct=True),
        )
        .order_by("year", "pk")
    )
    duty_count = CoordinatorDuty.objects.filter(guideline__is_current=True).count()
    reported = dict(
        DutyReport.objects.filter(organisation__in=organisations, year=year, duty__guideline__is_current=True)
        .order_by()
        .values("organisation")
        .annotate(n=Count("pk"))
        .values_list("organisation", "n")
    )
    result = []
    for organisation in organisations:
        entry = OrganisationTasks(organisation, year)
        kind = kind_for(organisation)
        own = [p for p in plans if p.organisation_id == organisation.pk and p.kind == kind]
        due_documents = duties_for(organisation, year)
        owed = _due(due_documents, PLAN_DOCUMENT[kind])
        if owed and not any(p.year == year for p in own):
            query = urlencode({"organisation": organisation.pk, "ar": year})
            entry.tasks.append(
                Task(
                    f"Planen för {year} är inte påbörjad.",
                    f"{reverse('plans:create')}?{query}",
                    "Skapa planen",
                    owed.due,
                )
            )
        for plan in own:
            if plan.covers(year):
                for task in _plan_tasks(plan, year):
                    entry.tasks.append(Task(task.text, task.url, task.link_text, owed.due if owed else None))
        for plan in own:
            if plan.state in LOCKED_STATES and plan.covers(year - 1):
                task = _follow_up_task(plan, year - 1, plan.followed_last)
                if task:
                    entry.tasks.append(task)
        follow_up_due = _due(due_documents, Document.BOARD_FOLLOW_UP)
        for plan in own:
            if follow_up_due and plan.state in LOCKED_STATES and plan.covers(year):
                task = _follow_up_task(plan, year, plan.followed_this, follow_up_due.due)
                if task:
                    entry.tasks.append(task)
        done = reported.get(organisation.pk, 0)
        if duty_count and done < duty_count:
            text = (
                f"Självskattningen av samordnaruppdraget för {year} är inte gjord."
                if not done
                else f"Självskattningen av samordnaruppdraget för {year} saknar svar på {duty_count - done} uppgifter."
            )
            entry.tasks.append(
                Task(text, reverse("plans:duty_report", args=[organisation.slug, year]), "Fyll i självskattningen")
            )
        result.append(entry)
    return result
