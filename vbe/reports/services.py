"""The status report's workflow: draft → final, and back to draft when it must change.

Each service follows the portal's write shape: it locks the report's row, checks under the lock that
the actor may manage status reports (MANAGE_STATUS_REPORT), the state and the version the user saw
(``lock_version``), writes, and logs once. The years a report is made for are its reporting duty's
cadence (``vbe.reports.cycle``).

Finalising stores the compiled document (``vbe.reports.frozen``) with the report, and reopening clears
it: a final report is read as it was decided (``frozen_document``), not compiled again from data that
has changed since.
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
from vbe.reports import compile, frozen
from vbe.reports.cycle import off_cycle_error, status_report_cycle
from vbe.reports.document import DocumentData
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


def compiled_document(report: StatusReport) -> DocumentData:
    """The report compiled from the portal's data now, with its narrative and state: what a draft shows,
    and what finalising stores."""
    return compile.status_report_document(compile.status_report_data(report.year, status_report=report), report)


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
    """Draft → final: the narrative is locked, the compliance overview counts the report as done, and the
    compiled document is stored as decided (``frozen_document``)."""
    report = _locked(year, actor=actor, lock_version=lock_version)
    if report.is_final:
        raise ValidationError(_("Rapporten är redan färdigställd."))
    missing = [
        str(heading).lower() for name, heading in NARRATIVE_SECTIONS.items() if not getattr(report, name).strip()
    ]
    if missing:
        raise ValidationError(_("Skriv %(sections)s innan rapporten färdigställs.") % {"sections": ", ".join(missing)})
    report.state, report.finalised_at = StatusReportState.FINAL, timezone.now()
    # Compiled after the state is set: the stored document says "Färdig", and the compliance overview
    # inside it counts this report as done, as every later reading of the overview does.
    report.frozen_document = frozen.to_json(compiled_document(report))
    _save(report, actor=actor, action="status_report_finalised")
    return report


@transaction.atomic
def reopen(*, actor: User, year: int, lock_version: int) -> StatusReport:
    """Final → draft, when the text must change after all."""
    report = _locked(year, actor=actor, lock_version=lock_version)
    if not report.is_final:
        raise ValidationError(_("Rapporten är redan ett utkast."))
    report.state, report.finalised_at, report.frozen_document = StatusReportState.DRAFT, None, None
    _save(report, actor=actor, action="status_report_reopened")
    return report


def frozen_document(report: StatusReport) -> DocumentData | None:
    """The decided document of a final report, as stored when it was finalised; None if the report is a
    draft by now (opened again since the caller read it).

    A report finalised before documents were stored has no copy: it is compiled and stored here, once,
    under the report's row lock (a data migration cannot compile: see ``StatusReport``'s docstring).
    """
    if not report.is_final:
        return None
    if report.frozen_document is None:
        report.frozen_document = _freeze_on_first_read(report.pk)
        if report.frozen_document is None:
            return None
    return frozen.from_json(report.frozen_document)


@transaction.atomic
def _freeze_on_first_read(pk: int) -> dict | None:
    report = StatusReport.objects.select_for_update().get(pk=pk)
    if not report.is_final or report.frozen_document is not None:  # reopened, or frozen by another reader
        return report.frozen_document
    report.frozen_document = frozen.to_json(compiled_document(report))
    # Neither lock_version nor updated_at: the report did not change, its decided copy was only written
    # down, so a coordinator's open page is not made stale by someone reading it.
    report.save(update_fields=["frozen_document"])
    record(action="status_report_frozen", actor=None, obj=report, detail=str(report.year))
    return report.frozen_document
