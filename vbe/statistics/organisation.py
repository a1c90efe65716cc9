"""One organisation's incidents and concerns for a period (the figures beside a plan's situation
picture), protected as two small tables: a total and its cells each."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from vbe.concerns.models import Concern
from vbe.concerns.models import State as ConcernState
from vbe.incidents.models import Category, Incident
from vbe.organisations.models import Organisation, OrganisationKind
from vbe.statistics.dating import CONCERNS, INCIDENTS, Period
from vbe.statistics.suppression import ZERO, Line, Shown, Viewer, protect, sees_exact_counts

TOTAL = "total"


@dataclass(frozen=True)
class Tally:
    """A total and its cells (value → count), as the viewer sees them."""

    total: Shown
    cells: dict[str, Shown]

    def get(self, value: str) -> Shown:
        return self.cells.get(value, ZERO)

    def figures(self) -> list[Shown]:
        return [self.total, *self.cells.values()]


def _count_by(queryset: QuerySet[Incident] | QuerySet[Concern], field: str) -> dict[str, int]:
    """One query: {value of ``field``: number of rows}."""
    return dict(queryset.order_by().values(field).annotate(n=Count("pk")).values_list(field, "n"))


def _tally(counts: dict[str, int], shown_values: list[str], *, exact: bool) -> Tally:
    cells = {value: counts.get(value, 0) for value in shown_values}
    # Counts of values no longer offered are in the total but shown nowhere: taken as known, which
    # hides nothing less.
    rest = sum(n for value, n in counts.items() if value not in cells)
    table = {TOTAL: sum(counts.values()), **cells, "rest": rest}
    shown = protect(table, [Line(TOTAL, (*cells, "rest"))], exact=True if exact else ["rest"])
    return Tally(total=shown[TOTAL], cells={value: shown[value] for value in cells})


def incidents_of(organisation: Organisation) -> QuerySet[Incident]:
    """A district council's incidents are those routed to it (it handles them); any other organisation's
    are the incidents its staff reported."""
    if organisation.kind == OrganisationKind.DISTRICT_COUNCIL:
        return Incident.objects.filter(organisation=organisation)
    return Incident.objects.filter(reporter_organisation=organisation)


def incident_tally(organisation: Organisation, period: Period, *, viewer: Viewer = None) -> Tally:
    """Incidents of the organisation in the period, per category: one query."""
    counts = _count_by(INCIDENTS.in_period(incidents_of(organisation), period), "category")
    return _tally(counts, list(Category.values), exact=sees_exact_counts(viewer, organisation.pk))


def concern_tally(organisation: Organisation, period: Period, *, viewer: Viewer = None) -> Tally:
    """Concerns the organisation is responsible for, received in the period, per step they are in now:
    one query."""
    counts = _count_by(CONCERNS.in_period(Concern.objects.filter(organisation=organisation), period), "state")
    return _tally(counts, list(ConcernState.values), exact=sees_exact_counts(viewer, organisation.pk))
