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
from django.utils.translation import gettext as _

from vbe.guidelines.cycle import Cycle
from vbe.guidelines.duties import DueDocument, duties_for
from vbe.guidelines.models import CoordinatorDuty
from vbe.organisations.models import Organisation
from vbe.plans.cycle import PLAN_DOCUMENT, follow_up_years, plan_cycle
from vbe.plans.models import LOCKED_STATES, DutyReport, Plan, PlanState
from vbe.plans.services import kind_for


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


def owes_plans(organisation: Organisation) -> bool:
    """Whether any reporting duty asks ``organisation`` for a plan (district or board)."""
    return organisation.reporting_duties.filter(
        guideline__is_current=True, document=PLAN_DOCUMENT[kind_for(organisation)]
    ).exists()


def default_plan_year(organisation: Organisation, this_year: int, cycle: Cycle | None = None) -> int:
    """The next year, from this one, that a plan of the organisation's kind is due for and not started
    (``cycle``: the cycle of that kind, if the caller has read it)."""
    kind = kind_for(organisation)
    cycle = cycle or plan_cycle(kind)
    started = set(
        Plan.objects.filter(organisation=organisation, kind=kind, is_current=True).values_list("year", flat=True)
    )
    due = cycle.years(this_year, this_year + 2)
    return next((year for year in due if year not in started), cycle.next_year(this_year))


def _plan_tasks(plan: Plan, year: int) -> list[Task]:
    detail = reverse("plans:detail", args=[plan.pk])
    if plan.state == PlanState.DRAFT:
        tasks = []
        if not plan.situation_analysis.strip():
            tasks.append(
                Task(
                    _("%(plan)s: lägesbilden är inte skriven.") % {"plan": plan.title},
                    reverse("plans:edit", args=[plan.pk]),
                    _("Skriv lägesbilden"),
                )
            )
        if not plan.measure_count:
            tasks.append(
                Task(
                    _("%(plan)s: planen har inga åtgärder.") % {"plan": plan.title},
                    reverse("plans:measure_add", args=[plan.pk]),
                    _("Lägg till en åtgärd"),
                )
            )
        if not tasks:
            text = _("%(plan)s är ett utkast som kan lämnas till nämnden.") % {"plan": plan.title}
            tasks.append(Task(text, detail, _("Lämna till nämnden")))
        return tasks
    if plan.state == PlanState.READY:
        text = _("%(plan)s väntar på nämndens beslut.") % {"plan": plan.title}
        return [Task(text, detail, _("Registrera beslutet"))]
    return []


def _follow_up_task(plan: Plan, year: int, followed: int, due: datetime.date | None = None) -> Task | None:
    url = reverse("plans:follow_up", args=[plan.pk, year])
    if followed < plan.measure_count:
        missing = plan.measure_count - followed
        return Task(
            _("%(plan)s: uppföljningen för %(year)s saknas för %(missing)s av %(total)s åtgärder.")
            % {"plan": plan.title, "year": year, "missing": missing, "total": plan.measure_count},
            url,
            _("Följ upp %(year)s") % {"year": year},
            due,
        )
    if plan.state == PlanState.DECIDED and plan.measure_count:
        return Task(
            _("%(plan)s: uppföljningen för %(year)s är ifylld men inte markerad som klar.")
            % {"plan": plan.title, "year": year},
            url,
            _("Markera som klar"),
        )
    return None


def tasks_for(organisations: Iterable[Organisation], year: int) -> list[OrganisationTasks]:
    """A bounded number of queries: three, one per kind of plan for its cycle, and one per organisation
    for its reporting duties."""
    organisations = list(organisations)
    cycles = {kind: plan_cycle(kind) for kind in {kind_for(o) for o in organisations}}
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
        cycle = cycles[kind]
        own = [p for p in plans if p.organisation_id == organisation.pk and p.kind == kind]
        due_documents = duties_for(organisation, year)
        owed = _due(due_documents, PLAN_DOCUMENT[kind])
        if owed and not any(p.year == year for p in own):
            query = urlencode({"organisation": organisation.pk, "ar": year})
            entry.tasks.append(
                Task(
                    _("Planen för %(year)s är inte påbörjad.") % {"year": year},
                    f"{reverse('plans:create')}?{query}",
                    _("Skapa planen"),
                    owed.due,
                )
            )
        for plan in own:
            if plan.covers(year):
                for task in _plan_tasks(plan, year):
                    entry.tasks.append(Task(task.text, task.url, task.link_text, owed.due if owed else None))
        for plan in own:
            if plan.state in LOCKED_STATES and year - 1 in follow_up_years(plan, cycle):
                task = _follow_up_task(plan, year - 1, plan.followed_last)
                if task:
                    entry.tasks.append(task)
        # This year's follow-up is a task only where the guideline makes it a duty with a due date.
        follow_up_due = cycle.follow_up and _due(due_documents, cycle.follow_up.document)
        for plan in own:
            if follow_up_due and plan.state in LOCKED_STATES and year in follow_up_years(plan, cycle):
                task = _follow_up_task(plan, year, plan.followed_this, follow_up_due.due)
                if task:
                    entry.tasks.append(task)
        done = reported.get(organisation.pk, 0)
        if duty_count and done < duty_count:
            if not done:
                text = _("Självskattningen av samordnaruppdraget för %(year)s är inte gjord.") % {"year": year}
            else:
                text = _(
                    "Självskattningen av samordnaruppdraget för %(year)s saknar svar på %(missing)s uppgifter."
                ) % {"year": year, "missing": duty_count - done}
            url = reverse("plans:duty_report", args=[organisation.slug, year])
            entry.tasks.append(Task(text, url, _("Fyll i självskattningen")))
        result.append(entry)
    return result
