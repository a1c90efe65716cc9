"""The cycle of a document, read from its reporting duty: the years it is due, what it covers, its
follow-ups and the rule in words."""

from __future__ import annotations

import pytest

from vbe.guidelines.cycle import Cycle, cycle_for
from vbe.guidelines.models import Cadence, Document, ReportingDuty


def _cycle(cadence: str, follow_up: str | None = None) -> Cycle:
    duty = ReportingDuty(document=Document.BOARD_PLAN, cadence=cadence)
    after = ReportingDuty(document=Document.BOARD_FOLLOW_UP, cadence=follow_up) if follow_up else None
    return Cycle(duty, after)


def test_every_other_year_covers_two_and_the_covering_plan_starts_in_a_due_year():
    odd = _cycle(Cadence.ODD_YEARS)
    assert odd.years(2024, 2030) == [2025, 2027, 2029]
    assert [odd.first_year_covering(y) for y in (2025, 2026, 2027)] == [2025, 2025, 2027]
    assert [odd.next_year(y) for y in (2025, 2026)] == [2025, 2027]
    assert (odd.period, odd.end_year(2025), odd.period_label(2025)) == (2, 2026, "2025–2026")
    assert (odd.rule, odd.period_text) == ("varje ojämnt år", "två år")


def test_every_year_covers_one():
    yearly = _cycle(Cadence.YEARLY)
    assert yearly.years(2025, 2027) == [2025, 2026, 2027]
    assert (yearly.first_year_covering(2026), yearly.end_year(2026), yearly.period_label(2026)) == (2026, 2026, "2026")
    assert (yearly.rule, yearly.period_text) == ("varje år", "ett år")


def test_follow_ups_follow_their_own_duty_or_every_covered_year():
    assert _cycle(Cadence.EVEN_YEARS, Cadence.ODD_YEARS).follow_up_years(2026, 2027) == [2027]
    assert _cycle(Cadence.EVEN_YEARS, Cadence.YEARLY).follow_up_years(2026, 2027) == [2026, 2027]
    assert _cycle(Cadence.EVEN_YEARS).follow_up_years(2026, 2027) == [2026, 2027]
    assert _cycle(Cadence.EVEN_YEARS, Cadence.ODD_YEARS).follow_up_rule == "varje ojämnt år"


@pytest.mark.django_db
def test_read_from_the_current_guideline_and_following_an_edit(reference_data):
    duty = ReportingDuty.objects.get(guideline__is_current=True, document=Document.BOARD_PLAN)
    assert cycle_for(Document.BOARD_PLAN).duty.cadence == duty.cadence
    assert cycle_for(Document.BOARD_PLAN).follow_up.document == Document.BOARD_FOLLOW_UP
    duty.cadence = Cadence.ODD_YEARS
    duty.save(update_fields=["cadence"])
    assert cycle_for(Document.BOARD_PLAN).years(2026, 2029) == [2027, 2029]
    duty.delete()
    without = cycle_for(Document.BOARD_PLAN)  # no duty: no rule about years, one year at a time
    assert (without.years(2026, 2027), without.period) == ([2026, 2027], 1)
