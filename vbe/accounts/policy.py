"""When a signed-in session must (still) prove a second factor, and when it has lasted too long."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from vbe.accounts import permissions


def second_factor_required(user: Any) -> bool:
    return settings.MFA_REQUIRED and permissions.needs_second_factor(user)
