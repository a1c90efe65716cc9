"""The figures beside the situation picture: aggregates only, small counts protected for outsiders."""

from __future__ import annotations

import datetime

from vbe.concerns.tests.conftest import submit_test_concern
from vbe.incidents.tests.factories import make_incident
from vbe.organisations.models import Organisation
from vbe.plans import situation
from vbe.plans.tests.conftest import LAST_YEAR, THIS_YEAR, make_plan


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
    for _ in range(8):
        make_incident(reporter=cast["staff"], occurred_on=today)
    outside = _figures(situation.situation_statistics(jarva, THIS_YEAR, viewer=cast["board_reader"]))
    assert outside[("Händelser", "Händelser totalt")] == "11"  # five or more is shown as it is
    assert outside[("Händelser", "Hot")] == "<5"
    # 11 less the 10 propaganda incidents would give the threat away: they are hidden too, and
    # "x" (5 or more) beside "<5" (1–4) with 11 in all leaves the threat 1 to 4 still.
    assert outside[("Händelser", "Propaganda: klistermärken eller affischer")] == "x"


def test_one_small_count_beside_a_shown_total_is_never_given_away(cast):
    """Before: a total of 6 beside 5 propaganda incidents told anyone that there was 1 threat."""
    jarva = Organisation.objects.get(slug="jarva")
    day = datetime.date(THIS_YEAR, 1, 15)
    for _ in range(5):
        make_incident(reporter=cast["staff"], occurred_on=day)
    make_incident(reporter=cast["staff"], occurred_on=day, category="threat")
    rows = situation.situation_statistics(jarva, THIS_YEAR, viewer=cast["board_reader"])
    outside = _figures(rows)
    # Hiding the 5 would not do: "x" is 5 or more, so 6 − x leaves the threat at 1. Hiding the total
    # does: 5 and "<5" could add up to anything from 6 to 9.
    assert (
        outside[("Händelser", "Händelser totalt")],
        outside[("Händelser", "Propaganda: klistermärken eller affischer")],
        outside[("Händelser", "Hot")],
    ) == ("x", "5", "<5")
    assert outside[("Händelser", "Våld")] == "0"
    assert rows.secondary_note.startswith("x är ett antal på 5 eller fler")
    own = situation.situation_statistics(jarva, THIS_YEAR, viewer=cast["coordinator"])
    assert _figures(own)[("Händelser", "Hot")] == "1" and own.secondary_note == ""


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
