"""What each role sees first after signing in."""

from __future__ import annotations

from typing import Any

from vbe.accounts import permissions
from vbe.accounts.coordinators import coordinator_overview
from vbe.accounts.models import Role
from vbe.audit.models import AccessLogEntry, Outcome


def start_page_for(user: Any) -> dict[str, Any]:
    membership = permissions.primary_membership(user)
    role = membership.role if membership else Role.STAFF
    context: dict[str, Any] = {"membership": membership, "role": role, "start_template": f"portal/start/_{role}.html"}
    if role in (Role.CENTRAL_COORDINATOR, Role.ADMIN):
        overview = coordinator_overview()
        context["organisations_without_coordinator"] = [row for row in overview if row.is_gap]
        context["required_count"] = len(overview)
    if role == Role.AUDITOR:
        # A short walk down the (outcome, id) index (AccessLogEntry.Meta), however long the log.
        context["recent_denials"] = AccessLogEntry.objects.filter(outcome=Outcome.DENIED).order_by("-id")[:5]
    return context
