"""The figures shown beside a plan's situation picture: the organisation's incidents and concerns.

Aggregates only, counted in the database (a fixed number of queries, however many rows). Counts from
1 to 4 are shown as "<5" unless the viewer coordinates the organisation, the same rule as the
incident statistics. The incident track is built alongside the plans, so its module is optional
here: without it the plan page shows the concern figures alone.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count

from vbe.accounts import permissions
from vbe.accounts.models import Role
from vbe.organisations.models import Organisation, OrganisationKind

SUPPRESSION_LIMIT = 5
SUPPRESSED = "<5"

try:  # the incident track (vbe.incidents) may not be finished where this runs
    from vbe.incidents import statistics as incident_statistics
    from vbe.incidents.models import Category as IncidentCategory
    from vbe.incidents.models import Incident

    Incident._meta.get_field("occurred_on")
except (ImportError, AttributeError, FieldDoesNotExist):  # pragma: no cover - depends on the other app
    incident_statistics = None  # type: ignore[assignment]


@dataclass(frozen=True)
class StatRow:
    """One figure: ``group`` is the table it belongs in ("Händelser", "Oro för individer")."""

    group: str
    label: str
    value: str
    total: bool = False


def shown_count(count: int, *, exact: bool) -> str:
    if incident_statistics is not None:
        return incident_statistics.shown_count(count, exact=exact)
    if exact or count == 0 or count >= SUPPRESSION_LIMIT:  # pragma: no cover - same rule as incidents
        return str(count)
    return SUPPRESSED  # pragma: no cover


def sees_exact_counts(viewer: Any, organisation: Organisation) -> bool:
    """The organisation's own coordinators see exact counts; everyone else sees 1–4 as "<5"."""
    return viewer is not None and organisation.pk in permissions.org_ids_with(viewer, Role.COORDINATOR)


def _incident_rows(organisation: Organisation, year: int, end_year: int, *, exact: bool) -> list[StatRow]:
    if incident_statistics is None:
        return []
    # Incidents are routed to the district council where they happened; a board's own picture is
    # the incidents its staff reported.
    if organisation.kind == OrganisationKind.DISTRICT_COUNCIL:
        incidents = Incident.objects.filter(organisation=organisation)
    else:
        incidents = Incident.objects.filter(reporter_organisation=organisation)
    period = incident_statistics.Period(
        start=datetime.date(year, 1, 1),
        end=datetime.date(end_year, 12, 31),
        label=str(year) if year == end_year else f"{year}–{end_year}",
        months=(),
    )
    counts = incident_statistics.breakdown(incidents, period=period, date_field="occurred_on", fields=["category"])
    by_category = counts.by_field["category"]
    group = "Händelser"
    rows = [StatRow(group, "Händelser totalt", shown_count(counts.total, exact=exact), total=True)]
    rows += [
        StatRow(group, str(label), shown_count(by_category.get(value, 0), exact=exact))
        for value, label in IncidentCategory.choices
    ]
    return rows


def _concern_rows(organisation: Organisation, year: int, end_year: int, *, exact: bool) -> list[StatRow]:
    from vbe.concerns.models import Concern, State

    by_state = dict(
        Concern.objects.filter(organisation=organisation, created_at__year__gte=year, created_at__year__lte=end_year)
        .order_by()
        .values("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    group = "Oro för individer"  # reported in the period, by the step each concern is in now
    rows = [StatRow(group, "Rapporter om oro totalt", shown_count(sum(by_state.values()), exact=exact), total=True)]
    rows += [
        StatRow(group, str(label), shown_count(by_state.get(value, 0), exact=exact)) for value, label in State.choices
    ]
    return rows


def situation_statistics(
    organisation: Organisation, year: int, *, end_year: int | None = None, viewer: Any = None
) -> list[StatRow]:
    """The organisation's incident and concern figures for ``year`` (to ``end_year``), as rows.

    Three queries: incidents per month and per category, concerns per state. Without a ``viewer``
    every small count is suppressed."""
    end_year = end_year or year
    exact = sees_exact_counts(viewer, organisation)
    return _incident_rows(organisation, year, end_year, exact=exact) + _concern_rows(
        organisation, year, end_year, exact=exact
    )
