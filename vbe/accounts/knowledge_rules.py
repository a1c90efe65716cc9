"""The support rules (``vbe.knowledge``): every signed-in user reads the support resources, the symbol
guide, the contacts and the partners; an organisation's coordinators keep the resources their
organisation owns; the central coordinator keeps every resource, sees the review overview of all of
them and keeps the symbol guide. ``vbe.accounts.permissions`` puts the rules in its RULES and
re-exports the rest: read them from there.
"""

from __future__ import annotations

from vbe.accounts.guarded import Person
from vbe.accounts.models import Role
from vbe.accounts.role_facts import is_central, org_ids_with, signed_in
from vbe.organisations.models import Organisation


def resource_keeper(user: Person, organisation: Organisation | None = None) -> bool:
    """Asked without an organisation: every owner's resources at once (the review overview), for the
    central coordinator alone."""
    if not signed_in(user):
        return False
    if is_central(user):
        return True
    return organisation is not None and organisation.pk in org_ids_with(user, Role.COORDINATOR)


def resource_organisation_ids(user: Person) -> set[int]:
    """Organisations whose resources the user keeps (the central coordinator: all, not listed)."""
    return org_ids_with(user, Role.COORDINATOR)
