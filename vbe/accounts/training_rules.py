"""The competence rules (``vbe.competence``): an organisation's coordinators and unit managers keep its
training records (imports, headcounts, who completed what, reminders), a unit manager only for their own
units (``training_unit_scope``); its board readers read its figures; the central coordinator keeps the
catalogue and reads and keeps every organisation's records. ``vbe.accounts.permissions`` puts the two
rules in its RULES and re-exports the rest: read them from there.
"""

from __future__ import annotations

from vbe.accounts.guarded import Person
from vbe.accounts.models import Role
from vbe.accounts.role_facts import is_central, memberships, org_ids_with, signed_in
from vbe.organisations.models import Organisation

TRAINING_KEEPER_ROLES = (Role.COORDINATOR, Role.UNIT_MANAGER)


def training_keeper(user: Person, organisation: Organisation) -> bool:
    if not signed_in(user):
        return False
    return is_central(user) or organisation.pk in org_ids_with(user, *TRAINING_KEEPER_ROLES)


def reminder_keeper(user: Person, organisation: Organisation) -> bool:
    """A choice for the whole organisation: not a unit manager's, who keeps some units only."""
    return signed_in(user) and (is_central(user) or organisation.pk in org_ids_with(user, Role.COORDINATOR))


def training_reader(user: Person, organisation: Organisation | None = None) -> bool:
    """Asked without an organisation: the city's figures, for the central coordinator alone."""
    if organisation is None:
        return signed_in(user) and is_central(user)
    return training_keeper(user, organisation) or organisation.pk in org_ids_with(user, Role.BOARD_READER)


def training_unit_scope(user: Person, organisation_id: int) -> set[int] | None:
    """The units of an organisation whose training records the user keeps: None for all of them (its
    coordinators, the central coordinator), else the units the user manages there."""
    if is_central(user) or organisation_id in org_ids_with(user, Role.COORDINATOR):
        return None
    return {
        m.unit_id
        for m in memberships(user)
        if m.role == Role.UNIT_MANAGER and m.organisation_id == organisation_id and m.unit_id is not None
    }


def training_organisation_ids(user: Person) -> set[int]:
    """Organisations whose training figures the user may read (the central coordinator: all, not listed)."""
    return org_ids_with(user, *TRAINING_KEEPER_ROLES, Role.BOARD_READER)
