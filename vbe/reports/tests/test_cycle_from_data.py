"""The compliance overview reads the plan cycle from the reporting duties: with the handlingsplan moved
to odd years, the plan covering a year is the one of the latest odd year up to it, and with its
follow-up moved to even years an odd year asks for none."""

from __future__ import annotations

import datetime

import pytest

from vbe.guidelines.models import Cadence, Document, ReportingDuty
from vbe.reports.compliance import compliance_for
from vbe.reports.requirements import Cell, Level, Requirement
from vbe.reports.tests.factories import make_plan, organisation


def _set_cadence(document: str, cadence: str) -> None:
    duty = ReportingDuty.objects.get(guideline__is_current=True, document=document)
    duty.cadence = cadence
    duty.save(update_fields=["cadence"])


def _cell(year: int, requirement: str, slug: str = "utbildningsnamnden") -> Cell:
    """The cell of ``slug`` for ``year``, seen in January of the year after (every due date passed)."""
    row = compliance_for(year, today=datetime.date(year + 1, 1, 10)).row_for(organisation(slug).pk)
    return row.cell(requirement)


@pytest.fixture
def odd_years(cast):
    _set_cadence(Document.BOARD_PLAN, Cadence.ODD_YEARS)
    make_plan(
        actor=cast["coordinator_board"],
        slug="utbildningsnamnden",
        year=2025,
        measures=[1],
        state="decided",
        decided_on=datetime.date(2025, 5, 20),
    )
    return cast


def test_the_handlingsplan_covering_a_year_starts_in_a_year_the_duty_names(odd_years):
    covered = _cell(2026, Requirement.BOARD_PLAN)
    assert (covered.level, covered.text, covered.note) == (Level.OK, "Beslutad", "2025–2026, beslutad 20 maj 2025")
    missing = _cell(2027, Requirement.BOARD_PLAN)
    assert (missing.level, missing.text, missing.note) == (
        Level.GAP,
        "Saknas – försenad",
        "2027–2028, senast 30 juni 2027",
    )
    assert _cell(2026, Requirement.BOARD_FOLLOW_UP).label == "Ej påbörjad"  # the plan of 2025 is followed up in 2026


def test_the_follow_up_is_asked_for_in_the_years_its_duty_names(odd_years, central):
    _set_cadence(Document.BOARD_FOLLOW_UP, Cadence.EVEN_YEARS)
    odd = _cell(2025, Requirement.BOARD_FOLLOW_UP)
    assert (odd.level, odd.text, odd.note) == (Level.NOT_APPLICABLE, "Inte aktuellt", "Varje jämnt år")
    even = _cell(2026, Requirement.BOARD_FOLLOW_UP)
    assert (even.level, even.text) == (Level.GAP, "Ej påbörjad – försenad")
    page = central.get("/rapporter/efterlevnad/2025/utbildningsnamnden/").content.decode()
    assert "Inte aktuellt" in page and "Varje jämnt år" in page
