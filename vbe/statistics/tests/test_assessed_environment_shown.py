"""Concerns per assessed environment: only for those who read or oversee the place's handling. An
assessment is recorded days after the concern arrives, so a count per environment that moves while
anyone else watches would tell a reporter how the concern they sent was judged."""

from __future__ import annotations

import pytest

from vbe.incidents.tests.factories import JARVA

CITY = "/handelser/statistik/"
DISTRICT = f"/handelser/statistik/{JARVA}/"


def _shows_environment_figure(cast, role: str, url: str) -> bool:
    response = cast.client(role).get(url)
    assert response.status_code == 200
    return "Oro för individer per bedömd miljö" in response.content.decode()


@pytest.mark.parametrize("role", ["staff", "unit_manager", "caseworker", "board_reader", "coordinator_other"])
def test_others_see_concerns_by_month_but_not_by_assessed_environment(cast, role):
    for url in (CITY, DISTRICT):
        response = cast.client(role).get(url)
        page = response.content.decode()
        assert "Oro för individer per månad" in page
        assert "Oro för individer per bedömd miljö" not in page
        assert "visas bara för områdets samordnare och de centrala samordnarna" in page


def test_the_districts_own_coordinators_see_it_for_their_district_only(cast):
    assert _shows_environment_figure(cast, "coordinator", DISTRICT)
    assert not _shows_environment_figure(cast, "coordinator", CITY)


def test_the_central_coordinators_see_it_everywhere(cast):
    assert _shows_environment_figure(cast, "central_coordinator", CITY)
    assert _shows_environment_figure(cast, "central_coordinator", DISTRICT)
