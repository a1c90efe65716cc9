"""Who the local coordinators are, and which required organisations have none (a compliance gap)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from vbe.accounts.models import Membership, Role
from vbe.organisations.models import Organisation


@dataclass(frozen=True)
class CoordinatorRow:
    organisation: Organisation
    coordinators: list[Membership]

    @property
    def is_gap(self) -> bool:
        return not self.coordinators


def coordinators_prefetch() -> Prefetch:
    return Prefetch(
        "memberships",
        queryset=Membership.objects.filter(role=Role.COORDINATOR, user__is_active=True).select_related("user", "unit"),
        to_attr="coordinator_memberships",
    )


def coordinator_overview() -> list[CoordinatorRow]:
    """Every active organisation that must have a coordinator, gaps first. Two queries."""
    organisations = (
        Organisation.objects.filter(requires_coordinator=True, is_active=True)
        .prefetch_related(coordinators_prefetch())
        .order_by("name")
    )
    rows = [CoordinatorRow(org, org.coordinator_memberships) for org in organisations]
    return sorted(rows, key=lambda row: not row.is_gap)
