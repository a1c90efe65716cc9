"""What each role sees first after signing in: one module a role, each answering the question that role
comes with. ``start_page_for`` picks the module by the user's most responsible role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vbe.accounts import permissions
from vbe.accounts.models import Membership, Role
from vbe.portal.start import boards, handling, oversight, records, units

Builder = Callable[[Any, Membership | None], dict[str, Any]]

# The role's own part of the start page; a role without one shows its template alone.
BUILDERS: dict[str, Builder] = {
    Role.CENTRAL_COORDINATOR: oversight.central_coordinator,
    Role.ADMIN: oversight.administrator,
    Role.AUDITOR: records.auditor,
    Role.UNIT_MANAGER: units.unit_manager,
    Role.BOARD_READER: boards.board_reader,
    Role.COORDINATOR: handling.coordinator,
    Role.CASEWORKER: handling.caseworker,
}


def start_page_for(user: Any) -> dict[str, Any]:
    membership = permissions.primary_membership(user)
    role = membership.role if membership else Role.STAFF
    context: dict[str, Any] = {"membership": membership, "role": role, "start_template": f"portal/start/_{role}.html"}
    if builder := BUILDERS.get(role):
        context.update(builder(user, membership))
    return context
