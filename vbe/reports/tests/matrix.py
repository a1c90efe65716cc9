"""URL × role entries for this app (gathered by tests/test_url_role_matrix.py).

Compliance, coverage and the status report are the central coordinator's; a board reader reads the
final status reports (a draft is not found). A plan's documents follow
VIEW_PLAN: Järva's draft plan is read by Järva's coordinator and the central coordinator; the
decided plan of Utbildningsnämnden also by its coordinator and its board reader. Outside that scope
the plan is not found (404), so nobody learns which plans exist.
"""

from __future__ import annotations

from django.utils import timezone

from tests.matrix import FORBIDDEN, NOT_ALLOWED, NOT_FOUND, OK, REDIRECT, Entry, expect, only
from vbe.plans.models import Plan, PlanState
from vbe.reports.models import StatusReport

CENTRAL = only("central_coordinator")
# The board reader reads the final status reports; the matrix's report is a draft, which it does not find.
CENTRAL_AND_BOARD = only("central_coordinator", "board_reader")
DRAFT_REPORT = expect(FORBIDDEN, central_coordinator=OK, board_reader=NOT_FOUND)


def _year() -> int:
    return timezone.localdate().year


def status_report(ctx: dict) -> StatusReport:
    report, _ = StatusReport.objects.get_or_create(
        year=2025,
        defaults={"created_by": ctx["cast"]["central_coordinator"], "updated_by": ctx["cast"]["central_coordinator"]},
    )
    return report


def _plan(ctx: dict, *, slug: str, year: int, state: str, actor: str) -> Plan:
    from vbe.reports.tests.factories import make_plan

    existing = Plan.objects.filter(organisation__slug=slug, year=year, is_current=True).first()
    return existing or make_plan(actor=ctx["cast"][actor], slug=slug, year=year, state=state)


def jarva_draft(ctx: dict) -> Plan:
    return _plan(ctx, slug="jarva", year=2026, state=PlanState.DRAFT, actor="coordinator")


def board_decided(ctx: dict) -> Plan:
    return _plan(ctx, slug="utbildningsnamnden", year=2026, state=PlanState.DECIDED, actor="coordinator_board")


def _admin(suffix: str = "") -> callable:
    return lambda ctx: f"/admin/reports/statusreport/{status_report(ctx).pk}/{suffix}"


ADMIN_ROLES = ("admin", "central_coordinator")
# The admin site shows status reports to the central coordinator, to look at only.
ADMIN_VIEW = only("central_coordinator", others=FORBIDDEN)
ADMIN_NO_WRITE = only(status=FORBIDDEN)

MATRIX: dict[str, Entry] = {
    "reports:index": Entry(lambda ctx: "/rapporter/", CENTRAL_AND_BOARD),
    "reports:compliance": Entry(lambda ctx: "/rapporter/efterlevnad/?ar=2025", CENTRAL),
    "reports:compliance_xlsx": Entry(lambda ctx: f"/rapporter/efterlevnad/{_year()}.xlsx", CENTRAL),
    "reports:compliance_detail": Entry(lambda ctx: f"/rapporter/efterlevnad/{_year()}/jarva/", CENTRAL),
    "reports:coverage": Entry(lambda ctx: "/rapporter/tackning/", CENTRAL),
    "reports:coverage_xlsx": Entry(lambda ctx: f"/rapporter/tackning/{_year()}.xlsx", CENTRAL),
    "reports:status_report_list": Entry(lambda ctx: "/rapporter/nulagesrapport/", CENTRAL_AND_BOARD),
    "reports:status_report": Entry(lambda ctx: f"/rapporter/nulagesrapport/{status_report(ctx).year}/", DRAFT_REPORT),
    "reports:status_report_state": Entry(
        lambda ctx: f"/rapporter/nulagesrapport/{status_report(ctx).year}/status/", expect(NOT_ALLOWED)
    ),
    "reports:status_report_pdf": Entry(
        lambda ctx: f"/rapporter/nulagesrapport/{status_report(ctx).year}.pdf", DRAFT_REPORT
    ),
    "reports:status_report_docx": Entry(
        lambda ctx: f"/rapporter/nulagesrapport/{status_report(ctx).year}.docx", DRAFT_REPORT
    ),
    "reports:plan_pdf": Entry(
        lambda ctx: f"/rapporter/planer/{jarva_draft(ctx).pk}.pdf",
        expect(NOT_FOUND, coordinator=OK, central_coordinator=OK),
    ),
    "reports:plan_docx": Entry(
        lambda ctx: f"/rapporter/planer/{board_decided(ctx).pk}.docx",
        expect(NOT_FOUND, coordinator_board=OK, board_reader=OK, central_coordinator=OK),
    ),
    # The admin site: a list and a read-only page for the central coordinator; nobody adds, changes or
    # deletes a status report there (its own page does, with the version check and the access log).
    "admin:reports_statusreport_changelist": Entry(lambda ctx: "/admin/reports/statusreport/", ADMIN_VIEW),
    "admin:reports_statusreport_add": Entry(lambda ctx: "/admin/reports/statusreport/add/", ADMIN_NO_WRITE),
    "admin:reports_statusreport_change": Entry(_admin("change/"), ADMIN_VIEW),
    "admin:reports_statusreport_history": Entry(_admin("history/"), ADMIN_VIEW),
    "admin:reports_statusreport_delete": Entry(_admin("delete/"), ADMIN_NO_WRITE),
    "admin/reports/statusreport/<path:object_id>/": Entry(_admin(), only(*ADMIN_ROLES, status=REDIRECT)),
}
