"""Situation statistics: counts per month, category, environment and district, with small counts suppressed.

Everything is counted in the database (values + annotate), a fixed number of queries per page whatever
the number of incidents. ``breakdown`` takes any queryset and field names, so the concern routine's
counts can be added to a situation picture the same way.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from vbe.accounts import permissions
from vbe.accounts.models import Role
from vbe.core import svg

SUPPRESSION_LIMIT = 5
SUPPRESSED = "<5"
MONTHS_SV = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
MONTH_NAMES_SV = [
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


# --- Suppression --------------------------------------------------------------------------------


def shown_count(count: int, *, exact: bool) -> str:
    """How a count is shown: exactly to the handling organisation, otherwise 1–4 becomes "<5".

    Zero stays zero (it singles no one out); five or more is shown as it is.
    """
    if exact or count == 0 or count >= SUPPRESSION_LIMIT:
        return str(count)
    return SUPPRESSED


def is_suppressed(count: int, *, exact: bool) -> bool:
    return shown_count(count, exact=exact) == SUPPRESSED


def drawn_count(count: int, *, exact: bool) -> int:
    """The height a bar may have: every suppressed count is drawn the same, so no picture tells 1 from 4."""
    return SUPPRESSION_LIMIT - 1 if is_suppressed(count, exact=exact) else count


def sees_exact_counts(user: Any, council_id: int | None) -> bool:
    """Only the handling organisation, the district council's coordinators, sees exact counts. (Not the
    central coordinators: they handle only the open incidents of a council while it has no coordinator,
    and the counts take in every incident there.)"""
    return council_id is not None and council_id in permissions.org_ids_with(user, Role.COORDINATOR)


# --- Periods ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    label: str
    months: tuple[date, ...]


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def last_twelve_months(today: date | None = None) -> Period:
    today = today or timezone.localdate()
    first = _add_months(today.replace(day=1), -11)
    months = tuple(_add_months(first, i) for i in range(12))
    return Period(first, today, "de senaste tolv månaderna", months)


def calendar_year(year: int) -> Period:
    months = tuple(date(year, m, 1) for m in range(1, 13))
    return Period(date(year, 1, 1), date(year, 12, 31), str(year), months)


def month_label(month: date, *, with_year: bool = True) -> str:
    return f"{MONTHS_SV[month.month - 1]} {month.year}" if with_year else MONTHS_SV[month.month - 1]


def month_name(month: date) -> str:
    return f"{MONTH_NAMES_SV[month.month - 1]} {month.year}"


# --- Counting (in the database) -------------------------------------------------------------------


def count_by(queryset: QuerySet, field_name: str) -> dict[Any, int]:
    """One query: {value of ``field_name``: number of rows}."""
    rows = queryset.order_by().values(field_name).annotate(n=Count("pk")).values_list(field_name, "n")
    return dict(rows)


def count_by_month(queryset: QuerySet, date_field: str) -> dict[date, int]:
    """One query: {first day of month: number of rows}."""
    rows = (
        queryset.order_by()
        .annotate(month=TruncMonth(date_field))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    # SQLite gives a date, some backends a datetime at midnight.
    return {(m.date() if isinstance(m, datetime) else m): n for m, n in rows}


@dataclass(frozen=True)
class Breakdown:
    """Counts of one queryset within a period: per month and per each of ``fields``."""

    by_month: dict[date, int]
    by_field: dict[str, dict[Any, int]]

    @property
    def total(self) -> int:
        return sum(self.by_month.values())


def breakdown(queryset: QuerySet, *, period: Period, date_field: str, fields: Sequence[str]) -> Breakdown:
    """1 + len(fields) queries, however many rows: for incidents, concerns or anything else dated."""
    within = queryset.filter(**{f"{date_field}__gte": period.start, f"{date_field}__lte": period.end})
    return Breakdown(
        by_month=count_by_month(within, date_field),
        by_field={name: count_by(within, name) for name in fields},
    )


# --- Figures for a page: table rows and charts ----------------------------------------------------


@dataclass(frozen=True)
class Row:
    label: str
    count: int
    shown: str
    href: str = ""


@dataclass(frozen=True)
class Figure:
    """One chart and the table with the same figures."""

    key: str
    title: str
    rows: list[Row]
    chart: str


def rows_for(choices: Iterable[tuple[Any, Any]], counts: dict[Any, int], *, exact: bool) -> list[Row]:
    return [
        Row(str(label), counts.get(value, 0), shown_count(counts.get(value, 0), exact=exact))
        for value, label in choices
    ]


def bars_for(rows: Sequence[Row], *, exact: bool) -> list[svg.Bar]:
    return [
        svg.Bar(
            label=row.label,
            value=drawn_count(row.count, exact=exact),
            text=row.shown,
            muted=is_suppressed(row.count, exact=exact),
        )
        for row in rows
    ]


def month_figure(
    counts: dict[date, int], period: Period, *, exact: bool, key: str, subject: str, noun: str = "Händelser"
) -> Figure:
    rows = [Row(month_name(m), counts.get(m, 0), shown_count(counts.get(m, 0), exact=exact)) for m in period.months]
    bars = [
        svg.Bar(
            label=month_label(m, with_year=(i == 0 or m.month == 1)),
            value=drawn_count(row.count, exact=exact),
            text=row.shown,
            muted=is_suppressed(row.count, exact=exact),
        )
        for i, (m, row) in enumerate(zip(period.months, rows, strict=True))
    ]
    title = f"{noun} per månad, {subject}, {period.label}"
    chart = svg.column_chart(
        bars,
        chart_id=f"chart-{key}",
        title=title,
        description=_describe(rows, exact=exact),
    )
    return Figure(key=key, title=title, rows=rows, chart=chart)


def category_figure(
    choices: Iterable[tuple[Any, Any]], counts: dict[Any, int], *, exact: bool, key: str, title: str
) -> Figure:
    rows = rows_for(choices, counts, exact=exact)
    chart = svg.bar_chart(
        bars_for(rows, exact=exact), chart_id=f"chart-{key}", title=title, description=_describe(rows, exact=exact)
    )
    return Figure(key=key, title=title, rows=rows, chart=chart)


def _describe(rows: Sequence[Row], *, exact: bool) -> str:
    parts = "; ".join(f"{r.label}: {r.shown}" for r in rows)
    note = "" if exact else " Antal från 1 till 4 visas som <5."
    return f"Stapeldiagram. {parts}.{note} Samma siffror finns i tabellen under diagrammet."


# --- The map of districts -------------------------------------------------------------------------


@dataclass(frozen=True)
class ShadeClass:
    shade: int
    low: int
    high: int
    label: str


def shade_classes(counts: Iterable[int], *, suppressed: bool) -> list[ShadeClass]:
    """Classes for the map: 0, 1–4 (one class, so shading never tells 1 from 4), then up to three above."""
    top = max(counts, default=0)
    classes = [ShadeClass(0, 0, 0, "0"), ShadeClass(1, 1, SUPPRESSION_LIMIT - 1, SUPPRESSED if suppressed else "1–4")]
    if top >= SUPPRESSION_LIMIT:
        step = max(1, math.ceil((top - SUPPRESSION_LIMIT + 1) / 3))
        low = SUPPRESSION_LIMIT
        while low <= top:
            high = min(low + step - 1, top) if len(classes) < 4 else top
            classes.append(ShadeClass(len(classes), low, high, f"{low}–{high}" if high > low else str(low)))
            low = high + 1
    return classes


def shade_of(count: int, classes: Sequence[ShadeClass]) -> int:
    for cls in classes:
        if cls.low <= count <= cls.high:
            return cls.shade
    return classes[-1].shade
