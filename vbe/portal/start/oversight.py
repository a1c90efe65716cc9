"""The start pages of the roles that oversee the city's work: the central coordinator and the administrator.

The central coordinator's is the city's dashboard: this year's compliance per requirement, the
organisations without a coordinator, what waits in the central queue because of that, the plans and
follow-ups that are late, and the incidents of the last twelve months with the map. Every figure comes
from the module that owns it (``vbe.reports.compliance``, ``vbe.accounts.permissions``,
``vbe.statistics``) and links to the page that lists what it counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vbe.accounts import permissions
from vbe.accounts.coordinators import coordinator_overview
from vbe.accounts.models import Membership
from vbe.concerns.models import Concern
from vbe.incidents.models import Incident
from vbe.organisations import shapes
from vbe.reports.compliance import compliance_for, drill_down_url
from vbe.reports.requirements import REQUIREMENT_LABELS, Level, Requirement
from vbe.statistics import city, dating, figures, suppression

# The requirements whose lateness is a plan's: the "overdue plans" list.
PLAN_REQUIREMENTS = (Requirement.DISTRICT_PLAN, Requirement.BOARD_PLAN, Requirement.BOARD_FOLLOW_UP)


def _coordinator_gaps() -> dict[str, Any]:
    overview = coordinator_overview()
    return {
        "organisations_without_coordinator": [row for row in overview if row.is_gap],
        "required_count": len(overview),
    }


@dataclass(frozen=True)
class RequirementLine:
    label: str
    ok: int
    pending: int
    gap: int
    late: int


@dataclass(frozen=True)
class Late:
    organisation: str
    requirement: str
    status: str
    href: str


def _compliance(year: int) -> dict[str, Any]:
    overview = compliance_for(year)
    lines, late = [], []
    for requirement in overview.requirements:
        cells = [c for row in overview.rows if (c := row.cell(requirement)) is not None]
        if all(c.level == Level.NOT_APPLICABLE for c in cells):
            continue
        lines.append(
            RequirementLine(
                str(REQUIREMENT_LABELS[requirement]),
                ok=sum(c.level == Level.OK for c in cells),
                pending=sum(c.level == Level.PENDING for c in cells),
                gap=sum(c.level == Level.GAP for c in cells),
                late=sum(c.late for c in cells),
            )
        )
    for row in overview.rows:
        for requirement in PLAN_REQUIREMENTS:
            cell = row.cell(requirement)
            if cell is not None and cell.late:
                late.append(
                    Late(
                        row.organisation.name,
                        cell.requirement_label,
                        cell.text,
                        drill_down_url(year, row.organisation, cell),
                    )
                )
    return {
        "compliance_lines": lines,
        "late_plans": late,
        "compliance_url": f"{reverse('reports:compliance')}?ar={year}",
    }


def _queues(user: Any) -> dict[str, Any]:
    """Open items at organisations without a coordinator: in the central queue, and waiting unread."""
    return {
        "queue_concerns": Concern.objects.filter(permissions.concerns_in_central_queue()).count(),
        "queue_incidents": Incident.objects.filter(permissions.incidents_in_central_queue()).count(),
        "awaiting_concerns": permissions.concerns_awaiting_coordinator(user, Concern.objects.all()).count(),
        "awaiting_incidents": permissions.incidents_awaiting_coordinator(user, Incident.objects.all()).count(),
    }


def _incidents(user: Any) -> dict[str, Any]:
    """The last twelve months' incidents per month and per district: the city statistics page's own
    protected table, so no figure here differs from that page's."""
    at = city.snapshot()
    period = dating.last_twelve_months()
    [counts] = city.incident_counts(period, at=at)
    table = city.build(
        counts,
        dimensions=city.INCIDENT_DIMENSIONS,
        exact_places=at.exact_places(suppression.exact_organisations(user)),
        districts_apart=True,
    )
    trend = figures.month_figure(
        period,
        table.of(city.CITY, city.MONTH),
        key="start-months",
        title=_("Händelser per månad i hela staden, %(period)s") % {"period": period.label},
    )
    # The map already read every district's name and code (no query of its own here).
    drawn = shapes.district_map()
    rows, district_map = figures.district_map(
        (d for d in drawn.districts if d.is_active),
        table.total,
        table.classes,
        drawn=drawn,
        chart_id="chart-start-districts",
        title=_("Händelser per stadsdelsområde, %(period)s") % {"period": period.label},
    )
    return {
        "incident_period": period,
        "incidents_total": table.total().text,
        "incident_trend": trend,
        "district_rows": rows,
        "legend": table.classes,
        "district_map": district_map,
    }


def central_coordinator(user: Any, membership: Membership | None) -> dict[str, Any]:
    year = timezone.localdate().year
    return {
        "year": year,
        **_coordinator_gaps(),
        **_compliance(year),
        **_queues(user),
        **_incidents(user),
    }


def administrator(user: Any, membership: Membership | None) -> dict[str, Any]:
    return _coordinator_gaps()
