"""The status report's workflow: draft → final, and back to draft when it must change.

Each service locks the row, checks the state and the version the user saw, writes, and logs.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from vbe.accounts.models import User
from vbe.audit.log import record
from vbe.reports.models import NARRATIVE_SECTIONS, StatusReport, StatusReportState

STALE = "Rapporten har ändrats av någon annan sedan du öppnade sidan. Ladda om sidan och gör ändringen igen."
FINAL = "Rapporten är färdigställd och låst. Öppna den igen som utkast för att ändra texten."
FIRST_YEAR, LAST_YEAR = 2000, 2100


def check_year(year: int) -> None:
    """A nulägesrapport is for an odd year (the guideline's cycle: every odd year to KF)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(f"Ange ett år mellan {FIRST_YEAR} och {LAST_YEAR}.")
    if year % 2 == 0:
        raise ValidationError(
            f"Nulägesrapporten tas fram vartannat år, för ojämna år. {year} är ett jämnt år: välj {year - 1} eller {year + 1}."
        )


def _locked(year: int, lock_version: int | None) -> StatusReport:
    report = StatusReport.objects.select_for_update().get(year=year)
    if lock_version is not None and report.lock_version != lock_version:
        raise ValidationError(STALE)
    return report


def _save(report: StatusReport, *, actor: User, request: Any, action: str, detail: str = "") -> None:
    report.lock_version += 1
    report.updated_by = actor
    report.save()
    record(action=action, request=request, actor=actor, obj=report, detail=detail or str(report.year))


@transaction.atomic
def create_draft(*, request: Any = None, year: int, actor: User) -> StatusReport:
    check_year(year)
    if StatusReport.objects.filter(year=year).exists():
        raise ValidationError(f"Det finns redan en nulägesrapport för {year}.")
    try:
        with transaction.atomic():
            report = StatusReport.objects.create(year=year, created_by=actor, updated_by=actor)
    except IntegrityError:  # created by someone else a moment ago
        raise ValidationError(f"Det finns redan en nulägesrapport för {year}.") from None
    record(action="status_report_created", request=request, actor=actor, obj=report, detail=str(year))
    return report


@transaction.atomic
def update_narrative(
    *, request: Any = None, year: int, actor: User, lock_version: int, sections: dict[str, str]
) -> StatusReport:
    """Saves the narrative sections (summary, analysis, conclusions) of a draft."""
    report = _locked(year, lock_version)
    if report.is_final:
        raise ValidationError(FINAL)
    unknown = set(sections) - set(NARRATIVE_SECTIONS)
    if unknown:
        raise ValidationError(f"Okända avsnitt: {', '.join(sorted(unknown))}.")
    for name, text in sections.items():
        setattr(report, name, text.strip())
    _save(report, actor=actor, request=request, action="status_report_changed")
    return report


@transaction.atomic
def finalise(*, request: Any = None, year: int, actor: User, lock_version: int) -> StatusReport:
    """Draft → final: the narrative is locked, and the compliance overview counts the report as done."""
    report = _locked(year, lock_version)
    if report.is_final:
        raise ValidationError("Rapporten är redan färdigställd.")
    missing = [heading.lower() for name, heading in NARRATIVE_SECTIONS.items() if not getattr(report, name).strip()]
    if missing:
        raise ValidationError(f"Skriv {', '.join(missing)} innan rapporten färdigställs.")
    report.state, report.finalised_at = StatusReportState.FINAL, timezone.now()
    _save(report, actor=actor, request=request, action="status_report_finalised")
    return report


@transaction.atomic
def reopen(*, request: Any = None, year: int, actor: User, lock_version: int) -> StatusReport:
    """Final → draft, when the text must change after all."""
    report = _locked(year, lock_version)
    if not report.is_final:
        raise ValidationError("Rapporten är redan ett utkast.")
    report.state, report.finalised_at = StatusReportState.DRAFT, None
    _save(report, actor=actor, request=request, action="status_report_reopened")
    return report
