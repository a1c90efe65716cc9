"""Compliance at a glance: which organisation meets which of the guideline's requirements in a year.

For year Y, every active organisation that has a requirement gets a row; each requirement a cell with
a status (a word, never colour alone), a level (ok, pending, gap, not applicable) and a drill-down.

Which organisations, which requirements
    The requirements come from the data, not from code: ``Organisation.requires_coordinator`` and the
    current guideline's ``ReportingDuty`` rows (the same rules ``vbe.guidelines.duties.duties_for``
    reads; here they are read once for all organisations instead of once per organisation).

``coordinator`` – lokal samordnare (organisations with ``requires_coordinator``)
    ok when at least one active user holds an active coordinator membership, else a gap. This is
    today's state whatever year is chosen: memberships carry no history.

``district_plan`` – lägesbild och åtgärdsplan (organisations with the district_plan or
situation_picture duty: the district councils)
    The current version of the organisation's plan with year Y: "Saknas" (none), "Utkast" (draft),
    "Lämnad" (ready for the board), "Beslutad" (decided or followed up). Decided is ok. Anything else
    is pending until the district_plan duty's due date of Y, then a gap marked "försenad" (late).

``board_plan`` – handlingsplan (organisations with the board_plan duty)
    A handlingsplan is made in even years and covers two: for an even Y the plan with year Y, for an
    odd Y the plan of Y−1. Statuses and lateness as above, against the board_plan duty's due date
    of the plan's first year.

``board_follow_up`` – uppföljning av handlingsplanen för Y (organisations with the board_follow_up duty)
    Done ("Klar") when the current, decided plan covering Y has measures and every measure has a
    FollowUp for Y. The plan's state alone is not used: a two-year plan stays "uppföljd" after its
    first year's follow-up, so the state cannot tell which year was followed up. No decided plan
    covering Y: "Ingen beslutad plan". Not done: pending until the board_follow_up duty's due date
    of Y, then a gap marked late.

``status_report`` – nulägesrapport (organisations with the status_report duty: KS)
    Only in the years the duty applies (odd years); other years "Inte aktuellt". "Färdig" (ok) when
    the StatusReport for Y is final, "Utkast" when a draft exists, otherwise "Saknas"; late after the
    duty's due date.

``duty_report`` – samordnarnas självskattning (organisations with ``requires_coordinator``)
    Done when the organisation has a DutyReport for Y for every coordinator duty of the current
    guideline ("6 av 6"). There is no due date in the data: missing answers are pending during Y and
    a gap once Y is over.

Everything is read in a fixed number of queries (seven), whatever the number of plans,
measures or follow-ups: counts are aggregated in SQL.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from vbe.accounts.models import Membership, Role
from vbe.guidelines.models import CoordinatorDuty, Document, ReportingDuty
from vbe.organisations.models import Organisation, OrganisationKind
from vbe.plans.models import DutyReport, Plan, PlanKind, PlanState
from vbe.reports.models import StatusReport, StatusReportState


class Level(StrEnum):
    OK = "ok"
    PENDING = "pending"
    GAP = "gap"
    NOT_APPLICABLE = "na"


class Requirement(StrEnum):
    COORDINATOR = "coordinator"
    DISTRICT_PLAN = "district_plan"
    BOARD_PLAN = "board_plan"
    BOARD_FOLLOW_UP = "board_follow_up"
    STATUS_REPORT = "status_report"
    DUTY_REPORT = "duty_report"


REQUIREMENT_LABELS: dict[str, str] = {
    Requirement.COORDINATOR: "Lokal samordnare",
    Requirement.DISTRICT_PLAN: "Lägesbild och åtgärdsplan",
    Requirement.BOARD_PLAN: "Handlingsplan",
    Requirement.BOARD_FOLLOW_UP: "Uppföljning av handlingsplan",
    Requirement.STATUS_REPORT: "Nulägesrapport",
    Requirement.DUTY_REPORT: "Självskattning av samordnaruppdraget",
}
# Short anchors for the drill-down page (#krav-…).
REQUIREMENT_ANCHORS: dict[str, str] = {
    Requirement.COORDINATOR: "samordnare",
    Requirement.DISTRICT_PLAN: "atgardsplan",
    Requirement.BOARD_PLAN: "handlingsplan",
    Requirement.BOARD_FOLLOW_UP: "uppfoljning",
    Requirement.STATUS_REPORT: "nulagesrapport",
    Requirement.DUTY_REPORT: "sjalvskattning",
}
LEVEL_TAGS = {
    Level.OK: "govuk-tag--green",
    Level.PENDING: "govuk-tag--yellow",
    Level.GAP: "govuk-tag--red",
    Level.NOT_APPLICABLE: "govuk-tag--grey",
}
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
    OrganisationKind.EXECUTIVE_BOARD: "Kommunstyrelsen",
    OrganisationKind.DISTRICT_COUNCIL: "Stadsdelsnämnder",
    OrganisationKind.SPECIALIST_BOARD: "Facknämnder",
    OrganisationKind.COMPANY: "Bolag",
    OrganisationKind.FOUNDATION: "Stiftelser",
    OrganisationKind.COUNCIL: "Kommunfullmäktige",
}
PLAN_DOCUMENTS = {Document.SITUATION_PICTURE, Document.DISTRICT_PLAN}
MONTHS_SV = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]


def date_sv(day: datetime.date) -> str:
    return f"{day.day} {MONTHS_SV[day.month - 1]} {day.year}"


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


# --- Cells -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    requirement: str
    level: str
    label: str  # the status in a word or two: "Beslutad", "Saknas"
    note: str = ""  # e.g. "senast 30 april 2026", "3 av 5 åtgärder"
    late: bool = False
    plan: Plan | None = None  # the plan the status is about, if any

    @property
    def text(self) -> str:
        return f"{self.label} – försenad" if self.late else self.label

    @property
    def summary(self) -> str:
        """The status and its note in one line, for documents and spreadsheets."""
        return f"{self.text} ({self.note})" if self.note else self.text

    @property
    def tag_class(self) -> str:
        return LEVEL_TAGS[Level(self.level)]

    @property
    def is_gap(self) -> bool:
        return self.level == Level.GAP

    @property
    def requirement_label(self) -> str:
        return REQUIREMENT_LABELS[self.requirement]

    @property
    def anchor(self) -> str:
        return f"krav-{REQUIREMENT_ANCHORS[self.requirement]}"


def _deadline_level(done: bool, due: datetime.date | None, today: datetime.date) -> tuple[str, bool]:
    """ok when done; otherwise pending until the due date, then a gap and late."""
    if done:
        return Level.OK, False
    if due is not None and today > due:
        return Level.GAP, True
    return Level.PENDING, False


PLAN_STATE_LABELS = {
    PlanState.DRAFT: "Utkast",
    PlanState.READY: "Lämnad",
    PlanState.DECIDED: "Beslutad",
    PlanState.FOLLOWED_UP: "Beslutad",
}


def _plan_cell(requirement: str, plan: Plan | None, due: datetime.date | None, today: datetime.date) -> Cell:
    decided = plan is not None and plan.state in (PlanState.DECIDED, PlanState.FOLLOWED_UP)
    level, late = _deadline_level(decided, due, today)
    label = "Saknas" if plan is None else PLAN_STATE_LABELS.get(PlanState(plan.state), plan.get_state_display())
    if decided and plan.decided_on:
        note = f"beslutad {date_sv(plan.decided_on)}"
    elif due is not None:
        note = f"senast {date_sv(due)}"
    else:
        note = ""
    return Cell(requirement, level, label, note, late, plan)


# --- The facts behind the cells, read in bulk ----------------------------------------------------


@dataclass
class Facts:
    """What the cells of one organisation are computed from."""

    organisation: Organisation
    duties: dict[str, ReportingDuty] = field(default_factory=dict)  # document -> duty
    coordinators: int = 0
    plans: list[Plan] = field(default_factory=list)  # current versions covering Y, annotated
    duty_reports: int = 0


@dataclass(frozen=True)
class Context:
    year: int
    today: datetime.date
    duty_count: int  # coordinator duties of the current guideline
    status_report: StatusReport | None


def _requirements(facts: Facts) -> list[str]:
    docs = facts.duties
    found = []
    if facts.organisation.requires_coordinator:
        found.append(Requirement.COORDINATOR)
    if PLAN_DOCUMENTS & set(docs):
        found.append(Requirement.DISTRICT_PLAN)
    if Document.BOARD_PLAN in docs:
        found.append(Requirement.BOARD_PLAN)
    if Document.BOARD_FOLLOW_UP in docs:
        found.append(Requirement.BOARD_FOLLOW_UP)
    if Document.STATUS_REPORT in docs:
        found.append(Requirement.STATUS_REPORT)
    if facts.organisation.requires_coordinator:
        found.append(Requirement.DUTY_REPORT)
    return found


def board_plan_year(year: int) -> int:
    """The first year of the handlingsplan that covers ``year`` (they start in even years)."""
    return year if year % 2 == 0 else year - 1


def _plan_of(facts: Facts, kind: str, year: int) -> Plan | None:
    plans = [p for p in facts.plans if p.kind == kind and p.year == year]
    return max(plans, key=lambda p: p.version, default=None)


def cells_for(facts: Facts, ctx: Context) -> dict[str, Cell]:
    year, today = ctx.year, ctx.today
    cells: dict[str, Cell] = {}
    for requirement in _requirements(facts):
        if requirement == Requirement.COORDINATOR:
            n = facts.coordinators
            cells[requirement] = (
                Cell(requirement, Level.OK, "Finns", f"{n} samordnare" if n > 1 else "1 samordnare")
                if n
                else Cell(requirement, Level.GAP, "Saknas", "ingen aktiv samordnare")
            )
        elif requirement == Requirement.DISTRICT_PLAN:
            duty = facts.duties.get(Document.DISTRICT_PLAN) or facts.duties.get(Document.SITUATION_PICTURE)
            plan = _plan_of(facts, PlanKind.DISTRICT, year)
            cells[requirement] = _plan_cell(requirement, plan, duty.due_date(year), today)
        elif requirement == Requirement.BOARD_PLAN:
            first = board_plan_year(year)
            plan = _plan_of(facts, PlanKind.BOARD, first)
            cell = _plan_cell(requirement, plan, facts.duties[Document.BOARD_PLAN].due_date(first), today)
            period = f"{first}–{first + 1}"
            cells[requirement] = Cell(
                cell.requirement, cell.level, cell.label, f"{period}, {cell.note}", cell.late, cell.plan
            )
        elif requirement == Requirement.BOARD_FOLLOW_UP:
            cells[requirement] = _follow_up_cell(facts, ctx)
        elif requirement == Requirement.STATUS_REPORT:
            duty = facts.duties[Document.STATUS_REPORT]
            if not duty.applies_in(year):
                cells[requirement] = Cell(
                    requirement, Level.NOT_APPLICABLE, "Inte aktuellt", duty.get_cadence_display()
                )
                continue
            report = ctx.status_report
            level, late = _deadline_level(
                report is not None and report.state == StatusReportState.FINAL, duty.due_date(year), today
            )
            label = "Saknas" if report is None else ("Färdig" if report.is_final else "Utkast")
            cells[requirement] = Cell(requirement, level, label, f"senast {date_sv(duty.due_date(year))}", late)
        elif requirement == Requirement.DUTY_REPORT:
            expected, got = ctx.duty_count, facts.duty_reports
            done = expected > 0 and got >= expected
            year_over = datetime.date(year, 12, 31) < today
            level = Level.OK if done else (Level.GAP if year_over else Level.PENDING)
            label = "Klar" if done else ("Saknas" if got == 0 else "Delvis")
            cells[requirement] = Cell(requirement, level, label, f"{got} av {expected} uppgifter")
    return cells


def _follow_up_cell(facts: Facts, ctx: Context) -> Cell:
    requirement = Requirement.BOARD_FOLLOW_UP
    due = facts.duties[Document.BOARD_FOLLOW_UP].due_date(ctx.year)
    plan = _plan_of(facts, PlanKind.BOARD, board_plan_year(ctx.year))
    if plan is None or plan.state not in (PlanState.DECIDED, PlanState.FOLLOWED_UP):
        level, late = _deadline_level(False, due, ctx.today)
        return Cell(requirement, level, "Ingen beslutad plan", f"senast {date_sv(due)}", late, plan)
    measures, followed = plan.measure_count, plan.followed_count
    done = measures > 0 and followed >= measures
    level, late = _deadline_level(done, due, ctx.today)
    label = "Klar" if done else ("Påbörjad" if followed else "Ej påbörjad")
    return Cell(requirement, level, label, f"{followed} av {measures} åtgärder, senast {date_sv(due)}", late, plan)


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
        return [REQUIREMENT_LABELS[r] for r in self.requirements]


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
                    KIND_GROUP_LABELS.get(kind, OrganisationKind(kind).label),
                    [r for r in Requirement if r in present],
                    rows,
                )
            )
        return groups

    def gap_counts(self) -> list[tuple[str, int]]:
        """(requirement label, number of organisations with a gap) for each requirement with gaps."""
        counts = {r: sum(1 for row in self.rows if (c := row.cell(r)) and c.is_gap) for r in self.requirements}
        return [(REQUIREMENT_LABELS[r], n) for r, n in counts.items() if n]

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
) -> Compliance:
    """The whole overview for ``year``, in seven queries. A caller that has read them already may pass
    every active organisation, the number of coordinator duties and the year's status report (or None)."""
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
