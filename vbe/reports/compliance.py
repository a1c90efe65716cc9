"""Compliance at a glance: which organisation meets which of the guideline's requirements in a year.

For year Y, every active organisation that has a requirement gets a row; each requirement a cell with
a status (a word, never colour alone), a level (ok, pending, gap, not applicable) and a drill-down.

The requirements, and how each cell is decided from an organisation's facts, are in
``vbe.reports.requirements``; this module reads those facts in bulk, lays out the rows and builds the
drill-down for one organisation.

Everything is read in a fixed number of queries (seven), whatever the number of plans,
measures or follow-ups: counts are aggregated in SQL.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from vbe.accounts.models import Membership, Role
from vbe.guidelines.models import CoordinatorDuty, Document, ReportingDuty
from vbe.organisations.models import Organisation, OrganisationKind
from vbe.plans.models import DutyReport, Plan
from vbe.reports.models import StatusReport
from vbe.reports.requirements import REQUIREMENT_LABELS, Cell, Context, Facts, Level, Requirement, cells_for

# Rows are grouped by kind of organisation, in this order.
KIND_ORDER = [
    OrganisationKind.EXECUTIVE_BOARD,
    OrganisationKind.DISTRICT_COUNCIL,
    OrganisationKind.SPECIALIST_BOARD,
    OrganisationKind.COMPANY,
    OrganisationKind.FOUNDATION,
    OrganisationKind.COUNCIL,
]
KIND_GROUP_LABELS = {
    OrganisationKind.EXECUTIVE_BOARD: gettext_lazy("Kommunstyrelsen"),
    OrganisationKind.DISTRICT_COUNCIL: gettext_lazy("Stadsdelsnämnder"),
    OrganisationKind.SPECIALIST_BOARD: gettext_lazy("Facknämnder"),
    OrganisationKind.COMPANY: gettext_lazy("Bolag"),
    OrganisationKind.FOUNDATION: gettext_lazy("Stiftelser"),
    OrganisationKind.COUNCIL: gettext_lazy("Kommunfullmäktige"),
}


def kind_position(organisation: Organisation) -> tuple[int, str]:
    kind = organisation.kind
    return (KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER), organisation.name)


def plan_url(plan: Plan | None) -> str:
    """The plan's own page, once the plans app has one; otherwise nothing."""
    if plan is None:
        return ""
    try:
        return plan.get_absolute_url()
    except NoReverseMatch:
        return ""


# --- Loading ---------------------------------------------------------------------------------------


DutiesByOrganisation = dict[int, dict[str, ReportingDuty]]


def current_duties() -> DutiesByOrganisation:
    """{organisation id: {document: duty}} under the current guideline (one query, on the link table)."""
    links = ReportingDuty.organisations.through.objects.filter(
        reportingduty__guideline__is_current=True
    ).select_related("reportingduty")
    duties: DutiesByOrganisation = defaultdict(dict)
    for link in links:
        duties[link.organisation_id][link.reportingduty.document] = link.reportingduty
    return duties


def plans_covering(year: int, organisation_ids: Iterable[int] | None = None):
    """Current plan versions covering ``year``, each with its number of measures and of measures
    followed up for ``year`` (one query)."""
    plans = Plan.objects.filter(is_current=True, year__lte=year, end_year__gte=year).annotate(
        measure_count=Count("measures", distinct=True),
        followed_count=Count("measures__follow_ups", filter=Q(measures__follow_ups__year=year), distinct=True),
    )
    if organisation_ids is not None:
        plans = plans.filter(organisation_id__in=list(organisation_ids))
    return plans.defer("situation_analysis").order_by("organisation_id", "kind", "year", "version")


def load_facts(year: int, organisations: list[Organisation], duties: DutiesByOrganisation) -> list[Facts]:
    """Facts for ``organisations`` in three queries."""
    by_org = {o.pk: Facts(o, dict(duties.get(o.pk, {}))) for o in organisations}
    ids = list(by_org)
    coordinators = (
        Membership.objects.filter(role=Role.COORDINATOR, user__is_active=True, organisation_id__in=ids)
        .values("organisation_id")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("organisation_id", "n")
    )
    for org_id, n in coordinators:
        by_org[org_id].coordinators = n
    for plan in plans_covering(year, ids):
        by_org[plan.organisation_id].plans.append(plan)
    reports = (
        DutyReport.objects.filter(year=year, organisation_id__in=ids, duty__guideline__is_current=True)
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .values_list("organisation_id", "n")
    )
    for org_id, n in reports:
        by_org[org_id].duty_reports = n
    return list(by_org.values())


UNKNOWN: object = object()  # "not given": look it up


def _context(
    year: int, today: datetime.date | None, facts: list[Facts], *, duty_count: int | None, status_report: object
) -> Context:
    """The facts shared by all rows; ``duty_count`` and ``status_report`` may be given by a caller that
    has read them already."""
    needs_report = any(Document.STATUS_REPORT in f.duties for f in facts)
    if status_report is UNKNOWN:
        status_report = StatusReport.objects.filter(year=year).first() if needs_report else None
    if duty_count is None:
        duty_count = CoordinatorDuty.objects.filter(guideline__is_current=True).count()
    return Context(year=year, today=today or timezone.localdate(), duty_count=duty_count, status_report=status_report)


# --- The overview -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    organisation: Organisation
    cells: dict[str, Cell]

    @property
    def gaps(self) -> list[Cell]:
        return [c for c in self.cells.values() if c.is_gap]

    def cell(self, requirement: str) -> Cell | None:
        return self.cells.get(requirement)


@dataclass(frozen=True)
class Group:
    kind: str
    label: str
    requirements: list[str]
    rows: list[Row]

    @property
    def table(self) -> list[tuple[Row, list[Cell | None]]]:
        """Each row with its cells in the group's column order (None: not required of it)."""
        return [(row, [row.cell(r) for r in self.requirements]) for row in self.rows]

    @property
    def headers(self) -> list[str]:
        return [str(REQUIREMENT_LABELS[r]) for r in self.requirements]


@dataclass(frozen=True)
class Compliance:
    year: int
    today: datetime.date
    rows: list[Row]

    @property
    def requirements(self) -> list[str]:
        present = {r for row in self.rows for r in row.cells}
        return [r for r in Requirement if r in present]

    @property
    def groups(self) -> list[Group]:
        by_kind: dict[str, list[Row]] = defaultdict(list)
        for row in self.rows:
            by_kind[row.organisation.kind].append(row)
        groups = []
        for kind in sorted(by_kind, key=lambda k: KIND_ORDER.index(k) if k in KIND_ORDER else 99):
            rows = by_kind[kind]
            present = {r for row in rows for r in row.cells}
            groups.append(
                Group(
                    kind,
                    str(KIND_GROUP_LABELS.get(kind, OrganisationKind(kind).label)),
                    [r for r in Requirement if r in present],
                    rows,
                )
            )
        return groups

    def gap_counts(self) -> list[tuple[str, int]]:
        """(requirement label, number of organisations with a gap) for each requirement with gaps."""
        counts = {r: sum(1 for row in self.rows if (c := row.cell(r)) and c.is_gap) for r in self.requirements}
        return [(str(REQUIREMENT_LABELS[r]), n) for r, n in counts.items() if n]

    @property
    def rows_with_gaps(self) -> list[Row]:
        return [row for row in self.rows if row.gaps]

    def row_for(self, organisation_id: int) -> Row | None:
        return next((row for row in self.rows if row.organisation.pk == organisation_id), None)


ORGANISATION_FIELDS = ("pk", "name", "short_name", "slug", "kind", "requires_coordinator", "is_active")


def required_organisations(
    duties: DutiesByOrganisation, organisations: list[Organisation] | None = None
) -> list[Organisation]:
    """Active organisations that must have a coordinator or owe a document (one query, or none when
    the caller passes every active organisation)."""
    if organisations is None:
        organisations = list(
            Organisation.objects.filter(Q(requires_coordinator=True) | Q(pk__in=list(duties)), is_active=True).only(
                *ORGANISATION_FIELDS
            )
        )
    wanted = [o for o in organisations if o.is_active and (o.requires_coordinator or duties.get(o.pk))]
    return sorted(wanted, key=kind_position)


def compliance_for(
    year: int,
    *,
    today: datetime.date | None = None,
    organisations: list[Organisation] | None = None,
    duty_count: int | None = None,
    status_report: object = UNKNOWN,
    duties: DutiesByOrganisation | None = None,
) -> Compliance:
    """The whole overview for ``year``, in seven queries. A caller that has read them already may pass
    every active organisation, the number of coordinator duties, the year's status report (or None) and
    the current duties (``current_duties``)."""
    if duties is None:
        duties = current_duties()
    facts = load_facts(year, required_organisations(duties, organisations), duties)
    ctx = _context(year, today, facts, duty_count=duty_count, status_report=status_report)
    return Compliance(year, ctx.today, [Row(f.organisation, cells_for(f, ctx)) for f in facts])


# --- One organisation, in detail (the drill-down) ---------------------------------------------------


@dataclass(frozen=True)
class Detail:
    """The drill-down for one organisation: its cells and what lies behind each."""

    year: int
    today: datetime.date
    row: Row
    coordinators: list[Membership]
    missing_follow_ups: list[str]  # measures of the plan covering Y without a follow-up for Y
    missing_duties: list[CoordinatorDuty]  # coordinator duties without a self-report for Y
    plans: list[Plan]


def organisation_compliance(organisation: Organisation, year: int, *, today: datetime.date | None = None) -> Detail:
    duties = current_duties()
    [facts] = load_facts(year, [organisation], duties)
    ctx = _context(year, today, [facts], duty_count=None, status_report=UNKNOWN)
    row = Row(organisation, cells_for(facts, ctx))
    coordinators = list(
        Membership.objects.filter(organisation=organisation, role=Role.COORDINATOR, user__is_active=True)
        .select_related("user", "unit")
        .order_by("user__full_name")
    )
    follow_up_cell = row.cell(Requirement.BOARD_FOLLOW_UP)
    missing_follow_ups: list[str] = []
    if follow_up_cell is not None and follow_up_cell.plan is not None and follow_up_cell.level != Level.OK:
        missing_follow_ups = list(
            follow_up_cell.plan.measures.exclude(follow_ups__year=year)
            .order_by("title")
            .values_list("title", flat=True)
        )
    missing_duties: list[CoordinatorDuty] = []
    if organisation.requires_coordinator:
        missing_duties = list(
            CoordinatorDuty.objects.filter(guideline__is_current=True)
            .exclude(pk__in=DutyReport.objects.filter(organisation=organisation, year=year).values("duty_id"))
            .order_by("number")
        )
    return Detail(year, ctx.today, row, coordinators, missing_follow_ups, missing_duties, facts.plans)


def year_choices(today: datetime.date | None = None) -> list[int]:
    """The years offered in the year chooser: next year and the five before this one."""
    this_year = (today or timezone.localdate()).year
    return list(range(this_year + 1, this_year - 6, -1))


def parse_year(value: str | None, today: datetime.date | None = None) -> int:
    """A year from the query string; anything odd (missing, text, out of range) gives this year."""
    this_year = (today or timezone.localdate()).year
    text = str(value or "").strip()
    if not re.fullmatch(r"[0-9]{4}", text):
        return this_year
    year = int(text)
    return year if 2000 <= year <= 2100 else this_year


def drill_down_url(year: int, organisation: Organisation, cell: Cell | None = None) -> str:
    url = reverse("reports:compliance_detail", args=[year, organisation.slug])
    return f"{url}#{cell.anchor}" if cell else url
