"""Figures for a page: table rows and the charts that show the same counts, as already protected
(``vbe.statistics.suppression``); and the shade classes of the map of districts."""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from vbe.core import svg
from vbe.organisations import shapes
from vbe.organisations.models import District
from vbe.statistics.dating import Period, month_label, month_name
from vbe.statistics.suppression import INF, LIMIT, PRIMARY_TEXT, Shown, notes


@dataclass(frozen=True)
class Row:
    label: str
    figure: Shown
    href: str = ""

    @property
    def count(self) -> int:
        return self.figure.count

    @property
    def shown(self) -> str:
        return self.figure.text


@dataclass(frozen=True)
class Figure:
    """One chart and the table with the same figures."""

    key: str
    title: str
    rows: list[Row]
    chart: str


def rows_for(choices: Iterable[tuple[Hashable, object]], figure_of: Callable[[Hashable], Shown]) -> list[Row]:
    return [Row(str(label), figure_of(value)) for value, label in choices]


def bar(label: str, figure: Shown) -> svg.Bar:
    """Every hidden count is drawn alike, as a dashed outline: no picture tells one from another."""
    return svg.Bar(label=label, value=figure.drawn, text=figure.text, muted=figure.hidden)


def describe(rows: Sequence[Row]) -> str:
    parts = "; ".join(f"{r.label}: {r.shown}" for r in rows)
    note = notes(r.figure for r in rows)
    sentences = [_("Stapeldiagram."), f"{parts}.", note, _("Samma siffror finns i tabellen under diagrammet.")]
    return " ".join(sentence for sentence in sentences if sentence)


def month_figure(period: Period, figure_of: Callable[[date], Shown], *, key: str, title: str) -> Figure:
    rows = [Row(month_name(m), figure_of(m)) for m in period.months]
    bars = [
        bar(month_label(m, with_year=(i == 0 or m.month == 1)), row.figure)
        for i, (m, row) in enumerate(zip(period.months, rows, strict=True))
    ]
    chart = svg.column_chart(bars, chart_id=f"chart-{key}", title=title, description=describe(rows))
    return Figure(key=key, title=title, rows=rows, chart=chart)


def category_figure(
    choices: Iterable[tuple[Hashable, object]], figure_of: Callable[[Hashable], Shown], *, key: str, title: str
) -> Figure:
    rows = rows_for(choices, figure_of)
    chart = svg.bar_chart(
        [bar(row.label, row.figure) for row in rows], chart_id=f"chart-{key}", title=title, description=describe(rows)
    )
    return Figure(key=key, title=title, rows=rows, chart=chart)


# --- The map of districts -------------------------------------------------------------------------


@dataclass(frozen=True)
class ShadeClass:
    shade: int
    low: int
    high: float  # INF for the last class: "29 eller fler"
    label: str


def shade_classes(counts: Iterable[int], *, suppressed: bool) -> list[ShadeClass]:
    """Classes for the map: 0, 1–4 (one class, so shading never tells 1 from 4), then up to three above.

    No class above 4 holds a single number and the last is open ("29 eller fler"), so the shade of
    a district whose count is hidden as "x" never tells the count."""
    top = max(counts, default=0)
    classes = [ShadeClass(0, 0, 0, "0"), ShadeClass(1, 1, LIMIT - 1, PRIMARY_TEXT if suppressed else "1–4")]
    if top >= LIMIT:
        step = max(2, math.ceil((top - LIMIT + 1) / 3))
        low = LIMIT
        while low + step <= top and len(classes) < 4:
            classes.append(ShadeClass(len(classes), low, low + step - 1, f"{low}–{low + step - 1}"))
            low += step
        classes.append(ShadeClass(len(classes), low, INF, _("%(low)s eller fler") % {"low": low}))
    return classes


def shade_class(count: int, classes: Sequence[ShadeClass]) -> ShadeClass:
    for cls in classes:
        if cls.low <= count <= cls.high:
            return cls
    return classes[-1]


def shade_of(count: int, classes: Sequence[ShadeClass]) -> int:
    return shade_class(count, classes).shade


def district_map(
    districts: Iterable[District],
    total_of: Callable[[int], Shown],
    classes: Sequence[ShadeClass],
    *,
    drawn: shapes.DistrictMap,
    chart_id: str,
    title: str,
) -> tuple[list[Row], SafeString]:
    """Incidents per district as a map and as the rows of its table, the same figures in both. The
    outlines are drawn once per process (``drawn``: ``vbe.organisations.shapes.district_map()``, asked
    once per page since each asking checks that the districts have not changed); here only the shades
    and labels. A district no longer active keeps its row (old incidents) but has no area on the map."""
    outlines = drawn.outlines
    rows, areas = [], []
    for district in districts:
        figure = total_of(district.pk)
        label = (
            district.name if district.is_active else _("%(district)s (tidigare område)") % {"district": district.name}
        )
        rows.append(Row(label, figure, reverse("statistics:district", args=[district.code])))
        if district.is_active and district.code in outlines.areas:
            areas.append(
                svg.MapArea(
                    key=district.code,
                    name=district.name,
                    geometry=None,
                    label=figure.text,
                    shade=shade_of(figure.count, classes),
                )
            )
    description = " ".join(
        [
            _("Karta över stadsdelsområdena, färgade efter antal händelser: mörkare betyder fler."),
            "; ".join(f"{r.label}: {r.shown}" for r in rows) + ".",
            _("Samma siffror finns i tabellen under kartan."),
        ]
    )
    return rows, svg.area_map(areas, chart_id=chart_id, title=title, description=description, outlines=outlines)
