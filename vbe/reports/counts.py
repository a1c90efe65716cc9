"""Incidents and concerns per calendar year for the status report, one SQL sum each (over the
statistics' summary tables, ``vbe.statistics.city``).

Each year's figures are those of the city's statistics table for that calendar year
(``vbe.statistics.city``), as everyone without exact counts sees them on the statistics pages:
incidents by the day they happened, concerns by the day they were received
(``vbe.statistics.dating``), small counts hidden and enough beside them that no total gives one
away. The report leaves the city, so no count in it is exact.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from vbe.statistics import city, dating
from vbe.statistics.suppression import Shown

FORMER = city.FORMER  # the districts no longer current, as one row


@dataclass(frozen=True)
class YearFigures:
    """One protected city table per year."""

    tables: dict[int, city.CityTable]

    def get(self, year: int, dimension: str, value: Hashable) -> Shown:
        return self.tables[year].get(city.CITY, dimension, value)

    def total(self, year: int) -> Shown:
        return self.tables[year].total()

    def district(self, year: int, place: city.Place) -> Shown:
        """A district's total, or with ``FORMER`` that of the districts no longer current."""
        return self.tables[year].total(place)


def _year_tables(
    counts: list[city.Counts], *, dimensions: Sequence[city.Dimension], districts_apart: bool
) -> YearFigures:
    return YearFigures(
        {c.period.start.year: city.build(c, dimensions=dimensions, districts_apart=districts_apart) for c in counts}
    )


def incident_figures(years: Sequence[int], *, at: city.Snapshot | None = None) -> YearFigures:
    """One query: the incidents of ``years`` (``at``: the statistics snapshot already read, if any)."""
    counts = city.incident_counts(*(dating.calendar_year(y) for y in years), at=at)
    return _year_tables(counts, dimensions=city.INCIDENT_DIMENSIONS, districts_apart=True)


def concern_figures(years: Sequence[int], *, at: city.Snapshot | None = None) -> YearFigures:
    """One query: the concerns received in ``years`` (``at``: the statistics snapshot already read)."""
    counts = city.concern_counts(*(dating.calendar_year(y) for y in years), at=at)
    return _year_tables(counts, dimensions=city.CONCERN_DIMENSIONS, districts_apart=False)
