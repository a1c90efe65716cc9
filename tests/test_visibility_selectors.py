"""Every ``*_visible_to(user, queryset)`` selector returns exactly what ``can(user, VIEW_…, obj)`` allows.

The selectors are found by introspection of vbe/accounts/permissions.py, so a new one is covered the
day it is added: its model and view action follow from its name (``plans_visible_to`` → Plan,
``VIEW_PLAN``), and the test fails until a builder of varied objects is added below.
"""

from __future__ import annotations

import datetime
import inspect
import itertools
from collections.abc import Callable

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from conftest import CAST
from vbe.accounts import permissions
from vbe.accounts.models import Membership, Role, User
from vbe.accounts.permissions import Action
from vbe.concerns.models import Concern, Disclosure, State
from vbe.incidents.models import Incident, Status
from vbe.incidents.tests.factories import JARVA, SODERMALM, make_incident
from vbe.organisations.models import District, Organisation, Unit
from vbe.plans.models import Plan, PlanKind, PlanState

SELECTORS = {
    name: function
    for name, function in inspect.getmembers(permissions, inspect.isfunction)
    if name.endswith("_visible_to") and function.__module__ == permissions.__name__
}


def _model_and_action(selector: str):
    singular = selector.removesuffix("_visible_to").removesuffix("s")
    model = next((m for m in apps.get_models() if m._meta.model_name == singular), None)
    return model, Action[f"VIEW_{singular.upper()}"]


def _org(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


# --- Builders: a varied set of objects per model ---------------------------------------------------


def _orphaned_later(slug: str) -> Callable[[], None]:
    """An organisation whose coordinator leaves after its items arrived: call the result to deactivate."""
    coordinator = User.objects.create_user(email=f"lamnar-{slug}@test.example", password="x-losenord-123")
    Membership.objects.create(user=coordinator, organisation=_org(slug), role=Role.COORDINATOR)
    return lambda: User.objects.filter(pk=coordinator.pk).update(is_active=False)


def build_concerns(cast) -> None:
    """Concerns in several organisations, assigned or not, open or closed, with active and withdrawn
    disclosures to several organisations. Skärholmen and KS have no coordinator: some concerns there
    arrived without one (the central queue), some are flagged as if they had (stored before the flag);
    SISAB's coordinator leaves after they arrived (waiting, unread, for a new one)."""
    orgs = ["jarva", "sodermalm", "utbildningsnamnden", "skarholmen", "ks", "sisab"]
    coordinator_leaves = _orphaned_later("sisab")
    assignees = [None, "caseworker", "coordinator"]
    disclosure_sets = [
        (),
        (("utbildningsnamnden", False),),
        (("utbildningsnamnden", True),),
        (("jarva", False), ("ks", True)),
        (("ks", False), ("sodermalm", True), ("jarva", True)),
    ]
    now = timezone.now()
    for n, (slug, assignee, disclosures) in enumerate(itertools.product(orgs, assignees, disclosure_sets)):
        concern = Concern.objects.create(
            reference=f"ORO-2026-{80000 + n}",
            reporter=cast["staff"],
            reporter_organisation=_org("jarva"),
            reported_to=_org(slug),
            organisation=_org(slug),
            without_coordinator=slug in ("skarholmen", "ks") and n % 2 == 0,
            state=State.CLOSED if n % 3 == 1 else State.RECEIVED,
            assigned_to=cast[assignee] if assignee else None,
            idempotency_key=f"selector-{n}",
            observation="Test",
            observed_on=datetime.date(2026, 1, 1),
            concerns_child="no",
        )
        for to_slug, withdrawn in disclosures:
            if to_slug == slug:
                continue
            Disclosure.objects.create(
                concern=concern,
                to_organisation=_org(to_slug),
                legal_ground="Test",
                decided_by="Test",
                decided_at=now,
                recorded_by=cast["coordinator"],
                revoked_at=now if withdrawn else None,
            )
    coordinator_leaves()


def build_incidents(cast) -> None:
    """Incidents in several district councils, with and without a unit, from several organisations, open
    or closed. Skärholmen's council has no coordinator: some arrived without one (the central queue),
    some did not; Bromma's coordinator leaves after they arrived (waiting, unread, for a new one)."""
    unit = Unit.objects.get(organisation__slug="jarva", name="Testfritidsgården")
    other_unit, _ = Unit.objects.get_or_create(
        organisation=_org("sodermalm"), name="Annan fritidsgård", defaults={"kind": unit.kind}
    )
    no_membership = User.objects.create_user(email="utan-roll@test.example", password="x-losenord-123")
    skarholmen = District.objects.get(council__slug="skarholmen").code
    bromma = District.objects.get(council__slug="bromma").code
    coordinator_leaves = _orphaned_later("bromma")
    reporters = [cast["staff"], cast["coordinator_other"], cast["coordinator_board"], no_membership]
    # Incidents routed to a council without a coordinator wait in the central queue (when the model has one).
    queue = {f.name for f in Incident._meta.fields} >= {"without_coordinator"}
    for n, (reporter, district, place, status) in enumerate(
        itertools.product(
            reporters, [JARVA, SODERMALM, skarholmen, bromma], [None, unit, other_unit], [Status.NEW, Status.CLOSED]
        )
    ):
        extra = {"without_coordinator": district == skarholmen and n % 3 != 0} if queue else {}
        make_incident(reporter=reporter, district_code=district, unit=place, status=status, **extra)
    coordinator_leaves()


def build_plans(cast) -> None:
    """Plans in every state, in several organisations."""
    year = timezone.localdate().year
    for slug in ["jarva", "sodermalm", "utbildningsnamnden", "ks"]:
        kind = PlanKind.BOARD if slug == "utbildningsnamnden" else PlanKind.DISTRICT
        for offset, state in enumerate(PlanState):
            Plan.objects.create(
                organisation=_org(slug),
                kind=kind,
                year=year - offset,
                end_year=year - offset,
                state=state,
                title=f"Plan {slug} {state}",
                created_by=cast["coordinator"],
            )


BUILDERS: dict[str, Callable] = {"concern": build_concerns, "incident": build_incidents, "plan": build_plans}


def the_whole_cast(cast) -> dict[str, object]:
    """CAST, an anonymous visitor, and an inactive user who held a coordinator role."""
    inactive = User.objects.create_user(email="inaktiv@test.example", password="x-losenord-123", is_active=False)
    Membership.objects.create(user=inactive, organisation=_org("jarva"), role=Role.COORDINATOR)
    return {
        **{name: User.objects.get(pk=cast[name].pk) for name in CAST},
        "anonymous": AnonymousUser(),
        "inactive": inactive,
    }


def test_the_selectors_are_found():
    assert {"concerns_visible_to", "incidents_visible_to", "plans_visible_to"} <= set(SELECTORS)


@pytest.mark.parametrize("selector", sorted(SELECTORS))
def test_selector_returns_exactly_what_can_view_allows(cast, selector):
    model, action = _model_and_action(selector)
    assert model is not None, f"{selector}: no model named after it"
    singular = model._meta.model_name
    if singular not in BUILDERS:
        pytest.fail(f"{selector}: add a builder of varied {singular} objects to BUILDERS in this file")
    BUILDERS[singular](cast)
    objects = list(model.objects.all())
    assert len(objects) >= 10
    users = the_whole_cast(cast)
    mismatches, seen_by_someone = [], set()
    for name, user in users.items():
        selected = set(SELECTORS[selector](user, model.objects.all()).values_list("pk", flat=True))
        allowed = {obj.pk for obj in objects if permissions.can(user, action, obj)}
        seen_by_someone |= allowed
        if selected != allowed:
            mismatches.append(
                f"{name}: selector-only {sorted(selected - allowed)}, can-only {sorted(allowed - selected)}"
            )
    assert not mismatches, f"{selector}:\n" + "\n".join(mismatches)
    # The set is varied enough to mean something: some objects are seen, and not every one by everyone.
    assert seen_by_someone
    assert any(
        {o.pk for o in objects if permissions.can(u, action, o)} != {o.pk for o in objects} for u in users.values()
    )


# --- What waits, unread, for a new coordinator ---------------------------------------------------------
# Not ``*_visible_to``: these list what the central coordinator may send on but not read.

AWAITING = {
    name: function
    for name, function in inspect.getmembers(permissions, inspect.isfunction)
    if name.endswith("s_awaiting_coordinator") and function.__module__ == permissions.__name__
}
SEND_ON = {"concern": Action.HAND_OVER_CONCERN, "incident": Action.REROUTE_INCIDENT}


def test_the_awaiting_selectors_are_found():
    assert {"concerns_awaiting_coordinator", "incidents_awaiting_coordinator"} <= set(AWAITING)


@pytest.mark.parametrize("selector", sorted(AWAITING))
def test_awaiting_selector_returns_exactly_what_may_be_sent_on_but_not_read(cast, selector):
    singular = selector.removesuffix("s_awaiting_coordinator")
    model = apps.get_model(singular + "s", singular)
    view, send_on = Action[f"VIEW_{singular.upper()}"], SEND_ON[singular]
    BUILDERS[singular](cast)
    objects = list(model.objects.all())
    users = the_whole_cast(cast)
    mismatches, waiting_for_someone = [], set()
    for name, user in users.items():
        selected = set(AWAITING[selector](user, model.objects.all()).values_list("pk", flat=True))
        unread = {o.pk for o in objects if permissions.can(user, send_on, o) and not permissions.can(user, view, o)}
        waiting_for_someone |= selected
        if selected != unread:
            mismatches.append(
                f"{name}: selector-only {sorted(selected - unread)}, rule-only {sorted(unread - selected)}"
            )
    assert not mismatches, f"{selector}:\n" + "\n".join(mismatches)
    assert waiting_for_someone  # the builder made some: arrived while a coordinator was there, who left
