"""The collaboration rules (``vbe.collaboration``): the democracy condition and the forums.

- The actor register and every board's and company's *decisions* (decision, deciding body, date, how
  long it holds) are read by those who assess or follow the work: coordinators, unit managers, the
  central coordinator and board readers, in any organisation. Coordinators, unit managers and the
  central coordinator register actors.
- An organisation's assessments are made, and their working notes (evidence, sources, findings,
  reasons) read, by that organisation's coordinators and unit managers; the central coordinator
  assesses for the organisations of their own membership (the executive board). Nobody else reads
  another organisation's working notes, the central coordinator included.
- The criteria of the democracy condition and the forums themselves are kept by the central
  coordinator.
- A forum's meetings are read by the coordinators, caseworkers, unit managers and board readers of its
  member organisations and by the central coordinator; recorded and followed up by the coordinators and
  caseworkers of its member organisations and by the central coordinator.

``vbe.accounts.permissions`` puts the rules in its RULES; read them from there.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from typing_extensions import TypeIs

from vbe.accounts.guarded import Person
from vbe.accounts.models import Role
from vbe.accounts.role_facts import has_role, is_central, org_ids_with, signed_in
from vbe.organisations.models import Organisation

REGISTER_READER_ROLES = (Role.COORDINATOR, Role.UNIT_MANAGER, Role.CENTRAL_COORDINATOR, Role.BOARD_READER)
ASSESSOR_ROLES = (Role.COORDINATOR, Role.UNIT_MANAGER)
MEETING_READER_ROLES = (Role.COORDINATOR, Role.CASEWORKER, Role.UNIT_MANAGER, Role.BOARD_READER)
MEETING_WRITER_ROLES = (Role.COORDINATOR, Role.CASEWORKER)


@runtime_checkable
class ForumFacts(Protocol):
    """A forum (``vbe.collaboration.models.Forum``): the ids of its member organisations in the city."""

    @property
    def member_organisation_ids(self) -> frozenset[int]: ...


def is_forum(obj: object) -> TypeIs[ForumFacts]:
    return isinstance(obj, ForumFacts)


def register_reader(user: Person, obj: object = None) -> bool:
    return signed_in(user) and has_role(user, *REGISTER_READER_ROLES)


def register_keeper(user: Person, obj: object = None) -> bool:
    return signed_in(user) and has_role(user, *ASSESSOR_ROLES, Role.CENTRAL_COORDINATOR)


def assessing_organisation_ids(user: Person) -> set[int]:
    """The organisations the user assesses for (and reads the working notes of)."""
    if not signed_in(user):
        return set()
    return org_ids_with(user, *ASSESSOR_ROLES) | org_ids_with(user, Role.CENTRAL_COORDINATOR)


def assessor(user: Person, organisation: Organisation | None = None) -> bool:
    """About an organisation: may assess for it and read its working notes. Asked without one: may
    assess for some organisation (whether to offer "Ny bedömning")."""
    ids = assessing_organisation_ids(user)
    return bool(ids) if organisation is None else organisation.pk in ids


def meeting_reader(user: Person, forum: ForumFacts) -> bool:
    if not signed_in(user):
        return False
    return is_central(user) or bool(org_ids_with(user, *MEETING_READER_ROLES) & forum.member_organisation_ids)


def meeting_writer(user: Person, forum: ForumFacts) -> bool:
    if not signed_in(user):
        return False
    return is_central(user) or bool(org_ids_with(user, *MEETING_WRITER_ROLES) & forum.member_organisation_ids)
