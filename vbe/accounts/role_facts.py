"""What the permission rules know of a person: their memberships (read once per request object), the
roles and organisations they give, and whether the person is signed in at all. The rules themselves are
in ``vbe.accounts.permissions`` (and, for competence, ``vbe.accounts.training_rules``), which re-exports
these names; read them from there.
"""

from __future__ import annotations

from django.db.models import Model

from vbe.accounts.guarded import Person
from vbe.accounts.models import Membership, Role, most_responsible


def signed_in(user: Person, obj: Model | None = None) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def memberships(user: Person) -> list[Membership]:
    """The user's memberships, read once per request object and cached on it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_vbe_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("organisation", "unit"))
        user._vbe_memberships = cached
    return cached


def roles(user: Person) -> set[str]:
    return {m.role for m in memberships(user)}


def has_role(user: Person, *wanted: str) -> bool:
    return bool(roles(user) & set(wanted))


def org_ids_with(user: Person, *wanted: str) -> set[int]:
    """Organisations in which the user holds one of ``wanted`` roles: the scope of a role."""
    return {m.organisation_id for m in memberships(user) if m.role in wanted}


def unit_ids_with(user: Person, *wanted: str) -> set[int]:
    return {m.unit_id for m in memberships(user) if m.role in wanted and m.unit_id is not None}


def primary_membership(user: Person) -> Membership | None:
    """The membership shown in the header: the most responsible role, then the first organisation."""
    ms = memberships(user)
    if not ms:
        return None
    return most_responsible(ms)


def is_central(user: Person) -> bool:
    return signed_in(user) and has_role(user, Role.CENTRAL_COORDINATOR)
