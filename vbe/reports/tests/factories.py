"""Plans, follow-ups and self-reports for tests, made through the plan services (vbe.plans.services)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from vbe.accounts.models import User
from vbe.guidelines.models import CoordinatorDuty, FocusArea
from vbe.organisations.models import Organisation
from vbe.plans import services
from vbe.plans.models import FollowUpStatus, Measure, MeasureStatus, Plan, PlanState


def organisation(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def make_plan(
    *,
    actor: User,
    slug: str,
    year: int,
    measures: Sequence[int | tuple[int, str]] = (1,),
    state: str = PlanState.DRAFT,
    title: str = "",
    decided_on: datetime.date = datetime.date(2020, 1, 15),
    cancelled: Sequence[int] = (),
) -> Plan:
    """A plan of ``slug`` for ``year`` with a measure per focus area number in ``measures`` (a number, or
    (number, title)), taken to ``state`` through the services. ``cancelled``: indexes of measures to cancel."""
    plan = services.create_plan(organisation=organisation(slug), year=year, actor=actor, title=title)
    plan = services.update_plan(
        plan_id=plan.pk,
        actor=actor,
        lock_version=plan.lock_version,
        title=plan.title,
        situation_analysis="Läget i området: klistermärken vid skolor och oro för rekrytering på nätet.",
    )
    for i, spec in enumerate(measures):
        number, measure_title = spec if isinstance(spec, tuple) else (spec, f"Åtgärd {i + 1} inom område {spec}")
        plan.refresh_from_db()
        services.save_measure(
            plan_id=plan.pk,
            actor=actor,
            lock_version=plan.lock_version,
            fields={
                "title": measure_title,
                "description": "Beskrivning av åtgärden.",
                "focus_area": FocusArea.objects.get(number=number, intervention_area__guideline__is_current=True),
                "status": MeasureStatus.CANCELLED if i in cancelled else MeasureStatus.ONGOING,
            },
            indicators=[("Antal deltagare", "100")],
        )
    plan.refresh_from_db()
    if state in (PlanState.READY, PlanState.DECIDED, PlanState.FOLLOWED_UP):
        plan = services.submit_for_decision(plan_id=plan.pk, actor=actor, lock_version=plan.lock_version)
    if state in (PlanState.DECIDED, PlanState.FOLLOWED_UP):
        plan = services.record_decision(
            plan_id=plan.pk, actor=actor, lock_version=plan.lock_version, decided_on=decided_on, minute_reference="§ 12"
        )
    plan.refresh_from_db()
    return plan


def follow_up(plan: Plan, *, actor: User, year: int, count: int | None = None) -> None:
    """Follows up ``count`` (default: all) of the plan's measures for ``year``."""
    measures = list(Measure.objects.filter(plan=plan).order_by("pk"))
    for measure in measures[: len(measures) if count is None else count]:
        services.record_follow_up(
            measure_id=measure.pk, actor=actor, year=year, status=FollowUpStatus.ONGOING, comment="Pågår enligt plan."
        )


def report_duties(*, actor: User, slug: str, year: int, count: int | None = None, answer: str = "done") -> None:
    duties = list(CoordinatorDuty.objects.filter(guideline__is_current=True).order_by("number"))
    chosen = duties[: len(duties) if count is None else count]
    services.report_duties(
        organisation=organisation(slug), year=year, actor=actor, answers={d.pk: (answer, "") for d in chosen}
    )
