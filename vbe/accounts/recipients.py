"""Who is told: the active coordinators of an organisation, or the city's central coordinators."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from vbe.accounts import permissions
from vbe.accounts.models import Role, User
from vbe.organisations.models import Organisation


def coordinators_of(organisation_id: int) -> QuerySet[User]:
    """The organisation's active local coordinators. None means nobody there can receive anything."""
    return User.objects.filter(
        is_active=True, memberships__organisation_id=organisation_id, memberships__role=Role.COORDINATOR
    ).distinct()


def central_coordinators() -> QuerySet[User]:
    """The city's active central coordinators (the role is city-wide, whatever its organisation)."""
    return User.objects.filter(is_active=True, memberships__role=Role.CENTRAL_COORDINATOR).distinct()


def organisations_marked_for_coordinator() -> QuerySet[Organisation]:
    """Active organisations, each with ``has_coordinator``: whether anyone there can receive a report."""
    coordinator = permissions.active_coordinator_memberships().filter(organisation=OuterRef("pk"))
    return Organisation.objects.filter(is_active=True).annotate(has_coordinator=Exists(coordinator)).order_by("name")
