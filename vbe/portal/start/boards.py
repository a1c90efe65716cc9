"""The board reader's start page: what the guideline requires of my board this year, whether each is done,
and what the board has decided.

The duties and their state are the compliance overview's own cells (``vbe.reports.compliance``, from the
reporting duties' cycles), read for the reader's boards only, so the start page and the central
coordinator's overview never disagree. A board reader reads decided plans only: a cell links to its plan
only once the plan is decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

from vbe.accounts import permissions
from vbe.accounts.models import Membership, Role
from vbe.organisations.models import Organisation
from vbe.plans.models import Plan
from vbe.reports.compliance import ORGANISATION_FIELDS, compliance_for, plan_url
from vbe.reports.models import StatusReport, StatusReportState
from vbe.reports.requirements import Cell, Level, Requirement


@dataclass(frozen=True)
class Duty:
    label: str
    status: str
    note: str
    level: str
    href: str = ""

    @property
    def tag(self) -> str:
        """The GOV.UK tag colour; the status is always said in words too."""
        return {Level.OK: "govuk-tag--green", Level.GAP: "govuk-tag--red", Level.PENDING: "govuk-tag--yellow"}.get(
            self.level, "govuk-tag--grey"
        )


@dataclass(frozen=True)
class Board:
    organisation: Organisation
    duties: list[Duty]


def _href(cell: Cell, year: int, organisation: Organisation) -> str:
    if cell.requirement in (Requirement.BOARD_PLAN, Requirement.DISTRICT_PLAN):
        return plan_url(cell.plan) if cell.plan is not None and cell.plan.is_decided else ""
    if cell.requirement == Requirement.BOARD_FOLLOW_UP and cell.level != Level.NOT_APPLICABLE:
        return reverse("plans:rollup", args=[year])
    if cell.requirement == Requirement.STATUS_REPORT and cell.level == Level.OK:
        return reverse("reports:status_report", args=[year])
    if cell.requirement == Requirement.COORDINATOR:
        return organisation.get_absolute_url()
    return ""


def board_reader(user: Any, membership: Membership | None) -> dict[str, Any]:
    year = timezone.localdate().year
    board_ids = permissions.org_ids_with(user, Role.BOARD_READER)
    organisations = list(Organisation.objects.filter(pk__in=board_ids, is_active=True).only(*ORGANISATION_FIELDS))
    overview = compliance_for(year, organisations=organisations)
    boards = [
        Board(
            row.organisation,
            [
                Duty(cell.requirement_label, cell.text, cell.note, cell.level, _href(cell, year, row.organisation))
                for cell in row.cells.values()
            ],
        )
        for row in overview.rows
    ]
    decided = (
        permissions.plans_visible_to(user, Plan.objects.filter(is_current=True, organisation_id__in=board_ids))
        .decided()
        .select_related("organisation")
        .defer("situation_analysis")
        .order_by("-year", "organisation__name")[:5]
    )
    return {
        "year": year,
        "boards": boards,
        "decided_plans": list(decided),
        "final_reports": list(StatusReport.objects.filter(state=StatusReportState.FINAL).only("year", "state")[:3]),
    }
