"""The plan services' state, version and scope guards, asked of the services directly: each write is
taken only from the states it belongs to, refuses a page opened before the last change, and touches
only measures of the plan it names. Each refusal leaves the plan as it was."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from vbe.guidelines.models import CoordinatorDuty
from vbe.organisations.models import Organisation
from vbe.plans import self_report, services
from vbe.plans.models import FollowUp, Measure, Plan, PlanEvent, PlanState
from vbe.plans.tests.conftest import LAST_YEAR, focus_area, make_plan


def _unchanged(plan: Plan) -> tuple[object, ...]:
    fresh = Plan.objects.get(pk=plan.pk)
    return (
        fresh.lock_version,
        fresh.state,
        fresh.title,
        fresh.is_current,
        sorted(fresh.measures.values_list("pk", "title")),
        Plan.objects.count(),
        PlanEvent.objects.count(),
    )


def _fresh(plan: Plan) -> Plan:
    return Plan.objects.get(pk=plan.pk)


def _refused(call) -> None:
    """``call`` is refused with a message that says why (a sentence, not an empty or stray value)."""
    with pytest.raises(ValidationError) as refused:
        call()
    assert refused.value.messages and all(len(message) > 20 for message in refused.value.messages)


# Every write on an existing plan, as its coordinator makes it, with the version ``v`` the page carries.
WRITES = {
    "update_plan": lambda p, a, v: services.update_plan(
        actor=a, plan_id=p.pk, lock_version=v, title="Ny rubrik", situation_analysis="Ny lägesbild"
    ),
    "add_measure": lambda p, a, v: services.save_measure(
        actor=a, plan_id=p.pk, lock_version=v, title="Ny åtgärd", focus_area=focus_area(1)
    ),
    "change_measure": lambda p, a, v: services.save_measure(
        actor=a,
        plan_id=p.pk,
        lock_version=v,
        measure_id=p.measures.first().pk,
        title="Ändrad",
        focus_area=focus_area(1),
    ),
    "delete_measure": lambda p, a, v: services.delete_measure(
        actor=a, plan_id=p.pk, lock_version=v, measure_id=p.measures.first().pk
    ),
    "submit_for_decision": lambda p, a, v: services.submit_for_decision(actor=a, plan_id=p.pk, lock_version=v),
    "return_to_draft": lambda p, a, v: services.return_to_draft(actor=a, plan_id=p.pk, lock_version=v),
    "record_decision": lambda p, a, v: services.record_decision(
        actor=a, plan_id=p.pk, lock_version=v, decided_on=timezone.localdate(), minute_reference="§ 9"
    ),
    "new_version": lambda p, a, v: services.new_version(actor=a, plan_id=p.pk, lock_version=v),
    "complete_follow_up": lambda p, a, v: services.complete_follow_up(
        actor=a, plan_id=p.pk, lock_version=v, year=p.year
    ),
}
# The states each write is taken from (complete_follow_up also needs every measure followed up).
TAKEN_FROM = {
    "update_plan": {PlanState.DRAFT},
    "add_measure": {PlanState.DRAFT},
    "change_measure": {PlanState.DRAFT},
    "delete_measure": {PlanState.DRAFT},
    "submit_for_decision": {PlanState.DRAFT},
    "return_to_draft": {PlanState.READY},
    "record_decision": {PlanState.READY},
    "new_version": {PlanState.DECIDED},
}
STATES = (PlanState.DRAFT, PlanState.READY, PlanState.DECIDED)


def _plan(cast, state: str) -> Plan:
    # Last year's plan: a decided one can be followed up and versioned.
    return make_plan(cast, year=LAST_YEAR, state=state)


@pytest.mark.parametrize(
    ("name", "state"), [(n, s) for n, states in TAKEN_FROM.items() for s in STATES if s not in states]
)
def test_a_write_from_a_state_it_does_not_belong_to_is_refused(cast, name, state):
    plan = _plan(cast, state)
    before = _unchanged(plan)
    _refused(lambda: WRITES[name](plan, cast["coordinator"], plan.lock_version))
    assert _unchanged(plan) == before


@pytest.mark.parametrize(("name", "state"), [(n, s) for n, states in TAKEN_FROM.items() for s in states])
def test_the_same_write_is_taken_from_its_own_state(cast, name, state):
    plan = _plan(cast, state)
    before = _unchanged(plan)
    WRITES[name](plan, cast["coordinator"], plan.lock_version)
    assert _unchanged(plan) != before


@pytest.mark.parametrize("name", list(TAKEN_FROM))
def test_every_write_refuses_a_page_opened_before_the_last_change(cast, name):
    state = next(iter(TAKEN_FROM[name]))
    plan = _plan(cast, state)
    stale = plan.lock_version - 1  # the page was shown before the last step that made ``state``
    before = _unchanged(plan)
    with pytest.raises(ValidationError) as refused:
        WRITES[name](plan, cast["coordinator"], stale)
    assert refused.value.messages == [services.STALE]
    assert _unchanged(plan) == before


@pytest.mark.parametrize("state", [PlanState.DRAFT, PlanState.READY])
def test_complete_follow_up_is_refused_for_a_draft_and_a_plan_awaiting_the_board(cast, state):
    plan = _plan(cast, state)
    before = _unchanged(plan)
    _refused(lambda: WRITES["complete_follow_up"](plan, cast["coordinator"], plan.lock_version))
    assert _unchanged(plan) == before


def test_a_superseded_version_is_neither_versioned_again_nor_followed_up_as_done(cast):
    plan = _plan(cast, PlanState.DECIDED)
    services.new_version(actor=cast["coordinator"], plan_id=plan.pk, lock_version=plan.lock_version)
    old = _fresh(plan)
    # Superseded is a change: a page showing the old version is stale now.
    assert not old.is_current and old.lock_version == plan.lock_version + 1
    before = _unchanged(old)
    _refused(lambda: services.new_version(actor=cast["coordinator"], plan_id=old.pk, lock_version=old.lock_version))
    _refused(lambda: WRITES["complete_follow_up"](old, cast["coordinator"], old.lock_version))
    assert _unchanged(old) == before


def test_a_measure_of_another_plan_is_neither_changed_nor_deleted_through_this_one(cast):
    plan = _plan(cast, PlanState.DRAFT)
    other = make_plan(cast, year=LAST_YEAR - 2, measures=[{"title": "Den andra planens åtgärd", "area": 2}])
    theirs = other.measures.get()
    before, other_before = _unchanged(plan), _unchanged(other)
    _refused(
        lambda: services.delete_measure(
            actor=cast["coordinator"], plan_id=plan.pk, lock_version=plan.lock_version, measure_id=theirs.pk
        )
    )
    _refused(
        lambda: services.save_measure(
            actor=cast["coordinator"],
            plan_id=plan.pk,
            lock_version=plan.lock_version,
            measure_id=theirs.pk,
            title="Kapad",
            focus_area=focus_area(1),
        )
    )
    assert (_unchanged(plan), _unchanged(other)) == (before, other_before)
    assert Measure.objects.get(pk=theirs.pk).title == "Den andra planens åtgärd"


def test_a_measure_already_deleted_is_refused_not_deleted_twice(cast):
    plan = _plan(cast, PlanState.DRAFT)
    measure = plan.measures.get()
    services.delete_measure(
        actor=cast["coordinator"], plan_id=plan.pk, lock_version=plan.lock_version, measure_id=measure.pk
    )
    plan = _fresh(plan)
    before = _unchanged(plan)
    _refused(
        lambda: services.delete_measure(
            actor=cast["coordinator"], plan_id=plan.pk, lock_version=plan.lock_version, measure_id=measure.pk
        )
    )
    assert _unchanged(plan) == before


def test_a_decision_needs_its_minute_reference(cast):
    plan = _plan(cast, PlanState.READY)
    before = _unchanged(plan)
    with pytest.raises(ValidationError):
        services.record_decision(
            actor=cast["coordinator"],
            plan_id=plan.pk,
            lock_version=plan.lock_version,
            decided_on=datetime.date(LAST_YEAR, 4, 1),
            minute_reference="  ",
        )
    assert _unchanged(plan) == before


def _follow_ups(plan: Plan, actor) -> int:
    entries = [services.FollowUpEntry(measure_id=m.pk, status="done") for m in plan.measures.all()]
    return services.record_follow_ups(
        actor=actor, plan_id=plan.pk, lock_version=plan.lock_version, year=plan.year, entries=entries
    )


@pytest.mark.parametrize("state", [PlanState.DRAFT, PlanState.READY])
def test_only_a_decided_plan_is_followed_up(cast, state):
    plan = _plan(cast, state)
    before = _unchanged(plan)
    with pytest.raises(ValidationError):
        _follow_ups(plan, cast["coordinator"])
    with pytest.raises(ValidationError):
        services.record_follow_up(
            actor=cast["coordinator"],
            measure_id=plan.measures.get().pk,
            lock_version=plan.lock_version,
            year=plan.year,
            status="done",
        )
    assert _unchanged(plan) == before
    assert not FollowUp.objects.exists()


def test_a_superseded_version_is_not_followed_up(cast):
    plan = _plan(cast, PlanState.DECIDED)
    services.new_version(actor=cast["coordinator"], plan_id=plan.pk, lock_version=plan.lock_version)
    old = _fresh(plan)
    before = _unchanged(old)
    with pytest.raises(ValidationError):
        _follow_ups(old, cast["coordinator"])
    assert _unchanged(old) == before
    assert not FollowUp.objects.exists()


def test_the_current_decided_plan_is_followed_up(cast):
    plan = _plan(cast, PlanState.DECIDED)
    assert _follow_ups(plan, cast["coordinator"]) == 1
    assert FollowUp.objects.get().measure.plan_id == plan.pk


def test_each_organisations_self_report_has_its_own_version(cast, jarva):
    answers = {d.pk: ("done", "") for d in CoordinatorDuty.objects.filter(guideline__is_current=True)}
    sodermalm = Organisation.objects.get(slug="sodermalm")
    year = timezone.localdate().year
    self_report.report_duties(actor=cast["coordinator"], organisation=jarva, year=year, lock_version=0, answers=answers)
    self_report.report_duties(actor=cast["coordinator"], organisation=jarva, year=year, lock_version=1, answers=answers)
    assert self_report.current_lock_version(jarva, year) == 2
    assert self_report.current_lock_version(sodermalm, year) == 0
    assert self_report.current_lock_version(jarva, year - 1) == 0
    # Södermalm's first save is not stale because Järva has saved.
    self_report.report_duties(
        actor=cast["coordinator_other"], organisation=sodermalm, year=year, lock_version=0, answers=answers
    )
    assert self_report.current_lock_version(sodermalm, year) == 1
