"""The unit manager's start page: what happened at my units and around them this year, and how much my
staff reported. Counts only: a unit manager reads the incidents at their own units in full (the incident
list), but never a concern, and nothing here says who reported what.

"This year" is the statistics' one definition (``vbe.statistics.dating``): an incident counts on the day
it happened, a concern on the day it was received. The neighbourhoods' figures are the district
statistics page's own (the same protected table), so the start page never shows a count that page hides.

Training: the share of the posts at my units held by someone with a valid training, per level, against the
city's target (``vbe.competence.coverage``, exact: a unit manager keeps the figures of their own units).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vbe.accounts import permissions
from vbe.accounts.models import Membership, Role
from vbe.competence import coverage
from vbe.competence.models import Level
from vbe.concerns.models import Concern
from vbe.incidents.models import Category, Incident
from vbe.organisations.models import Unit
from vbe.statistics import city, dating, suppression


@dataclass(frozen=True)
class Line:
    label: str
    count: int
    href: str = ""


@dataclass(frozen=True)
class NeighbourhoodLine:
    name: str
    district: str
    shown: str  # as the district statistics page shows it ("<5", "x" or the count)
    href: str


def _incidents_at_units(unit_ids: list[int], year: int) -> tuple[list[Line], list[Line], int]:
    """This year's incidents at the units, by category and by month (two queries), and their total."""
    list_url = reverse("incidents:list")
    at_units = dating.INCIDENTS.in_year(Incident.objects.filter(unit_id__in=unit_ids), year).order_by()
    by_category = dict(at_units.values_list("category").annotate(n=Count("pk")))
    categories = [
        Line(str(label), by_category[value], f"{list_url}?category={value}")
        for value, label in Category.choices
        if by_category.get(value)
    ]
    by_month = {
        dating.as_date(month): n
        for month, n in at_units.annotate(m=dating.INCIDENTS.month()).values_list("m").annotate(n=Count("pk"))
    }
    months = [
        Line(dating.month_name(month), by_month[month], f"{list_url}?month={month:%Y-%m}") for month in sorted(by_month)
    ]
    return categories, months, sum(by_category.values())


def _neighbourhoods(user: Any, units: list[Unit], year: int) -> list[NeighbourhoodLine]:
    """Incidents this year in the neighbourhoods of the units, as the district statistics page shows them."""
    neighbourhoods = {u.neighbourhood.pk: u.neighbourhood for u in units if u.neighbourhood is not None}
    if not neighbourhoods:
        return []
    at = city.snapshot()
    [counts] = city.incident_counts(dating.calendar_year(year), at=at)
    table = city.build(
        counts,
        dimensions=city.INCIDENT_DIMENSIONS,
        exact_places=at.exact_places(suppression.exact_organisations(user)),
        districts_apart=True,
    )
    lines = []
    for neighbourhood in sorted(neighbourhoods.values(), key=lambda n: n.name):
        district = neighbourhood.district
        lines.append(
            NeighbourhoodLine(
                name=neighbourhood.name,
                district=district.name,
                shown=table.get(district.pk, "neighbourhood", neighbourhood.pk).text,
                href=f"{reverse('statistics:district', args=[district.code])}?ar={year}",
            )
        )
    return lines


def _training(units: list[Unit], on: datetime.date) -> dict[str, Any]:
    """My units' coverage per level against the target (four queries), and where to read more."""
    shares = coverage.unit_shares([u.pk for u in units], on=on, exact=True)
    lines = coverage.against_targets(shares, coverage.targets())
    organisations = {u.organisation.slug: u.organisation.name for u in units}
    links = [
        (name, reverse("competence:coverage_organisation", kwargs={"organisation": slug}))
        for slug, name in sorted(organisations.items(), key=lambda item: item[1])
    ]
    return {"training_lines": lines, "training_links": links, "training_counted": shares[Level.BASIC].headcount > 0}


def _reported_by_staff(unit_ids: list[int], year: int) -> tuple[str, int]:
    """How many concerns (last year) and incidents (this year) the members of the units reported: counts,
    never who. A concern count that moved while the manager watched would tell the day a colleague
    reported, and in a small unit who, and often about whom. So concerns are counted for the last
    whole year only, which no longer changes, and below five as "färre än 5", zero included, so
    that not even "none" and "one" are told apart."""
    staff = Membership.objects.filter(unit_id__in=unit_ids).values("user_id")
    concerns = dating.CONCERNS.in_year(Concern.objects.filter(reporter_id__in=staff), year - 1).count()
    incidents = dating.INCIDENTS.in_year(Incident.objects.filter(reporter_id__in=staff), year).count()
    return (str(concerns) if concerns >= suppression.LIMIT else _("färre än 5")), incidents


def unit_manager(user: Any, membership: Membership | None) -> dict[str, Any]:
    year = timezone.localdate().year
    unit_ids = sorted(permissions.unit_ids_with(user, Role.UNIT_MANAGER))
    if not unit_ids:
        return {"year": year, "units": []}
    units = list(
        Unit.objects.filter(pk__in=unit_ids)
        .select_related("neighbourhood__district", "organisation")
        .defer("neighbourhood__geometry", "neighbourhood__district__geometry")
        .order_by("name")
    )
    categories, months, total = _incidents_at_units(unit_ids, year)
    concerns, incidents = _reported_by_staff(unit_ids, year)
    return {
        "year": year,
        "year_start": datetime.date(year, 1, 1),
        "units": units,
        "unit_incidents_total": total,
        "unit_incidents_by_category": categories,
        "unit_incidents_by_month": months,
        "neighbourhood_lines": _neighbourhoods(user, units, year),
        "staff_concerns": concerns,
        "last_year": year - 1,
        "staff_incidents": incidents,
        **_training(units, timezone.localdate()),
    }
