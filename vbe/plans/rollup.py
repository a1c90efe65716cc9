"""Follow-ups rolled up: how many measures are done, ongoing, delayed or cancelled in a year, per plan
and per focus area.

Two ways to the same figures: ``tally_measures`` counts measures already on the page (their
follow-ups prefetched), the others count in the database, a fixed number of queries however many
plans and measures there are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from vbe.guidelines.models import FocusArea
from vbe.plans.cycle import plan_cycle
from vbe.plans.models import LOCKED_STATES, FollowUp, FollowUpStatus, Measure, Plan, PlanKind

STATUSES = list(FollowUpStatus)


@dataclass
class Tally:
    """Measures per follow-up status for one year; ``missing``: measures with no follow-up yet."""

    counts: dict[str, int] = field(default_factory=dict)
    missing: int = 0

    @property
    def followed_up(self) -> int:
        return sum(self.counts.values())

    @property
    def total(self) -> int:
        return self.followed_up + self.missing

    @property
    def cells(self) -> list[int]:
        """The counts in the order of ``STATUSES`` (the tables' columns)."""
        return [self.counts.get(status.value, 0) for status in STATUSES]

    def add(self, other: Tally) -> None:
        for status, n in other.counts.items():
            self.counts[status] = self.counts.get(status, 0) + n
        self.missing += other.missing


@dataclass
class FocusAreaTally:
    focus_area: FocusArea
    tally: Tally


@dataclass
class PlanTally:
    plan: Plan
    tally: Tally


def status_headings() -> list[str]:
    return [str(status.label) for status in STATUSES]


def plans_to_follow_up(plans: QuerySet[Plan], year: int) -> QuerySet[Plan]:
    """The current, decided plans followed up for ``year``: those covering it, of the kinds whose
    follow-up rule (``plan_cycle``) applies in it."""
    kinds = [kind for kind in PlanKind if plan_cycle(kind).followed_up_in(year)]
    return plans.filter(is_current=True, state__in=LOCKED_STATES, year__lte=year, end_year__gte=year, kind__in=kinds)


# --- In memory: measures already fetched with their follow-ups ------------------------------------


def _follow_up_for(measure: Measure, year: int) -> FollowUp | None:
    return next((f for f in measure.follow_ups.all() if f.year == year), None)


def tally_measures(measures: Iterable[Measure], year: int) -> Tally:
    tally = Tally()
    for measure in measures:
        follow_up = _follow_up_for(measure, year)
        if follow_up is None:
            tally.missing += 1
        else:
            tally.counts[follow_up.status] = tally.counts.get(follow_up.status, 0) + 1
    return tally


def tally_measures_by_focus_area(measures: Iterable[Measure], year: int) -> list[FocusAreaTally]:
    """Per focus area that has measures, in the guideline's order."""
    grouped: dict[int, list[Measure]] = defaultdict(list)
    areas: dict[int, FocusArea] = {}
    for measure in measures:
        grouped[measure.focus_area_id].append(measure)
        areas[measure.focus_area_id] = measure.focus_area
    ordered = sorted(areas.values(), key=lambda area: area.number)
    return [FocusAreaTally(area, tally_measures(grouped[area.pk], year)) for area in ordered]


# --- In the database ----------------------------------------------------------------------------


def plan_rollup(plan: Plan, year: int) -> Tally:
    """Two queries: the plan's measures per follow-up status for ``year``."""
    counts = dict(
        FollowUp.objects.filter(measure__plan=plan, year=year)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    total = plan.measures.count()
    return Tally(counts=counts, missing=total - sum(counts.values()))


def focus_area_rollup(plans: QuerySet[Plan], year: int) -> list[FocusAreaTally]:
    """Three queries: every focus area of the current guideline (and any other a measure names) ×
    follow-up status, over the measures of ``plans``."""
    plan_ids = plans.order_by().values("pk")
    totals = dict(
        Measure.objects.filter(plan__in=plan_ids)
        .order_by()
        .values("focus_area")
        .annotate(n=Count("pk"))
        .values_list("focus_area", "n")
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        FollowUp.objects.filter(measure__plan__in=plan_ids, year=year)
        .order_by()
        .values("measure__focus_area", "status")
        .annotate(n=Count("pk"))
        .values_list("measure__focus_area", "status", "n")
    )
    for area_id, status, n in rows:
        counts[area_id][status] = n
    areas = FocusArea.objects.filter(Q(intervention_area__guideline__is_current=True) | Q(pk__in=list(totals)))
    return [
        FocusAreaTally(
            area,
            Tally(counts=counts[area.pk], missing=totals.get(area.pk, 0) - sum(counts[area.pk].values())),
        )
        for area in areas.order_by("number", "pk")
    ]


def plan_rollups(plans: QuerySet[Plan], year: int) -> list[PlanTally]:
    """Two queries: each plan (organisation loaded) with its measures per follow-up status."""
    listed = list(
        plans.select_related("organisation")
        .annotate(measure_total=Count("measures"))
        .order_by("organisation__name", "year")
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        FollowUp.objects.filter(measure__plan__in=plans.order_by().values("pk"), year=year)
        .order_by()
        .values("measure__plan", "status")
        .annotate(n=Count("pk"))
        .values_list("measure__plan", "status", "n")
    )
    for plan_id, status, n in rows:
        counts[plan_id][status] = n
    return [
        PlanTally(plan, Tally(counts=counts[plan.pk], missing=plan.measure_total - sum(counts[plan.pk].values())))
        for plan in listed
    ]


def total_of(tallies: Iterable[FocusAreaTally | PlanTally]) -> Tally:
    total = Tally()
    for row in tallies:
        total.add(row.tally)
    return total
