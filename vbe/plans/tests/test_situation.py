"""The figures beside the situation picture: aggregates only, small counts suppressed for outsiders."""

from __future__ import annotations

import datetime

import pytest

from vbe.concerns.tests.conftest import submit_test_concern
from vbe.organisations.models import Organisation
from vbe.plans import situation
from vbe.plans.tests.conftest import LAST_YEAR, THIS_YEAR, make_plan

try:
    from vbe.incidents.tests.factories import make_incident
except ImportError:  # pragma: no cover - the incident track is optional here
    make_incident = None

needs_incidents = pytest.mark.skipif(
    make_incident is None or situation.incident_statistics is None, reason="the incident track is not installed"
)


def _figures(rows) -> dict[tuple[str, str], str]:
    return {(row.group, row.label): row.value for row in rows}


def test_concern_counts_are_exact_for_the_coordinator_and_suppressed_for_others(cast):
    for key in ("a", "b", "c"):
        submit_test_concern(cast, key)
    jarva = Organisation.objects.get(slug="jarva")
    own = _figures(situation.situation_statistics(jarva, THIS_YEAR, viewer=cast["coordinator"]))
    assert own[("Oro för individer", "Rapporter om oro totalt")] == "3"
    assert own[("Oro för individer", "Mottagen")] == "3"
    assert own[("Oro för individer", "Avslutad")] == "0"
    outside = _figures(situation.situation_statistics(jarva, THIS_YEAR, viewer=cast["central_coordinator"]))
    assert outside[("Oro för individer", "Rapporter om oro totalt")] == "<5"
    assert outside[("Oro för individer", "Avslutad")] == "0"
    anonymous = _figures(situation.situation_statistics(jarva, THIS_YEAR))
    assert anonymous[("Oro för individer", "Mottagen")] == "<5"
    other_year = _figures(situation.situation_statistics(jarva, LAST_YEAR, viewer=cast["coordinator"]))
    assert other_year[("Oro för individer", "Rapporter om oro totalt")] == "0"


@needs_incidents
def test_incident_counts_for_the_plan_period(cast):
    jarva = Organisation.objects.get(slug="jarva")
    today = datetime.date(THIS_YEAR, 1, 15)
    for _ in range(2):
        make_incident(reporter=cast["staff"], occurred_on=today)
    make_incident(reporter=cast["staff"], occurred_on=today, category="threat")
    make_incident(reporter=cast["staff"], occurred_on=datetime.date(LAST_YEAR, 6, 1))
    own = _figures(situation.situation_statistics(jarva, THIS_YEAR, viewer=cast["coordinator"]))
    assert own[("Händelser", "Händelser totalt")] == "3"
    assert own[("Händelser", "Hot")] == "1"
    outside = _figures(situation.situation_statistics(jarva, THIS_YEAR, viewer=cast["board_reader"]))
    assert outside[("Händelser", "Händelser totalt")] == "<5" and outside[("Händelser", "Våld")] == "0"
    both = _figures(situation.situation_statistics(jarva, LAST_YEAR, end_year=THIS_YEAR, viewer=cast["board_reader"]))
    assert both[("Händelser", "Händelser totalt")] == "<5"
    for _ in range(3):
        make_incident(reporter=cast["staff"], occurred_on=today)
    outside = _figures(situation.situation_statistics(jarva, THIS_YEAR, viewer=cast["board_reader"]))
    assert outside[("Händelser", "Händelser totalt")] == "6"  # five or more is shown as it is


@needs_incidents
def test_a_boards_figures_are_the_incidents_its_staff_reported(cast):
    board = Organisation.objects.get(slug="utbildningsnamnden")
    make_incident(reporter=cast["board_reader"], occurred_on=datetime.date(THIS_YEAR, 2, 1))  # in Järva
    make_incident(reporter=cast["staff"], occurred_on=datetime.date(THIS_YEAR, 2, 1))  # Järva's staff
    figures = _figures(situation.situation_statistics(board, THIS_YEAR, viewer=cast["coordinator_board"]))
    assert figures[("Händelser", "Händelser totalt")] == "1"


def test_the_plan_page_shows_the_figures_beside_the_situation_picture(cast):
    submit_test_concern(cast, "x")
    plan = make_plan(cast)  # a draft: no follow-up tables on the page
    own = cast.client("coordinator").get(f"/planer/{plan.pk}/").content.decode()
    assert f"Statistik {THIS_YEAR}: Järva" in own and "Rapporter om oro totalt" in own
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">1</td>' in own
    central = cast.client("central_coordinator").get(f"/planer/{plan.pk}/").content.decode()
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">&lt;5</td>' in central
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">1</td>' not in central
