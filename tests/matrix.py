"""Shared vocabulary of the URL × role matrix (tests/test_url_role_matrix.py).

An app keeps the entries for its own routes in ``vbe/<app>/tests/matrix.py`` as a dict ``MATRIX``
of route name -> Entry; the matrix test gathers them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from conftest import CAST

ROLES = ["anonymous", *CAST]
OK, REDIRECT, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 302, 403, 404, 405


def expect(signed_in: int, anonymous: int = REDIRECT, **by_role: int) -> dict[str, int]:
    """Status for every role: ``signed_in`` unless the role is named; anonymous separately."""
    return {"anonymous": anonymous, **{role: by_role.get(role, signed_in) for role in CAST}}


def only(*roles: str, status: int = OK, others: int = FORBIDDEN) -> dict[str, int]:
    return expect(others, **dict.fromkeys(roles, status))


@dataclass(frozen=True)
class Entry:
    """``path`` gets a context: ``cast`` (name -> User) and ``pk(model)`` (first primary key)."""

    path: Callable[[dict], str]
    expected: dict[str, int]
