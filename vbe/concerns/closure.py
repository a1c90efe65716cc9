"""Closing a concern (with the orosanmälan a concern about a child needs first), how long it is kept
afterwards, and keeping it for a legal reason. Every write goes through vbe.concerns.writes."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.accounts.models import User
from vbe.accounts.permissions import Action
from vbe.concerns.models import ActionKind, Concern, Outcome, RetentionPeriod, State
from vbe.concerns.services import _record_action, needs_child_report
from vbe.concerns.writes import _locked, _log, _open, _save

DEFAULT_RETENTION_DAYS = 365


def retention_days(outcome: str) -> int:
    period = RetentionPeriod.objects.filter(outcome=outcome).first()
    return period.days if period else DEFAULT_RETENTION_DAYS


CHILD_REPORT_MADE = "made"
CHILD_REPORT_NOT_MADE = "not_made"
CHILD_REPORT_MISSING = gettext_lazy(
    "Oron gäller ett barn, eller kan göra det, och ingen orosanmälan är registrerad. Ange vem som gjorde "
    "orosanmälan och när, eller skriv varför ingen orosanmälan har gjorts (till exempel att personen är vuxen)."
)


@transaction.atomic
def close(
    *,
    actor: User,
    concern_id: int,
    lock_version: int,
    outcome: str,
    reason: str = "",
    child_report: str = "",
    child_report_made_by: str = "",
    child_report_made_on: datetime.date | None = None,
    child_report_district_id: int | None = None,
    child_report_reason: str = "",
) -> Concern:
    """Closes the concern. One about a child without an orosanmälan on record is closed only together
    with recording one (``child_report="made"``: by whom, when, to which district's social services)
    or a written reason why none was made (``child_report="not_made"``)."""
    concern = _locked(concern_id, actor=actor, action=Action.HANDLE_CONCERN, lock_version=lock_version)
    _open(concern)
    if outcome == Outcome.NO_FURTHER_ACTION and not reason.strip():
        raise ValidationError(_("Skriv varför ingen vidare åtgärd behövs."))
    if needs_child_report(concern):
        if child_report == CHILD_REPORT_MADE:
            _record_action(
                concern=concern,
                actor=actor,
                kind=ActionKind.CHILD_WELFARE_REPORT,
                done_on=child_report_made_on,
                district_id=child_report_district_id,
                made_by=child_report_made_by,
                note="",
            )
        elif child_report == CHILD_REPORT_NOT_MADE and child_report_reason.strip():
            concern.child_report_not_made_reason = child_report_reason.strip()
        else:
            raise ValidationError(CHILD_REPORT_MISSING)
    before = concern.state
    concern.state, concern.outcome, concern.closure_reason = State.CLOSED, outcome, reason.strip()
    concern.closed_at = timezone.now()
    concern.retain_until = timezone.localdate() + datetime.timedelta(days=retention_days(outcome))
    _save(
        concern,
        actor=actor,
        kind="closed",
        from_state=before,
        summary=_("Avslutad: %(outcome)s") % {"outcome": Outcome(outcome).label},
    )
    _log(actor=actor, action="concern_closed", concern=concern, detail=outcome)
    return concern


@transaction.atomic
def set_legal_hold(*, actor: User, concern_id: int, lock_version: int, hold: bool, reason: str = "") -> Concern:
    concern = _locked(concern_id, actor=actor, action=Action.COORDINATE_CONCERN, lock_version=lock_version)
    if hold and not reason.strip():
        raise ValidationError(_("Ange skälet till att ärendet ska bevaras."))
    concern.legal_hold, concern.legal_hold_reason = hold, reason.strip() if hold else ""
    summary = _("Bevaras av rättsligt skäl") if hold else _("Bevarandet hävt")
    _save(concern, actor=actor, kind="legal_hold", summary=summary)
    _log(actor=actor, action="concern_legal_hold" if hold else "concern_legal_hold_lifted", concern=concern)
    return concern
