from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from vbe.guidelines.models import FocusArea, Method
from vbe.organisations.models import Organisation, Unit
from vbe.plans import services
from vbe.plans.models import Plan, PlanState

THIS_YEAR = timezone.localdate().year
LAST_YEAR = THIS_YEAR - 1


def focus_area(number: int) -> FocusArea:
    return FocusArea.objects.get(number=number, intervention_area__guideline__is_current=True)


def method_of(number: int, index: int = 0) -> Method:
    return focus_area(number).methods.order_by("name")[index]


def make_plan(
    cast,
    *,
    organisation: str = "jarva",
    year: int = THIS_YEAR,
    state: str = PlanState.DRAFT,
    analysis: str = "Klistermärken vid skolor och oro för rekrytering på nätet.",
    measures: list[dict] | None = None,
    coordinator: str = "coordinator",
) -> Plan:
    """A plan brought to ``state`` the way a coordinator does it: through the services."""
    actor = cast[coordinator]
    org = Organisation.objects.get(slug=organisation)
    plan = services.create_plan(organisation=org, year=year, actor=actor)
    if analysis:
        plan = services.update_plan(
            plan_id=plan.pk, actor=actor, lock_version=plan.lock_version, title=plan.title, situation_analysis=analysis
        )
    for spec in measures if measures is not None else [{"title": "Föräldraträffar", "area": 1}]:
        add_measure(plan, actor, **spec)
    plan.refresh_from_db()
    if state in (PlanState.READY, PlanState.DECIDED, PlanState.FOLLOWED_UP):
        plan = services.submit_for_decision(plan_id=plan.pk, actor=actor, lock_version=plan.lock_version)
    if state in (PlanState.DECIDED, PlanState.FOLLOWED_UP):
        plan = services.record_decision(
            plan_id=plan.pk,
            actor=actor,
            lock_version=plan.lock_version,
            decided_on=min(datetime.date(year, 4, 15), timezone.localdate()),
            minute_reference="§ 7",
        )
    return plan


def add_measure(plan: Plan, actor, *, title: str, area: int = 1, methods: int = 1, indicators=None, **fields):
    plan.refresh_from_db()
    chosen = list(focus_area(area).methods.order_by("name")[:methods])
    return services.save_measure(
        plan_id=plan.pk,
        actor=actor,
        lock_version=plan.lock_version,
        title=title,
        focus_area=focus_area(area),
        **fields,
        methods=chosen,
        indicators=indicators if indicators is not None else [("Antal deltagare", "40")],
    )


def follow_up(plan: Plan, actor, year: int, statuses: dict[str, str]) -> None:
    """statuses: measure title -> follow-up status."""
    plan.refresh_from_db()
    entries = [
        services.FollowUpEntry(measure_id=m.pk, status=statuses[m.title])
        for m in plan.measures.all()
        if m.title in statuses
    ]
    services.record_follow_ups(actor=actor, plan_id=plan.pk, lock_version=plan.lock_version, year=year, entries=entries)


@pytest.fixture
def jarva(reference_data) -> Organisation:
    return Organisation.objects.get(slug="jarva")


@pytest.fixture
def jarva_unit(cast) -> Unit:
    return Unit.objects.get(organisation__slug="jarva", name="Testfritidsgården")
