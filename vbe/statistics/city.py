"""The city's figures for a period as one protected table.

The city page shows the city's counts and each district's total; each district's page shows that
district's counts; the status report shows the city's counts for a calendar year. These share
figures (a district's total is a cell of the city's district table; the city's count for a month is
the sum of the districts' counts for it), so they are protected together: one table with a line for
every way the counts add up, ``vbe.statistics.suppression.protect``d once. A count hidden on one of
them is then hidden on all, and no page gives back what another hides.

Counting is two SQL aggregates (incidents, concerns) whatever the number of rows, over any span of
dates; ``build`` then takes the period it is asked for.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, F
from django.db.models.functions import Coalesce

from vbe.concerns.models import Concern
from vbe.guidelines.vocabulary import Environment
from vbe.incidents.models import Category, Incident
from vbe.organisations.models import OrganisationKind
from vbe.statistics.dating import CONCERNS, INCIDENTS, Period, as_date
from vbe.statistics.figures import ShadeClass, shade_class, shade_classes
from vbe.statistics.suppression import ZERO, Line, Shown, protect

CITY = "city"
NOWHERE = "nowhere"  # concerns with no district: in the city's figures, shown nowhere on their own
FORMER = "former"  # the districts no longer current, shown as one figure in the status report
TOTAL = "total"
MONTH = "month"

Place = int | str  # a district's id, or CITY, NOWHERE, FORMER
FigureKey = tuple[Place, str, Hashable]  # place, dimension (TOTAL, MONTH, "category", …), value


@dataclass(frozen=True)
class Record:
    """``n`` records of one place (a district's id) and month with these ``values`` (one per dimension).

    ``active``: the district is active (drawn on the map); ``current``: and its district council is
    active (a row of its own in the status report; the others are summed as ``FORMER``)."""

    place: Place
    month: datetime.date
    values: tuple[Hashable, ...]
    n: int
    active: bool = True
    current: bool = True


@dataclass(frozen=True)
class Dimension:
    name: str
    choices: tuple[Hashable, ...] | None  # the values shown; None: every value is shown (a district's neighbourhoods)
    for_city: bool = True  # also counted for the whole city


INCIDENT_DIMENSIONS = (
    Dimension("category", tuple(Category.values)),
    Dimension("environment", tuple(Environment.values)),
    Dimension("neighbourhood", None, for_city=False),
)
CONCERN_DIMENSIONS = (Dimension("environment", tuple(Environment.values)),)


def incident_records(start: datetime.date, end: datetime.date) -> list[Record]:
    """One query: incidents per district, neighbourhood, category, environment and month."""
    fields = ("district_id", "month", "category", "environment", "neighbourhood_id")
    council = ("district__is_active", "district__council__is_active", "district__council__kind")
    rows = (
        INCIDENTS.within(Incident.objects.all(), start, end)
        .order_by()
        .annotate(month=INCIDENTS.month())
        .values(*fields, *council)
        .annotate(n=Count("pk"))
        .values_list(*fields, *council, "n")
    )
    return [
        Record(
            d,
            as_date(m),
            (c, e, nb),
            n,
            active,
            active and bool(c_active) and kind == OrganisationKind.DISTRICT_COUNCIL,
        )
        for d, m, c, e, nb, active, c_active, kind, n in rows
    ]


def concern_records(start: datetime.date, end: datetime.date) -> list[Record]:
    """One query: concerns received per place and month and by environment. A concern's place is the
    district where it was observed, or else its organisation's district (NOWHERE for a board's)."""
    rows = (
        CONCERNS.within(Concern.objects.all(), start, end)
        .order_by()
        .annotate(month=CONCERNS.month(), place=Coalesce(F("district_id"), F("organisation__district_id")))
        .values("place", "month", "environment")
        .annotate(n=Count("pk"))
        .values_list("place", "month", "environment", "n")
    )
    return [Record(NOWHERE if p is None else p, as_date(m), (e,), n) for p, m, e, n in rows]


@dataclass
class CityTable:
    """Every figure of the city and its districts for one period, as a viewer sees it."""

    period: Period
    figures: dict[FigureKey, Shown]
    classes: list[ShadeClass] = field(default_factory=list)

    def get(self, place: Place, dimension: str, value: Hashable = None) -> Shown:
        return self.figures.get((place, dimension, value), ZERO)

    def total(self, place: Place = CITY) -> Shown:
        return self.get(place, TOTAL)

    def of(self, place: Place, dimension: str) -> Callable[[Hashable], Shown]:
        """``value -> Shown`` for one place and dimension, for ``vbe.statistics.figures``."""
        return lambda value: self.get(place, dimension, value)


def build(
    records: Iterable[Record],
    period: Period,
    *,
    dimensions: Sequence[Dimension],
    exact_places: Collection[Place] = (),
    districts_apart: bool = False,
) -> CityTable:
    """The protected table of ``records`` within ``period``; ``exact_places``: the districts whose counts
    the viewer sees exactly.

    ``districts_apart``: each district's total is shown on the map (whose shade classes tell a reader
    the range of a hidden total) and the districts no longer current also as one sum (``FORMER``).
    The table depends on nothing else, so every page and document showing a figure of it for the
    same period and viewer shows it the same way.
    """
    months = set(period.months)
    counts: dict[FigureKey, int] = defaultdict(int)
    mapped: set[Place] = set()
    former: set[Place] = set()
    for r in records:
        if r.month not in months:
            continue
        if r.active:
            mapped.add(r.place)
        if not r.current:
            former.add(r.place)
        for place in (r.place, CITY):
            counts[(place, TOTAL, None)] += r.n
            counts[(place, MONTH, r.month)] += r.n
            for dim, value in zip(dimensions, r.values, strict=True):
                if dim.for_city or place != CITY:
                    counts[(place, dim.name, value)] += r.n
    # One order whatever order the rows came in: ties between equal counts are broken by it.
    counts = dict(sorted(counts.items(), key=lambda item: tuple(str(part) for part in item[0])))
    districts = sorted({key[0] for key in counts} - {CITY, NOWHERE}, key=str)

    # For each way of adding up: the total's key (and what is added) -> the keys added up.
    by_line: dict[tuple[Place, str, Hashable, str], list[FigureKey]] = defaultdict(list)
    known: list[FigureKey] = []  # counts of values no page shows: taken as known, which hides nothing less
    for key in counts:
        place, dim_name, value = key
        if dim_name == TOTAL:
            if place != CITY:
                by_line[(CITY, TOTAL, None, "places")].append(key)
            continue
        by_line[(place, TOTAL, None, dim_name)].append(key)
        if place != CITY and (dim_name == MONTH or _dimension(dimensions, dim_name).for_city):
            by_line[(CITY, dim_name, value, "places")].append(key)
        choices = None if dim_name == MONTH else _dimension(dimensions, dim_name).choices
        if choices is not None and value not in choices:
            known.append(key)
    lines: list[Line[FigureKey]] = [Line(total[:3], tuple(members)) for total, members in by_line.items()]
    classes = shade_classes([counts[(p, TOTAL, None)] for p in districts], suppressed=True)
    ranges: dict[FigureKey, tuple[int, float]] = {}
    if districts_apart:
        members = tuple((p, TOTAL, None) for p in sorted(former, key=str))
        counts[(FORMER, TOTAL, None)] = sum(counts[key] for key in members)
        lines.append(Line((FORMER, TOTAL, None), members))
        for place in mapped:
            cls = shade_class(counts[(place, TOTAL, None)], classes)
            ranges[(place, TOTAL, None)] = (cls.low, cls.high)
    exact = [*(key for key in counts if key[0] in exact_places), *known]
    unshown = [key for key in counts if key[0] == NOWHERE]
    figures: dict[FigureKey, Shown] = protect(dict(counts), lines, exact=exact, unshown=unshown, ranges=ranges)
    return CityTable(period=period, figures=figures, classes=classes)


def _dimension(dimensions: Sequence[Dimension], name: str) -> Dimension:
    return next(d for d in dimensions if d.name == name)
