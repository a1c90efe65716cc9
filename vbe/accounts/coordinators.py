"""Who the local coordinators are: which required organisations have none (a compliance gap), and the
moment an organisation loses its last one."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.dispatch import Signal

from vbe.accounts import permissions
from vbe.accounts.models import Membership, Role, User
from vbe.organisations.models import Organisation

# Sent inside the transaction that left ``organisation`` without an active coordinator (a change to
# accounts or memberships here, or a merge that moved work to a council without one:
# vbe.accounts.four_eyes_decisions), with the ``actor`` who did it. The notice that follows names
# items of the domains above accounts, so it is composed there (vbe.portal.orphans).
organisation_lost_coordinator = Signal()


@dataclass(frozen=True)
class CoordinatorRow:
    organisation: Organisation
    coordinators: list[Membership]

    @property
    def is_gap(self) -> bool:
        return not self.coordinators


def _active_coordinators() -> QuerySet[Membership]:
    return permissions.active_coordinator_memberships().select_related("user", "unit")


def coordinators_prefetch() -> Prefetch:
    """Each organisation's active coordinators, as ``organisation.coordinator_memberships``."""
    return Prefetch("memberships", queryset=_active_coordinators(), to_attr="coordinator_memberships")


def coordinator_overview() -> list[CoordinatorRow]:
    """Every active organisation that must have a coordinator, gaps first. Two queries."""
    organisations = list(Organisation.objects.filter(requires_coordinator=True, is_active=True).order_by("name"))
    coordinators: dict[int, list[Membership]] = {org.pk: [] for org in organisations}
    for membership in _active_coordinators().filter(organisation__in=organisations):
        coordinators[membership.organisation_id].append(membership)
    rows = [CoordinatorRow(org, coordinators[org.pk]) for org in organisations]
    return sorted(rows, key=lambda row: not row.is_gap)


def _coordinated_by(user_ids: list[int]) -> list[int]:
    return sorted(
        set(
            Membership.objects.filter(user_id__in=user_ids, role=Role.COORDINATOR).values_list(
                "organisation_id", flat=True
            )
        )
    )


@contextmanager
def watching_coordinators(*, actor: User, user_ids: Iterable[int]) -> Iterator[None]:
    """Wrap a change to these users' accounts or memberships. Afterwards, every organisation in which
    one of them was a coordinator that had an active coordinator before the change and has none after
    it is announced (``organisation_lost_coordinator``), in the same transaction: nothing waiting there
    may be lost silently."""
    organisation_ids = _coordinated_by(list(user_ids))
    if not organisation_ids:
        yield
        return
    with transaction.atomic():
        # Two administrators removing an organisation's last two coordinators at once: each waits for the
        # other, so the second sees the first's change and the gap is announced once, not never.
        list(Organisation.objects.select_for_update().filter(pk__in=organisation_ids).order_by("pk").values("pk"))
        covered = [pk for pk in organisation_ids if permissions.has_active_coordinator(pk)]
        yield
        for organisation in Organisation.objects.filter(pk__in=covered).order_by("pk"):
            if not permissions.has_active_coordinator(organisation.pk):
                organisation_lost_coordinator.send(sender=Organisation, organisation=organisation, actor=actor)
