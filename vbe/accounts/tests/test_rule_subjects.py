"""A rule about one kind of object is never asked about another (vbe.accounts.guarded).

The rules read facts such as ``organisation_id`` that many models have; asked about the wrong kind of
object, a rule must refuse loudly, not answer from whatever facts happen to match.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from vbe.accounts import permissions
from vbe.accounts.models import AccessChangeRequest, ChangeKind
from vbe.accounts.permissions import Action
from vbe.concerns.models import Concern
from vbe.organisations.models import Organisation
from vbe.plans.models import Plan

pytestmark = pytest.mark.django_db


def test_a_concern_rule_asked_about_a_plan_refuses(cast):
    # The plan's organisation is the coordinator's: read as a concern, its facts would let them in.
    plan = Plan(organisation=Organisation.objects.get(slug="jarva"))
    with pytest.raises(TypeError, match="_concern_reader"):
        permissions.can(cast["coordinator"], Action.VIEW_CONCERN, plan)
    with pytest.raises(TypeError, match="_concern_coordinator"):
        permissions.require(cast["coordinator"], Action.COORDINATE_CONCERN, plan)


def test_an_object_rule_asked_about_nothing_refuses(cast):
    for action in (Action.EDIT_PLAN, Action.VIEW_INCIDENT, Action.HANDLE_CONCERN, Action.REPORT_DUTIES):
        with pytest.raises(TypeError):
            permissions.can(cast["coordinator"], action, None)


def test_the_right_kind_of_object_is_judged_as_before(cast):
    jarva, sodermalm = Organisation.objects.get(slug="jarva"), Organisation.objects.get(slug="sodermalm")
    coordinator = cast["coordinator"]
    assert permissions.can(coordinator, Action.EDIT_PLAN, Plan(organisation=jarva))
    assert not permissions.can(coordinator, Action.EDIT_PLAN, Plan(organisation=sodermalm))
    assert permissions.can(coordinator, Action.REPORT_DUTIES, jarva)
    assert not permissions.can(coordinator, Action.REPORT_DUTIES, sodermalm)
    assert permissions.can(coordinator, Action.HANDLE_CONCERN, Concern(organisation=jarva))
    assert not permissions.can(AnonymousUser(), Action.HANDLE_CONCERN, Concern(organisation=jarva))


def test_deciding_access_changes_is_asked_with_or_without_a_proposal(cast):
    admin = cast["admin"]
    assert permissions.can(admin, Action.DECIDE_ACCESS_CHANGE)  # the list
    theirs = AccessChangeRequest(kind=ChangeKind.RESET_PASSWORD, target=cast["staff"], proposed_by=cast["auditor"])
    assert permissions.can(admin, Action.DECIDE_ACCESS_CHANGE, theirs)
    own = AccessChangeRequest(kind=ChangeKind.RESET_PASSWORD, target=cast["staff"], proposed_by=admin)
    assert not permissions.can(admin, Action.DECIDE_ACCESS_CHANGE, own)
    with pytest.raises(TypeError):
        permissions.can(admin, Action.DECIDE_ACCESS_CHANGE, Plan(organisation=Organisation.objects.get(slug="ks")))
