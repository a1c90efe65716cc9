"""A process keeps the tables it protected: the same counts, period and viewer are not protected
again, any change to the counts is, and every caller gets a table of its own."""

from __future__ import annotations

import datetime

import pytest

from vbe.statistics import city, dating
from vbe.statistics.suppression import Shown

MONTH = datetime.date(2025, 3, 1)
PERIOD = dating.calendar_year(2025)


def _counts(n: int) -> city.Counts:
    """Three districts' counts in one month: district 1 holds ``n``."""
    cells = {}
    for place, category, environment, neighbourhood, count in (
        (1, "propaganda", "right_wing", 10, n),
        (2, "graffiti", "unknown", None, 7),
        (3, "threat", "islamist", 11, 2),
    ):
        cells |= {
            (place, city.MONTH, MONTH): count,
            (place, "category", category): count,
            (place, "environment", environment): count,
            (place, "neighbourhood", neighbourhood): count,
        }
    return city.Counts(PERIOD, tuple(cells.items()), mapped=frozenset({1, 2, 3}))


@pytest.fixture
def protections(monkeypatch) -> list[int]:
    """One entry per time the table is protected."""
    city._protected.cache_clear()
    calls: list[int] = []
    original = city.protect
    monkeypatch.setattr(city, "protect", lambda *a, **kw: calls.append(1) or original(*a, **kw))
    yield calls
    city._protected.cache_clear()


def _build(counts, **kw) -> city.CityTable:
    return city.build(counts, dimensions=city.INCIDENT_DIMENSIONS, districts_apart=True, **kw)


def test_the_same_counts_are_protected_once(protections):
    first = _build(_counts(3))
    second = _build(_counts(3))
    assert len(protections) == 1
    assert first == second and first.figures is not second.figures  # equal, each caller its own
    first.figures.clear()
    assert _build(_counts(3)).figures == second.figures  # what one caller does stays with it


def test_other_counts_or_another_viewer_are_protected_anew(protections):
    hidden = _build(_counts(3))
    more = _build(_counts(30))
    exact = _build(_counts(3), exact_places={1})
    assert len(protections) == 3
    assert hidden.total(1).hidden  # 3 is a small count
    assert more.total(1) == Shown(30) and exact.total(1) == Shown(3)
