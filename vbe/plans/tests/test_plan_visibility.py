"""Who reads which plan, asked of the selector and the rule themselves (``plans_visible_to`` and
``can(VIEW_PLAN)``), not only through the plan pages: the board reads its own decided plans and never a
draft, the coordinators their organisation's plans in every state, the central coordinator every plan."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from vbe.accounts import permissions
from vbe.accounts.models import Membership, Role, User
from vbe.accounts.permissions import Action
from vbe.organisations.models import Organisation
from vbe.plans.models import LOCKED_STATES, Plan, PlanKind, PlanState

YEAR = timezone.localdate().year
DECIDED = {PlanState.DECIDED, PlanState.FOLLOWED_UP}


def _org(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


@pytest.fixture
def plans(cast) -> dict[tuple[str, str], Plan]:
    """One plan in every state for the board (Utbildningsnämnden), a district (Järva) and another board
    (Kommunstyrelsen): ``plans[(slug, state)]``."""
    made = {}
    for slug, kind in [("utbildningsnamnden", PlanKind.BOARD), ("jarva", PlanKind.DISTRICT), ("ks", PlanKind.BOARD)]:
        for offset, state in enumerate(PlanState):
            made[(slug, state)] = Plan.objects.create(
                organisation=_org(slug),
                kind=kind,
                year=YEAR - offset,
                end_year=YEAR - offset,
                state=state,
                title=f"Plan {slug} {state}",
                created_by=cast["coordinator"],
            )
    return made


def _visible(user, plans) -> set[tuple[str, str]]:
    selected = set(permissions.plans_visible_to(user, Plan.objects.all()).values_list("pk", flat=True))
    readable = {key for key, plan in plans.items() if permissions.can(user, Action.VIEW_PLAN, plan)}
    # The selector and the rule answer alike, for every plan.
    assert {key for key, plan in plans.items() if plan.pk in selected} == readable
    return readable


def test_the_board_reader_sees_the_boards_decided_plans_and_never_a_draft(cast, plans):
    seen = _visible(User.objects.get(pk=cast["board_reader"].pk), plans)
    assert seen == {("utbildningsnamnden", state) for state in DECIDED}
    for state in (PlanState.DRAFT, PlanState.READY):
        assert ("utbildningsnamnden", state) not in seen


def test_only_decided_and_followed_up_plans_count_as_decided(plans):
    assert set(LOCKED_STATES) == DECIDED
    decided = set(Plan.objects.decided().values_list("pk", flat=True))
    assert decided == {plan.pk for (_, state), plan in plans.items() if state in DECIDED}
    assert all(plan.is_decided == (state in DECIDED) for (_, state), plan in plans.items())


def test_the_coordinators_see_their_own_organisations_plans_in_every_state(cast, plans):
    assert _visible(User.objects.get(pk=cast["coordinator_board"].pk), plans) == {
        ("utbildningsnamnden", state) for state in PlanState
    }
    assert _visible(User.objects.get(pk=cast["coordinator"].pk), plans) == {("jarva", state) for state in PlanState}


def test_a_coordinator_who_also_reads_a_board_sees_both_and_no_more(cast, plans):
    """The two scopes add up: every plan of the district, the board's decided ones, nothing else."""
    coordinator = cast["coordinator"]
    Membership.objects.create(user=coordinator, organisation=_org("utbildningsnamnden"), role=Role.BOARD_READER)
    assert _visible(User.objects.get(pk=coordinator.pk), plans) == {("jarva", state) for state in PlanState} | {
        ("utbildningsnamnden", state) for state in DECIDED
    }


def test_the_central_coordinator_sees_every_plan(cast, plans):
    assert _visible(User.objects.get(pk=cast["central_coordinator"].pk), plans) == set(plans)


@pytest.mark.parametrize("name", ["staff", "unit_manager", "caseworker", "auditor", "admin"])
def test_roles_outside_the_plan_cycle_see_no_plan(cast, plans, name):
    assert _visible(User.objects.get(pk=cast[name].pk), plans) == set()


def test_no_plan_for_an_anonymous_visitor_or_a_deactivated_coordinator(cast, plans):
    assert _visible(AnonymousUser(), plans) == set()
    User.objects.filter(pk=cast["coordinator_board"].pk).update(is_active=False)
    assert _visible(User.objects.get(pk=cast["coordinator_board"].pk), plans) == set()


def test_only_the_organisations_coordinators_edit_its_plans(cast, plans):
    plan = plans[("utbildningsnamnden", PlanState.DRAFT)]
    may_edit = {name for name in cast if permissions.can(User.objects.get(pk=cast[name].pk), Action.EDIT_PLAN, plan)}
    assert may_edit == {"coordinator_board"}
