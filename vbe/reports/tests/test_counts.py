"""The status report's incident and concern tables: no hidden figure can be worked out from them.

A reader of the report subtracts: in each year's column the rows of a table add up to "Totalt", and
the three incident tables share that total. ``solutions`` tries every value the hidden figures could
have ("<5": 1–4, "x": 5 or more) and keeps those that add up everywhere.
"""

from __future__ import annotations

import datetime

import pytest

from vbe.guidelines.vocabulary import Environment
from vbe.incidents.models import Category
from vbe.reports import compile
from vbe.reports.document import Table
from vbe.reports.tests.test_documents import TZ, make_concerns, make_incidents
from vbe.statistics.suppression import Line, Mark, Shown
from vbe.statistics.tests.test_suppression import solutions

INCIDENT_TABLES = ("Händelser per typ", "Händelser per miljö", "Händelser per stadsdelsområde")


@pytest.fixture
def report(cast):
    staff = cast["staff"]
    make_incidents(staff, "jarva", 6, category=Category.PROPAGANDA, day=datetime.date(2025, 3, 1))
    make_incidents(staff, "jarva", 9, category=Category.GRAFFITI, day=datetime.date(2025, 4, 1))
    make_incidents(staff, "sodermalm", 2, category=Category.THREAT, day=datetime.date(2025, 12, 31))
    make_incidents(staff, "bromma", 7, category=Category.GRAFFITI, day=datetime.date(2025, 5, 1))
    make_incidents(staff, "jarva", 3, category=Category.GRAFFITI, day=datetime.date(2024, 6, 1))
    make_concerns(staff, 7, environment=Environment.RIGHT_WING, received=datetime.datetime(2025, 5, 1, 12, tzinfo=TZ))
    make_concerns(staff, 1, environment=Environment.ISLAMIST, received=datetime.datetime(2025, 2, 1, 12, tzinfo=TZ))
    return compile.status_report_data(2025)


def _figure(text: str) -> Shown:
    if text == "<5":
        return Shown(0, Mark.PRIMARY)
    return Shown(0, Mark.SECONDARY) if text == "x" else Shown(int(text))


def _lines(tables: list[Table]) -> tuple[dict, list[Line]]:
    figures, lines = {}, []
    for t in tables:
        for column, year in enumerate(t.columns[1:], start=1):
            cells = []
            for row in t.rows:
                key = ("Totalt", year) if row[0] == "Totalt" else (t.caption, row[0], year)
                figures[key] = _figure(row[column])
                if row[0] != "Totalt":
                    cells.append(key)
            lines.append(Line(("Totalt", year), tuple(cells)))
    return figures, lines


def test_no_hidden_incident_figure_can_be_worked_out_from_the_report(report):
    tables = [t for t in report.tables() if t.caption in INCIDENT_TABLES]
    assert len(tables) == 3
    figures, lines = _lines(tables)
    assert figures[("Händelser per typ", "Hot", "2025")].text == "<5"
    assert figures[("Totalt", "2025")].text == "24"  # plenty beside the threats to hide them among
    found = solutions(figures, lines, cap=24)
    assert found and not {k: v for k, v in found.items() if len(v) == 1}


def test_no_hidden_concern_figure_can_be_worked_out_from_the_report(report):
    figures, lines = _lines([t for t in report.tables() if t.caption == "Oro för en individ per miljö"])
    assert figures[("Oro för en individ per miljö", "Våldsbejakande islamism", "2025")].text == "<5"
    found = solutions(figures, lines, cap=8)
    assert found and not {k: v for k, v in found.items() if len(v) == 1}


def test_the_charts_hide_what_the_tables_hide(report):
    for figure in (f for f in report.figures() if f.chart and f.chart.key != "focus-areas"):
        by_label = {row[0]: row[-1] for row in figure.table.rows}
        for bar in figure.chart.bars:
            assert bar.text == by_label[bar.label]
            assert bar.muted == (bar.text in ("<5", "x"))
            if bar.muted:
                assert bar.value == 4  # every hidden figure drawn alike
        if any(bar.text == "x" for bar in figure.chart.bars):
            assert "x är ett antal på 5 eller fler" in figure.chart.description
