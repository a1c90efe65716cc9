"""The competence rules asked directly: who keeps an organisation's training records, who reads its
coverage, who reads the city's, and which units a unit manager keeps."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from conftest import CAST
from vbe.accounts import permissions
from vbe.accounts.models import User
from vbe.accounts.permissions import Action
from vbe.organisations.models import Organisation, Unit
from vbe.plans.models import Plan

EVERYONE = set(CAST)


@pytest.fixture
def people(cast) -> dict[str, object]:
    return {**{name: User.objects.get(pk=cast[name].pk) for name in CAST}, "anonymous": AnonymousUser()}


def allowed(people, action: Action, obj=None) -> set[str]:
    return {name for name, user in people.items() if permissions.can(user, action, obj)}


def test_everyone_signed_in_reads_the_catalogue_and_registers_their_own(people):
    assert allowed(people, Action.VIEW_TRAINING_CATALOGUE) == EVERYONE
    assert allowed(people, Action.REGISTER_OWN_TRAINING) == EVERYONE


def test_only_the_central_coordinator_keeps_the_catalogue(people):
    assert allowed(people, Action.MANAGE_TRAINING_CATALOGUE) == {"central_coordinator"}


def test_an_organisations_coordinators_and_unit_managers_keep_its_records(people):
    jarva = Organisation.objects.get(slug="jarva")
    board = Organisation.objects.get(slug="utbildningsnamnden")
    assert allowed(people, Action.MANAGE_ORGANISATION_TRAINING, jarva) == {
        "coordinator",
        "unit_manager",
        "central_coordinator",
    }
    assert allowed(people, Action.MANAGE_ORGANISATION_TRAINING, board) == {"coordinator_board", "central_coordinator"}


def test_board_readers_read_their_boards_coverage_and_only_the_central_coordinator_the_citys(people):
    board = Organisation.objects.get(slug="utbildningsnamnden")
    assert allowed(people, Action.VIEW_TRAINING_COVERAGE, board) == {
        "coordinator_board",
        "board_reader",
        "central_coordinator",
    }
    assert allowed(people, Action.VIEW_TRAINING_COVERAGE, None) == {"central_coordinator"}


def test_a_unit_manager_keeps_only_their_own_units(people):
    jarva = Organisation.objects.get(slug="jarva")
    own = Unit.objects.get(organisation=jarva, name="Testfritidsgården")
    assert permissions.training_unit_scope(people["unit_manager"], jarva.pk) == {own.pk}
    assert permissions.training_unit_scope(people["coordinator"], jarva.pk) is None
    assert permissions.training_unit_scope(people["central_coordinator"], jarva.pk) is None
    assert permissions.training_unit_scope(people["coordinator_other"], jarva.pk) == set()


def test_the_organisations_whose_figures_a_user_reads(people):
    ids = {slug: Organisation.objects.get(slug=slug).pk for slug in ("jarva", "utbildningsnamnden")}
    assert permissions.training_organisation_ids(people["unit_manager"]) == {ids["jarva"]}
    assert permissions.training_organisation_ids(people["board_reader"]) == {ids["utbildningsnamnden"]}
    assert permissions.training_organisation_ids(people["staff"]) == set()


def test_an_organisation_rule_asked_about_another_kind_of_object_refuses(people):
    plan = Plan(organisation=Organisation.objects.get(slug="jarva"))
    with pytest.raises(TypeError):
        permissions.can(people["coordinator"], Action.MANAGE_ORGANISATION_TRAINING, plan)
    with pytest.raises(TypeError):
        permissions.can(people["coordinator"], Action.MANAGE_ORGANISATION_TRAINING, None)


def test_only_the_organisations_coordinators_and_the_central_coordinator_set_its_reminders(people):
    jarva = Organisation.objects.get(slug="jarva")
    assert allowed(people, Action.MANAGE_TRAINING_REMINDERS, jarva) == {"coordinator", "central_coordinator"}
    with pytest.raises(TypeError):
        permissions.can(people["coordinator"], Action.MANAGE_TRAINING_REMINDERS, None)
