"""The start pages of the roles that oversee the city's work: the central coordinator and the administrator."""

from __future__ import annotations

from typing import Any

from vbe.accounts.coordinators import coordinator_overview
from vbe.accounts.models import Membership


def _coordinator_gaps() -> dict[str, Any]:
    overview = coordinator_overview()
    return {
        "organisations_without_coordinator": [row for row in overview if row.is_gap],
        "required_count": len(overview),
    }


def central_coordinator(user: Any, membership: Membership | None) -> dict[str, Any]:
    return _coordinator_gaps()


def administrator(user: Any, membership: Membership | None) -> dict[str, Any]:
    return _coordinator_gaps()
