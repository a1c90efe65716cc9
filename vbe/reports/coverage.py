"""Guideline coverage: how many measures each organisation plans in each of the guideline's focus areas.

For year Y the count is the number of measures in the organisation's *current plan versions covering
Y* (``year <= Y <= end_year``, ``is_current``), whatever the plan's state: a draft shows what is
being planned, and the compliance overview says whether the plan is decided. Cancelled measures are
not counted. Only the current guideline's focus areas are shown.

Organisations named responsible for focus areas that owe no plan (Kommunstyrelsen, Förskolenämnden,
the housing companies, SHIS, SISAB: no reporting duty with a plan document) keep a yearly measures
list instead (``vbe.plans.measure_lists``); the measures of their *reported* list for Y count here
like a plan's, cancelled ones excepted.

A cell is marked "Saknar åtgärd" when the organisation is named responsible for the focus area
(``FocusArea.responsible``) but has no counted measure in it; for an organisation that keeps a
measures list it says "Inga åtgärder rapporterade", a gap it can close by reporting its list. The rows
are the active organisations that are named responsible for some focus area or have a counted measure.

Counting is one SQL query (``values("plan__organisation", "focus_area").annotate(Count)``, and the
same over the reported lists, in a UNION ALL), not a query per cell: five queries in all (three when
the caller passes the organisations and the organisations that owe a plan), whatever the number of
plans and measures.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch
from django.utils.translation import gettext_lazy

from vbe.guidelines.models import FocusArea
from vbe.organisations.models import Organisation
from vbe.plans.measure_lists import plan_duty_organisation_ids
from vbe.plans.models import ListedMeasure, Measure, MeasureStatus
from vbe.reports.compliance import kind_position

MISSING = gettext_lazy("Saknar åtgärd")
NOTHING_REPORTED = gettext_lazy("Inga åtgärder rapporterade")


@dataclass(frozen=True)
class CoverageCell:
    focus_area: FocusArea
    count: int
    responsible: bool
    keeps_list: bool = False  # the organisation owes no plan: its measures are a yearly list

    @property
    def missing(self) -> bool:
        return self.responsible and self.count == 0

    @property
    def missing_text(self) -> str:
        return str(NOTHING_REPORTED if self.keeps_list else MISSING)


@dataclass(frozen=True)
class CoverageRow:
    organisation: Organisation
    cells: list[CoverageCell]
    keeps_list: bool = False

    @property
    def missing_text(self) -> str:
        return str(NOTHING_REPORTED if self.keeps_list else MISSING)

    @property
    def total(self) -> int:
        return sum(c.count for c in self.cells)

    @property
    def missing(self) -> list[FocusArea]:
        return [c.focus_area for c in self.cells if c.missing]


@dataclass(frozen=True)
class Coverage:
    year: int
    focus_areas: list[FocusArea]
    rows: list[CoverageRow]

    @property
    def area_totals(self) -> list[int]:
        return [sum(row.cells[i].count for row in self.rows) for i in range(len(self.focus_areas))]

    @property
    def total(self) -> int:
        return sum(self.area_totals)

    @property
    def missing(self) -> list[tuple[Organisation, FocusArea]]:
        """Every (organisation, focus area) where a responsible organisation has no measure."""
        return [(row.organisation, area) for row in self.rows for area in row.missing]

    @property
    def list_keepers(self) -> set[int]:
        """Ids of the rows' organisations that keep a yearly measures list instead of a plan."""
        return {row.organisation.pk for row in self.rows if row.keeps_list}

    def missing_by_area(self) -> list[tuple[FocusArea, list[Organisation]]]:
        return [
            (area, [row.organisation for row in self.rows if row.cells[i].missing])
            for i, area in enumerate(self.focus_areas)
        ]

    def counts(self) -> dict[tuple[str, int], int]:
        """{(organisation slug, focus area number): count} of the non-zero cells (for tests and exports)."""
        return {
            (row.organisation.slug, cell.focus_area.number): cell.count
            for row in self.rows
            for cell in row.cells
            if cell.count
        }


def measure_counts(year: int) -> dict[tuple[int, int], int]:
    """One query (a UNION ALL of two aggregates): {(organisation id, focus area id): measures in current
    plans covering ``year`` plus those in the reported measures lists of ``year``}."""
    planned = (
        Measure.objects.filter(plan__is_current=True, plan__year__lte=year, plan__end_year__gte=year)
        .exclude(status=MeasureStatus.CANCELLED)
        .order_by()
        .values("plan__organisation", "focus_area")
        .annotate(n=Count("pk"))
        .values_list("plan__organisation", "focus_area", "n")
    )
    listed = (
        ListedMeasure.objects.filter(measure_list__year=year, measure_list__reported_at__isnull=False)
        .exclude(status=MeasureStatus.CANCELLED)
        .order_by()
        .values("measure_list__organisation", "focus_area")
        .annotate(n=Count("pk"))
        .values_list("measure_list__organisation", "focus_area", "n")
    )
    counts: dict[tuple[int, int], int] = {}
    for org_id, area_id, n in planned.union(listed, all=True):
        counts[(org_id, area_id)] = counts.get((org_id, area_id), 0) + n
    return counts


def coverage_for(
    year: int, *, organisations: list[Organisation] | None = None, plan_duty: set[int] | None = None
) -> Coverage:
    """The matrix for ``year``; a caller that has read every active organisation may pass them, and one
    that has read the reporting duties the ids of the organisations that owe a plan."""
    focus_areas = list(
        FocusArea.objects.filter(intervention_area__guideline__is_current=True)
        .prefetch_related(Prefetch("responsible", queryset=Organisation.objects.only("pk")))
        .order_by("number")
    )
    responsible = {area.pk: {org.pk for org in area.responsible.all()} for area in focus_areas}
    counts = measure_counts(year)
    if plan_duty is None:
        plan_duty = plan_duty_organisation_ids()
    area_ids = set(responsible)
    wanted = set().union(*responsible.values()) | {org for org, area in counts if area in area_ids}
    if organisations is None:
        organisations = list(
            Organisation.objects.filter(pk__in=wanted, is_active=True).only(
                "pk", "name", "short_name", "slug", "kind", "is_active"
            )
        )
    organisations = sorted((o for o in organisations if o.pk in wanted and o.is_active), key=kind_position)
    rows = [
        CoverageRow(
            org,
            [
                CoverageCell(
                    area, counts.get((org.pk, area.pk), 0), org.pk in responsible[area.pk], org.pk not in plan_duty
                )
                for area in focus_areas
            ],
            org.pk not in plan_duty,
        )
        for org in organisations
    ]
    return Coverage(year, focus_areas, rows)
