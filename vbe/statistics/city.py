"""The city's figures for a period as one protected table.

The city page shows the city's counts and each district's total; each district's page shows that
district's counts; the status report shows the city's counts for a calendar year. These share
figures (a district's total is a cell of the city's district table; the city's count for a month is
the sum of the districts' counts for it), so they are protected together: one table with a line for
every way the counts add up, ``vbe.statistics.suppression.protect``d once. A count hidden on one of
them is then hidden on all, and no page gives back what another hides.

Counting is one SQL sum per kind of record over the summary tables (``vbe.statistics.models``, kept
by ``vbe.statistics.summary``): a few thousand rows for a year whatever the number of records, for
any number of periods at once; ``build`` then protects a period's counts.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Sequence
from dataclasses import dataclass, field

from django.db.models import Case, DateField, F, IntegerField, Model, Subquery, Sum, Value, When
from django.utils import translation

from vbe.concerns.models import Concern
from vbe.guidelines.vocabulary import Environment
from vbe.incidents.models import Category, Incident
from vbe.organisations.models import District, OrganisationKind
from vbe.statistics.dating import CONCERNS, INCIDENTS, Period, as_date
from vbe.statistics.figures import ShadeClass, shade_class, shade_classes
from vbe.statistics.models import MONTH, ConcernCount, IncidentCount, SummaryStamp
from vbe.statistics.suppression import ZERO, Line, Shown, protect

CITY = "city"
NOWHERE = "nowhere"  # concerns with no district: in the city's figures, shown nowhere on their own
FORMER = "former"  # the districts no longer current, shown as one figure in the status report
TOTAL = "total"

Place = int | str  # a district's id, or CITY, NOWHERE, FORMER
FigureKey = tuple[Place, str, Hashable]  # place, dimension (TOTAL, MONTH, "category", …), value


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


@dataclass(frozen=True)
class Counts:
    """One kind of record in one period, per place: ``(place, MONTH, month)`` for each month's count and
    ``(place, dimension, value)`` for each value's, only those above zero, in one order.

    ``mapped``: the places with records that are active districts (drawn on the map); ``former``: those
    whose district council is no longer current (summed as ``FORMER`` in the status report)."""

    period: Period
    cells: tuple[tuple[FigureKey, int], ...]
    mapped: frozenset[Place] = frozenset()
    former: frozenset[Place] = frozenset()


@dataclass(frozen=True)
class Snapshot:
    """What counting depends on besides the summary's rows, read in one small query: the summary's
    stamp (``models.SummaryStamp``: the same stamp, the same rows; None before the first recount)
    and each district as ``(id, active, its council's id, the council active, the council's kind)``."""

    stamp: int | None
    districts: tuple[tuple[int, bool, int | None, bool | None, str | None], ...]

    def exact_places(self, organisations: Collection[int]) -> set[Place]:
        """The districts of these councils."""
        return {district for district, _active, council, *_rest in self.districts if council in organisations}


def snapshot() -> Snapshot:
    stamp = SummaryStamp.objects.filter(pk=1).values("stamp")
    rows = list(
        District.objects.order_by("pk")
        .annotate(summary_stamp=Subquery(stamp))
        .values_list("pk", "is_active", "council__pk", "council__is_active", "council__kind", "summary_stamp")
    )
    return Snapshot(rows[0][-1] if rows else None, tuple(row[:-1] for row in rows))


def _summed(model: type[Model], periods: tuple[Period, ...], places: tuple[str, ...]) -> list[tuple]:
    """The summary rows added up per period (its index in ``periods``), place (``places``: the fields
    naming it), dimension and value, and per month for the month rows: one query. Periods are whole
    months and do not overlap (nothing is dated after today, so the current month's rows are the period's)."""
    bucket = Case(
        *(When(month__gte=p.months[0], month__lte=p.months[-1], then=Value(i)) for i, p in enumerate(periods)),
        output_field=IntegerField(),
    )
    in_month = Case(When(dimension=MONTH, then=F("month")), output_field=DateField())
    rows = (
        model._default_manager.filter(
            month__gte=min(p.months[0] for p in periods), month__lte=max(p.months[-1] for p in periods)
        )
        .order_by()
        .annotate(bucket=bucket, in_month=in_month)
        .values("bucket", *places, "dimension", "value", "in_month")
        .annotate(total=Sum("n"))
        .values_list("bucket", *places, "dimension", "value", "in_month", "total")
    )
    return [row for row in rows if row[0] is not None]


def _key(place: Place, dimension: str, value: str, month: datetime.date | None) -> FigureKey:
    if dimension == MONTH:
        assert month is not None  # a month row always names its month
        return (place, MONTH, as_date(month))
    if dimension == "neighbourhood":  # a neighbourhood's id, or none given
        return (place, dimension, int(value) if value else None)
    return (place, dimension, value)


def _counts(period: Period, cells: dict[FigureKey, int], mapped: set[Place], former: set[Place]) -> Counts:
    ordered = tuple(sorted(cells.items(), key=lambda item: tuple(str(part) for part in item[0])))
    return Counts(period, ordered, frozenset(mapped), frozenset(former))


CountFunction = Callable[[tuple[Period, ...], "Snapshot"], tuple[Counts, ...]]
_KEPT: list[functools._lru_cache_wrapper[tuple[Counts, ...]]] = []  # what forget() clears


def _kept(count: CountFunction) -> CountFunction:
    """``count(periods, at)`` kept per process under the summary's stamp (and the districts): a page asked
    again before any recount reads no summary row. Without a stamp, counted every time."""
    kept = functools.lru_cache(maxsize=32)(count)

    @functools.wraps(count)
    def counted(periods: tuple[Period, ...], at: Snapshot) -> tuple[Counts, ...]:
        return count(periods, at) if at.stamp is None else kept(periods, at)

    _KEPT.append(kept)
    return counted


@_kept
def _incident_counts(periods: tuple[Period, ...], at: Snapshot) -> tuple[Counts, ...]:
    cells: list[dict[FigureKey, int]] = [defaultdict(int) for _ in periods]
    districts = {district: (active, current) for district, active, *current in at.districts}
    mapped: list[set[Place]] = [set() for _ in periods]
    former: list[set[Place]] = [set() for _ in periods]
    for bucket, place, dimension, value, month, n in _summed(IncidentCount, periods, ("district_id",)):
        cells[bucket][_key(place, dimension, value, month)] += n
        # A district made after the snapshot was read (its rows summed since): counted, not yet drawn.
        active, (_council, c_active, kind) = districts.get(place, (False, (None, None, None)))
        if active:
            mapped[bucket].add(place)
        if not (active and c_active and kind == OrganisationKind.DISTRICT_COUNCIL):
            former[bucket].add(place)
    return tuple(_counts(p, cells[i], mapped[i], former[i]) for i, p in enumerate(periods))


@_kept
def _concern_counts(periods: tuple[Period, ...], at: Snapshot) -> tuple[Counts, ...]:
    district_of = {council: district for district, _active, council, *_rest in at.districts if council is not None}
    cells: list[dict[FigureKey, int]] = [defaultdict(int) for _ in periods]
    for bucket, district, organisation, dimension, value, month, n in _summed(
        ConcernCount, periods, ("district_id", "organisation_id")
    ):
        place = district if district is not None else district_of.get(organisation, NOWHERE)
        cells[bucket][_key(place, dimension, value, month)] += n
    return tuple(_counts(p, cells[i], set(), set()) for i, p in enumerate(periods))


def incident_counts(*periods: Period, at: Snapshot | None = None) -> list[Counts]:
    """Incidents per district and month, category, environment and neighbourhood, for each of ``periods``
    (``at``: the snapshot already read for the same request): one sum over the summary, or none."""
    return list(_incident_counts(periods, at or snapshot()))


def concern_counts(*periods: Period, at: Snapshot | None = None) -> list[Counts]:
    """Concerns received per place and month and by environment, for each of ``periods``: one sum over
    the summary, or none. A concern's place is the district where it was observed, or else its
    organisation's district (NOWHERE for a board's)."""
    return list(_concern_counts(periods, at or snapshot()))


def _years(at: Snapshot) -> range:
    spans = [
        span
        for span in (
            INCIDENTS.years_spanned(Incident.objects.all()),
            CONCERNS.years_spanned(Concern.objects.all()),
        )
        if span
    ]
    return range(min(s.start for s in spans), max(s.stop for s in spans)) if spans else range(0)


_kept_years = functools.lru_cache(maxsize=4)(_years)


def years_with_records(at: Snapshot | None = None) -> range:
    """The years from the first incident or concern to the last (empty without records): ``MIN`` and ``MAX``
    of the dated fields, answered by their indexes, once per summary stamp (every write of a dated field
    draws a new one)."""
    at = at or snapshot()
    return _years(at) if at.stamp is None else _kept_years(at)


def forget() -> None:
    """Drops what this process keeps (sums, years, protected tables): for tests that count queries."""
    for kept in _KEPT:
        kept.cache_clear()
    _kept_years.cache_clear()
    _protected.cache_clear()


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
    counts: Counts,
    *,
    dimensions: Sequence[Dimension],
    exact_places: Collection[Place] = (),
    districts_apart: bool = False,
) -> CityTable:
    """The protected table of ``counts`` (one period's); ``exact_places``: the districts whose counts
    the viewer sees exactly.

    ``districts_apart``: each district's total is shown on the map (whose shade classes tell a reader
    the range of a hidden total) and the districts no longer current also as one sum (``FORMER``).
    The table depends on nothing else, so every page and document showing a figure of it for the
    same period and viewer shows it the same way.

    Protecting is most of a statistics page's work and depends only on these arguments, so each
    process keeps the last tables it protected: a page asked again before any count of the period
    has changed (a new record changes ``counts``) protects nothing. Each caller gets its own copy.
    """
    table = _protected(
        counts,
        tuple(dimensions),
        frozenset(exact_places),
        districts_apart,
        translation.get_language(),  # the shade classes' labels are in the page's language
    )
    return CityTable(period=table.period, figures=dict(table.figures), classes=list(table.classes))


# Bounded: a table holds some hundred figures (the city's and each district's months and values).
@functools.lru_cache(maxsize=32)
def _protected(
    given: Counts,
    dimensions: tuple[Dimension, ...],
    exact_places: frozenset[Place],
    districts_apart: bool,
    _language: str | None,
) -> CityTable:
    period = given.period
    shown_dimensions = {d.name: d for d in dimensions}
    counts: dict[FigureKey, int] = defaultdict(int)
    for key, n in given.cells:
        place, dim_name, value = key
        if dim_name == MONTH:
            for total in ((place, TOTAL, None), (CITY, TOTAL, None), (CITY, MONTH, value)):
                counts[total] += n
        elif dim_name in shown_dimensions:
            if shown_dimensions[dim_name].for_city:
                counts[(CITY, dim_name, value)] += n
        else:
            continue
        counts[key] += n
    mapped, former = given.mapped, given.former
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
