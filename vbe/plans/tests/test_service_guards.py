"""The plan services' own guards, asked directly and not through a page: the actor's right is checked
again under the row lock (a membership may end while the page is open), and every write compares the
version the user saw, the duty self-report's included (an integer ``lock_version`` like the plans')."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from vbe.accounts.models import Membership, Role, User
from vbe.audit.models import AccessLogEntry
from vbe.guidelines.models import CoordinatorDuty
from vbe.organisations.models import Organisation
from vbe.plans import self_report, services
from vbe.plans.models import DutyReport, FollowUp, Plan, PlanEvent, PlanState, SelfReport
from vbe.plans.tests.conftest import LAST_YEAR, THIS_YEAR, focus_area, make_plan


def _unchanged(plan: Plan) -> tuple[object, ...]:
    fresh = Plan.objects.get(pk=plan.pk)
    return fresh.lock_version, fresh.state, fresh.title, fresh.measures.count(), PlanEvent.objects.count()


def _ex_coordinator(cast) -> User:
    """Järva's coordinator, whose role has just ended (the page they have open was shown before)."""
    Membership.objects.filter(user=cast["coordinator"], role=Role.COORDINATOR).delete()
    return User.objects.get(pk=cast["coordinator"].pk)


@pytest.mark.parametrize(
    "write",
    [
        lambda plan, actor: services.update_plan(
            actor=actor, plan_id=plan.pk, lock_version=plan.lock_version, title="Ny", situation_analysis="Ny"
        ),
        lambda plan, actor: services.save_measure(
            actor=actor, plan_id=plan.pk, lock_version=plan.lock_version, title="Ny", focus_area=focus_area(1)
        ),
        lambda plan, actor: services.delete_measure(
            actor=actor, plan_id=plan.pk, lock_version=plan.lock_version, measure_id=plan.measures.get().pk
        ),
        lambda plan, actor: services.submit_for_decision(actor=actor, plan_id=plan.pk, lock_version=plan.lock_version),
    ],
)
def test_a_draft_is_changed_only_by_a_coordinator_of_its_organisation_now(cast, write):
    plan = make_plan(cast)
    before = _unchanged(plan)
    with pytest.raises(PermissionDenied):
        write(plan, cast["coordinator_other"])
    with pytest.raises(PermissionDenied):
        write(plan, _ex_coordinator(cast))
    assert _unchanged(plan) == before


def test_a_decided_plan_is_followed_up_and_versioned_only_by_a_coordinator_now(cast):
    plan = make_plan(cast, year=LAST_YEAR, state=PlanState.DECIDED)
    measure, actor = plan.measures.get(), _ex_coordinator(cast)
    with pytest.raises(PermissionDenied):
        services.record_follow_up(
            actor=actor, measure_id=measure.pk, lock_version=plan.lock_version, year=LAST_YEAR, status="done"
        )
    with pytest.raises(PermissionDenied):
        services.new_version(actor=actor, plan_id=plan.pk, lock_version=plan.lock_version)
    assert not FollowUp.objects.exists() and Plan.objects.count() == 1


def test_a_plan_is_created_only_for_an_organisation_the_actor_coordinates(cast):
    sodermalm = Organisation.objects.get(slug="sodermalm")
    with pytest.raises(PermissionDenied):
        services.create_plan(actor=cast["coordinator"], organisation=sodermalm, year=THIS_YEAR)
    with pytest.raises(PermissionDenied):
        services.create_plan(actor=cast["central_coordinator"], organisation=sodermalm, year=THIS_YEAR)
    assert not Plan.objects.exists()


def test_a_follow_up_against_a_stale_version_is_refused(cast):
    plan = make_plan(cast, year=LAST_YEAR, state=PlanState.DECIDED)
    stale = plan.lock_version
    services.record_follow_up(
        actor=cast["coordinator"], measure_id=plan.measures.get().pk, lock_version=stale, year=LAST_YEAR, status="done"
    )
    with pytest.raises(ValidationError) as refused:
        services.record_follow_up(
            actor=cast["coordinator"],
            measure_id=plan.measures.get().pk,
            lock_version=stale,
            year=LAST_YEAR,
            status="cancelled",
        )
    assert refused.value.messages == [services.STALE]
    assert FollowUp.objects.get().status == "done"


def _answers(answer: str = "done") -> dict[int, tuple[str, str]]:
    return {d.pk: (answer, "") for d in CoordinatorDuty.objects.filter(guideline__is_current=True)}


def test_the_self_report_carries_an_integer_version_and_refuses_a_stale_one(cast, jarva):
    coordinator = cast["coordinator"]
    assert self_report.current_lock_version(jarva, THIS_YEAR) == 0
    report = self_report.report_duties(
        actor=coordinator, organisation=jarva, year=THIS_YEAR, lock_version=0, answers=_answers()
    )
    assert (report.lock_version, self_report.current_lock_version(jarva, THIS_YEAR)) == (1, 1)
    # A second "first" save (the form was shown before the first one was saved) is refused.
    with pytest.raises(ValidationError) as refused:
        self_report.report_duties(
            actor=coordinator, organisation=jarva, year=THIS_YEAR, lock_version=0, answers=_answers("not_done")
        )
    assert refused.value.messages == [self_report.STALE]
    assert set(DutyReport.objects.values_list("answer", flat=True)) == {"done"}
    self_report.report_duties(
        actor=coordinator, organisation=jarva, year=THIS_YEAR, lock_version=1, answers=_answers("partly")
    )
    assert set(DutyReport.objects.values_list("answer", flat=True)) == {"partly"}
    assert SelfReport.objects.get(organisation=jarva, year=THIS_YEAR).lock_version == 2
    assert AccessLogEntry.objects.filter(action="duty_report_saved", object_id=str(jarva.pk)).count() == 2


def test_the_self_report_is_written_only_by_a_coordinator_of_the_organisation_now(cast, jarva):
    for actor in (cast["coordinator_other"], cast["central_coordinator"], _ex_coordinator(cast)):
        with pytest.raises(PermissionDenied):
            self_report.report_duties(
                actor=actor, organisation=jarva, year=THIS_YEAR, lock_version=0, answers=_answers()
            )
    assert not DutyReport.objects.exists() and not SelfReport.objects.exists()


def test_the_self_report_is_not_for_a_future_year(cast, jarva):
    with pytest.raises(ValidationError):
        self_report.report_duties(
            actor=cast["coordinator"], organisation=jarva, year=THIS_YEAR + 1, lock_version=0, answers=_answers()
        )
    assert not DutyReport.objects.exists() and not SelfReport.objects.exists()


def test_a_decision_date_is_checked_by_the_service_too(cast):
    plan = make_plan(cast, state=PlanState.READY)
    with pytest.raises(ValidationError):
        services.record_decision(
            actor=cast["coordinator"],
            plan_id=plan.pk,
            lock_version=plan.lock_version,
            decided_on=datetime.date(THIS_YEAR + 1, 1, 1),
            minute_reference="§ 1",
        )
    assert Plan.objects.get(pk=plan.pk).state == PlanState.READY
