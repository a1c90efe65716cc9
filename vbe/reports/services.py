"""The status report's workflow: draft → final, and back to draft when it must change.

Each service follows the portal's write shape: it locks the report's row, checks under the lock that
the actor may manage status reports (MANAGE_STATUS_REPORT), the state and the version the user saw
(``lock_version``), writes, and logs once. The years a report is made for are its reporting duty's
cadence (``vbe.reports.cycle``).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.accounts import permissions
from vbe.accounts.models import User
from vbe.accounts.permissions import Action
from vbe.audit.log import record
from vbe.guidelines.cycle import Cycle
from vbe.reports.cycle import off_cycle_error, status_report_cycle
from vbe.reports.models import NARRATIVE_SECTIONS, StatusReport, StatusReportState

STALE = gettext_lazy(
    "Rapporten har ändrats av någon annan sedan du öppnade sidan. Ladda om sidan och gör ändringen igen."
)
FINAL = gettext_lazy("Rapporten är färdigställd och låst. Öppna den igen som utkast för att ändra texten.")
FIRST_YEAR, LAST_YEAR = 2000, 2100


def check_year(year: int, cycle: Cycle | None = None) -> None:
    """A nulägesrapport is made for the years its reporting duty names (``cycle``: that duty's cycle,
    when the caller has read it already)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            _("Ange ett år mellan %(first)s och %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    cycle = cycle or status_report_cycle()
    if not cycle.applies_in(year):
        raise ValidationError(off_cycle_error(cycle, year))


def _locked(year: int, *, actor: User, lock_version: int) -> StatusReport:
    """The one write path: lock the report, then, under the lock, check the actor's right and the version
    the user saw."""
    report = StatusReport.objects.select_for_update().get(year=year)
    permissions.require(actor, Action.MANAGE_STATUS_REPORT, report)
    if report.lock_version != lock_version:
        raise ValidationError(STALE)
    return report


def _save(report: StatusReport, *, actor: User, action: str) -> None:
    report.lock_version += 1
    report.updated_by = actor
    report.save()
    record(action=action, actor=actor, obj=report, detail=str(report.year))


@transaction.atomic
def create_draft(*, actor: User, year: int) -> StatusReport:
    permissions.require(actor, Action.MANAGE_STATUS_REPORT)
    check_year(year)
    if StatusReport.objects.filter(year=year).exists():
        raise ValidationError(_("Det finns redan en nulägesrapport för %(year)s.") % {"year": year})
    try:
        with transaction.atomic():
            report = StatusReport.objects.create(year=year, created_by=actor, updated_by=actor)
    except IntegrityError:  # created by someone else a moment ago
        raise ValidationError(_("Det finns redan en nulägesrapport för %(year)s.") % {"year": year}) from None
    record(action="status_report_created", actor=actor, obj=report, detail=str(year))
    return report


@transaction.atomic
def update_narrative(*, actor: User, year: int, lock_version: int, sections: Mapping[str, str]) -> StatusReport:
    """Saves the narrative sections (summary, analysis, conclusions) of a draft."""
    report = _locked(year, actor=actor, lock_version=lock_version)
    if report.is_final:
        raise ValidationError(FINAL)
    unknown = set(sections) - set(NARRATIVE_SECTIONS)
    if unknown:
        raise ValidationError(_("Okända avsnitt: %(sections)s.") % {"sections": ", ".join(sorted(unknown))})
    for name, text in sections.items():
        setattr(report, name, text.strip())
    _save(report, actor=actor, action="status_report_changed")
    return report


@transaction.atomic
def finalise(*, actor: User, year: int, lock_version: int) -> StatusReport:
    """Draft → final: the narrative is locked, and the compliance overview counts the report as done."""
    report = _locked(year, actor=actor, lock_version=lock_version)
    if report.is_final:
        raise ValidationError(_("Rapporten är redan färdigställd."))
    missing = [
        str(heading).lower() for name, heading in NARRATIVE_SECTIONS.items() if not getattr(report, name).strip()
    ]
    if missing:
        raise ValidationError(_("Skriv %(sections)s innan rapporten färdigställs.") % {"sections": ", ".join(missing)})
    report.state, report.finalised_at = StatusReportState.FINAL, timezone.now()
    _save(report, actor=actor, action="status_report_finalised")
    return report


@transaction.atomic
def reopen(*, actor: User, year: int, lock_version: int) -> StatusReport:
    """Final → draft, when the text must change after all."""
    report = _locked(year, actor=actor, lock_version=lock_version)
    if not report.is_final:
        raise ValidationError(_("Rapporten är redan ett utkast."))
    report.state, report.finalised_at = StatusReportState.DRAFT, None
    _save(report, actor=actor, action="status_report_reopened")
    return report
