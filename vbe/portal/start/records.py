"""The auditor's start page: the access log's latest refusals."""

from __future__ import annotations

from typing import Any

from vbe.accounts.models import Membership
from vbe.audit.models import AccessLogEntry, Outcome


def auditor(user: Any, membership: Membership | None) -> dict[str, Any]:
    # A short walk down the (outcome, id) index (AccessLogEntry.Meta), however long the log.
    return {"recent_denials": AccessLogEntry.objects.filter(outcome=Outcome.DENIED).order_by("-id")[:5]}
