"""The guideline's requirements, and how each organisation's cell for each is decided: the cells of the
compliance overview (``vbe.reports.compliance``, which reads the facts in bulk and lays out the rows).

Which organisations, which requirements
    The requirements come from the data, not from code: ``Organisation.requires_coordinator`` and the
    current guideline's ``ReportingDuty`` rows (the same rules ``vbe.guidelines.duties.duties_for``
    reads; here they are read once for all organisations instead of once per organisation).

``coordinator`` – lokal samordnare (organisations with ``requires_coordinator``)
    ok when at least one active user holds an active coordinator membership, else a gap. This is
    today's state whatever year is chosen: memberships carry no history.

``district_plan`` – lägesbild och åtgärdsplan (organisations with the district_plan or
situation_picture duty: the district councils)
    The current version of the organisation's plan covering Y: "Saknas" (none), "Utkast" (draft),
    "Lämnad" (ready for the board), "Beslutad" (decided or followed up). Decided is ok. Anything else
    is pending until the district_plan duty's due date of the plan's first year, then a gap marked
    "försenad" (late).

``board_plan`` – handlingsplan (organisations with the board_plan duty)
    The years a plan is made for, and how many it covers, are the board_plan duty's cadence
    (``vbe.guidelines.cycle``; the guideline says every even year, covering two): the plan covering Y
    is the one made for the latest such year up to Y. Statuses and lateness as above.

``board_follow_up`` – uppföljning av handlingsplanen för Y (organisations with the board_follow_up duty)
    Only in the years the duty applies; other years "Inte aktuellt". Done ("Klar") when the current,
    decided plan covering Y has measures and every measure has a FollowUp for Y. The plan's state
    alone is not used: a two-year plan stays "uppföljd" after its first year's follow-up, so the state
    cannot tell which year was followed up. No decided plan covering Y: "Ingen beslutad plan". Not
    done: pending until the board_follow_up duty's due date of Y, then a gap marked late.

``status_report`` – nulägesrapport (organisations with the status_report duty: KS)
    Only in the years the duty applies (the guideline says odd years); other years "Inte aktuellt".
    "Färdig" (ok) when the StatusReport for Y is final, "Utkast" when a draft exists, otherwise
    "Saknas"; late after the duty's due date.

``duty_report`` – samordnarnas självskattning (organisations with ``requires_coordinator``)
    Done when the organisation has a DutyReport for Y for every coordinator duty of the current
    guideline ("6 av 6"). There is no due date in the data: missing answers are pending during Y and
    a gap once Y is over.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils import formats, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from vbe.guidelines.cycle import Cycle, cycle_from
from vbe.guidelines.models import Document, ReportingDuty
from vbe.organisations.models import Organisation
from vbe.plans.models import Plan, PlanKind, PlanState
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


REQUIREMENT_LABELS: dict[str, Promise] = {
    Requirement.COORDINATOR: gettext_lazy("Lokal samordnare"),
    Requirement.DISTRICT_PLAN: gettext_lazy("Lägesbild och åtgärdsplan"),
    Requirement.BOARD_PLAN: gettext_lazy("Handlingsplan"),
    Requirement.BOARD_FOLLOW_UP: gettext_lazy("Uppföljning av handlingsplan"),
    Requirement.STATUS_REPORT: gettext_lazy("Nulägesrapport"),
    Requirement.DUTY_REPORT: gettext_lazy("Självskattning av samordnaruppdraget"),
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
PLAN_DOCUMENTS = {Document.SITUATION_PICTURE, Document.DISTRICT_PLAN}


def date_sv(day: datetime.date) -> str:
    """A date as Swedish text says it ("30 april 2026"), by Django's sv locale whatever language is
    active: the notes of the cells go into the status report and the plan documents, which are Swedish."""
    with translation.override("sv"):
        return formats.date_format(day, "DATE_FORMAT")


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
        return _("%(status)s – försenad") % {"status": self.label} if self.late else self.label

    @property
    def summary(self) -> str:
        """The status and its note in one line, for documents and spreadsheets."""
        return f"{self.text} ({self.note})" if self.note else self.text

    @property
    def is_gap(self) -> bool:
        return self.level == Level.GAP

    @property
    def requirement_label(self) -> str:
        return str(REQUIREMENT_LABELS[self.requirement])

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
    PlanState.DRAFT: gettext_lazy("Utkast"),
    PlanState.READY: gettext_lazy("Lämnad"),
    PlanState.DECIDED: gettext_lazy("Beslutad"),
    PlanState.FOLLOWED_UP: gettext_lazy("Beslutad"),
}


def _plan_cell(requirement: str, plan: Plan | None, due: datetime.date | None, today: datetime.date) -> Cell:
    decided = plan is not None and plan.is_decided
    level, late = _deadline_level(decided, due, today)
    label = _("Saknas") if plan is None else str(PLAN_STATE_LABELS.get(PlanState(plan.state), plan.get_state_display()))
    if decided and plan.decided_on:
        note = _("beslutad %(date)s") % {"date": date_sv(plan.decided_on)}
    elif due is not None:
        note = _("senast %(date)s") % {"date": date_sv(due)}
    else:
        note = ""
    return Cell(requirement, level, label, note, late, plan)


# --- The facts behind the cells ---------------------------------------------------------------------


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


def _plan_of(facts: Facts, kind: str, cycle: Cycle, year: int) -> tuple[Plan | None, int]:
    """The current plan of ``kind`` covering ``year`` and the year it was, or should have been, made
    for. A plan is made for the years its duty's cadence names; one made under an earlier cadence
    still covers the years it was decided for."""
    plans = [p for p in facts.plans if p.kind == kind and p.covers(year)]
    plan = max(plans, key=lambda p: (p.year, p.version), default=None)
    return plan, plan.year if plan else cycle.first_year_covering(year)


def cells_for(facts: Facts, ctx: Context) -> dict[str, Cell]:
    year, today = ctx.year, ctx.today
    cells: dict[str, Cell] = {}
    for requirement in _requirements(facts):
        if requirement == Requirement.COORDINATOR:
            n = facts.coordinators
            cells[requirement] = (
                Cell(
                    requirement,
                    Level.OK,
                    _("Finns"),
                    ngettext("%(count)s samordnare", "%(count)s samordnare", n) % {"count": n},
                )
                if n
                else Cell(requirement, Level.GAP, _("Saknas"), _("ingen aktiv samordnare"))
            )
        elif requirement == Requirement.DISTRICT_PLAN:
            document = Document.DISTRICT_PLAN if Document.DISTRICT_PLAN in facts.duties else Document.SITUATION_PICTURE
            cycle = cycle_from(facts.duties, document)
            plan, first = _plan_of(facts, PlanKind.DISTRICT, cycle, year)
            cells[requirement] = _plan_cell(requirement, plan, cycle.duty.due_date(first), today)
        elif requirement == Requirement.BOARD_PLAN:
            cycle = cycle_from(facts.duties, Document.BOARD_PLAN)
            plan, first = _plan_of(facts, PlanKind.BOARD, cycle, year)
            cell = _plan_cell(requirement, plan, cycle.duty.due_date(first), today)
            period = plan.period_label if plan else cycle.period_label(first)
            cells[requirement] = Cell(
                cell.requirement, cell.level, cell.label, f"{period}, {cell.note}", cell.late, cell.plan
            )
        elif requirement == Requirement.BOARD_FOLLOW_UP:
            cells[requirement] = _follow_up_cell(facts, ctx)
        elif requirement == Requirement.STATUS_REPORT:
            duty = facts.duties[Document.STATUS_REPORT]
            if not duty.applies_in(year):
                cells[requirement] = Cell(
                    requirement, Level.NOT_APPLICABLE, _("Inte aktuellt"), duty.get_cadence_display()
                )
                continue
            report = ctx.status_report
            level, late = _deadline_level(
                report is not None and report.state == StatusReportState.FINAL, duty.due_date(year), today
            )
            label = _("Saknas") if report is None else (_("Färdig") if report.is_final else _("Utkast"))
            note = _("senast %(date)s") % {"date": date_sv(duty.due_date(year))}
            cells[requirement] = Cell(requirement, level, label, note, late)
        elif requirement == Requirement.DUTY_REPORT:
            expected, got = ctx.duty_count, facts.duty_reports
            done = expected > 0 and got >= expected
            year_over = datetime.date(year, 12, 31) < today
            level = Level.OK if done else (Level.GAP if year_over else Level.PENDING)
            label = _("Klar") if done else (_("Saknas") if got == 0 else _("Delvis"))
            note = _("%(done)s av %(total)s uppgifter") % {"done": got, "total": expected}
            cells[requirement] = Cell(requirement, level, label, note)
    return cells


def _follow_up_cell(facts: Facts, ctx: Context) -> Cell:
    requirement = Requirement.BOARD_FOLLOW_UP
    duty = facts.duties[Document.BOARD_FOLLOW_UP]
    if not duty.applies_in(ctx.year):
        return Cell(requirement, Level.NOT_APPLICABLE, _("Inte aktuellt"), duty.get_cadence_display())
    due = duty.due_date(ctx.year)
    plan, _first = _plan_of(facts, PlanKind.BOARD, cycle_from(facts.duties, Document.BOARD_PLAN), ctx.year)
    if plan is None or not plan.is_decided:
        level, late = _deadline_level(False, due, ctx.today)
        note = _("senast %(date)s") % {"date": date_sv(due)}
        return Cell(requirement, level, _("Ingen beslutad plan"), note, late, plan)
    measures, followed = plan.measure_count, plan.followed_count
    done = measures > 0 and followed >= measures
    level, late = _deadline_level(done, due, ctx.today)
    label = _("Klar") if done else (_("Påbörjad") if followed else _("Ej påbörjad"))
    note = _("%(done)s av %(total)s åtgärder, senast %(date)s") % {
        "done": followed,
        "total": measures,
        "date": date_sv(due),
    }
    return Cell(requirement, level, label, note, late, plan)
