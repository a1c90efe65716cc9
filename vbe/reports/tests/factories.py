"""Plans, follow-ups and self-reports for tests, made through the plan services (vbe.plans.services).

The services write only as the organisation's coordinator. A scenario with a plan at an organisation
that has no coordinator now (or another one) had one when the plan was written: the given actor holds
the role while writing (``_coordinating``) and gives it up afterwards, so the scenario's coordinators
are what the test set up.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from vbe.accounts.models import Membership, Role, User
from vbe.guidelines.models import CoordinatorDuty, FocusArea
from vbe.organisations.models import Organisation
from vbe.plans import self_report, services
from vbe.plans.models import FollowUpStatus, Measure, MeasureStatus, Plan, PlanState


def organisation(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


@contextmanager
def _coordinating(actor: User, slug: str) -> Iterator[User]:
    """``actor``, as a coordinator of ``slug`` for as long as the block runs."""
    membership, granted = Membership.objects.get_or_create(
        user=actor, organisation=organisation(slug), role=Role.COORDINATOR
    )
    try:
        yield User.objects.get(pk=actor.pk)  # a fresh user: no memberships read before
    finally:
        if granted:
            membership.delete()


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
    with _coordinating(actor, slug) as writer:
        return _make_plan(
            actor=writer,
            slug=slug,
            year=year,
            measures=measures,
            state=state,
            title=title,
            decided_on=decided_on,
            cancelled=cancelled,
        )


def _make_plan(
    *,
    actor: User,
    slug: str,
    year: int,
    measures: Sequence[int | tuple[int, str]],
    state: str,
    title: str,
    decided_on: datetime.date,
    cancelled: Sequence[int],
) -> Plan:
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
            title=measure_title,
            description="Beskrivning av åtgärden.",
            focus_area=FocusArea.objects.get(number=number, intervention_area__guideline__is_current=True),
            status=MeasureStatus.CANCELLED if i in cancelled else MeasureStatus.ONGOING,
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
    entries = [
        services.FollowUpEntry(measure_id=m.pk, status=FollowUpStatus.ONGOING, comment="Pågår enligt plan.")
        for m in measures[: len(measures) if count is None else count]
    ]
    plan.refresh_from_db()
    with _coordinating(actor, plan.organisation.slug) as writer:
        services.record_follow_ups(
            actor=writer, plan_id=plan.pk, lock_version=plan.lock_version, year=year, entries=entries
        )


def report_duties(*, actor: User, slug: str, year: int, count: int | None = None, answer: str = "done") -> None:
    duties = list(CoordinatorDuty.objects.filter(guideline__is_current=True).order_by("number"))
    chosen = duties[: len(duties) if count is None else count]
    reporting = organisation(slug)
    with _coordinating(actor, slug) as writer:
        self_report.report_duties(
            actor=writer,
            organisation=reporting,
            year=year,
            lock_version=self_report.current_lock_version(reporting, year),
            answers={d.pk: (answer, "") for d in chosen},
        )
