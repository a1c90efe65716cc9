"""From an entry of the symbol guide to an incident report: the form comes pre-filled with the symbol and
its environment, the incident stores the symbol, and the coordinator's incident page links back."""

from __future__ import annotations

import re

import pytest

from vbe.guidelines.vocabulary import Environment
from vbe.incidents import symbols
from vbe.incidents.models import Incident
from vbe.incidents.tests.factories import make_incident
from vbe.incidents.tests.test_report import form_data
from vbe.incidents.tests.test_symbols import make_symbol

NOTICE = "Du rapporterar en händelse med symbolen"


@pytest.fixture
def flag(cast):
    return make_symbol(cast, "Svart flagga", environment=Environment.ISLAMIST)


def selected_symbol(html: str) -> str | None:
    select = re.search(r'<select name="symbol".*?</select>', html, re.S).group(0)
    chosen = re.search(r'<option value="([^"]*)" selected>', select)
    return (chosen.group(1) or None) if chosen else None


def checked_environment(html: str) -> str | None:
    chosen = re.search(r'<input[^>]*name="environment"[^>]*value="([^"]+)"[^>]*checked', html)
    return chosen.group(1) if chosen else None


def test_the_guides_link_preselects_the_symbol_and_its_environment(cast, flag):
    html = cast.client("staff").get("/handelser/rapportera/?symbol=svart-flagga").content.decode()
    assert NOTICE in html and 'href="/stod/symboler/svart-flagga/"' in html
    assert selected_symbol(html) == "svart-flagga"
    assert checked_environment(html) == Environment.ISLAMIST
    assert "/handelser/rapportera/?omrade=" in html and "&amp;symbol=svart-flagga#plats" in html  # the map keeps it


@pytest.mark.parametrize("slug", ["finns-inte", "<script>", "x" * 200, ""])
def test_an_unknown_or_malformed_symbol_is_ignored(cast, flag, slug):
    response = cast.client("staff").get("/handelser/rapportera/", {"symbol": slug})
    html = response.content.decode()
    assert response.status_code == 200
    assert NOTICE not in html and selected_symbol(html) is None and checked_environment(html) is None
    assert '<option value="svart-flagga">Svart flagga</option>' in html  # still offered


def test_an_inactive_symbol_is_neither_preselected_nor_offered(cast, flag):
    symbols.set_symbol_active(actor=cast["central_coordinator"], symbol_id=flag.pk, lock_version=0, active=False)
    html = cast.client("staff").get("/handelser/rapportera/?symbol=svart-flagga").content.decode()
    assert NOTICE not in html and "svart-flagga" not in html


def test_the_report_stores_the_symbol_and_the_coordinator_sees_it_with_a_link(cast, flag):
    response = cast.client("staff").post("/handelser/rapportera/", form_data(symbol="svart-flagga"))
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.symbol == flag
    html = cast.client("coordinator").get(f"/handelser/{incident.pk}/").content.decode()
    assert "Symbol från symbolguiden" in html
    assert '<a class="govuk-link" href="/stod/symboler/svart-flagga/">Svart flagga</a>' in html


def test_a_report_without_a_symbol_still_works_and_says_nothing_of_one(cast, flag):
    response = cast.client("staff").post("/handelser/rapportera/", form_data())
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.symbol is None
    assert (
        "Symbol från symbolguiden" not in cast.client("coordinator").get(f"/handelser/{incident.pk}/").content.decode()
    )


def test_a_symbol_not_in_the_list_is_a_clear_error_and_the_form_keeps_its_input(cast, flag):
    symbols.set_symbol_active(actor=cast["central_coordinator"], symbol_id=flag.pk, lock_version=0, active=False)
    response = cast.client("staff").post("/handelser/rapportera/", form_data(symbol="svart-flagga"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Välj en av symbolerna i listan, eller Ingen vald." in html
    assert "Tjugo klistermärken med en extremistisk symbol" in html
    assert not Incident.objects.exists()


def test_an_error_elsewhere_keeps_the_chosen_symbol_and_says_which_it_is(cast, flag):
    response = cast.client("staff").post(
        "/handelser/rapportera/", form_data(symbol="svart-flagga", description="", environment="right_wing")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert selected_symbol(html) == "svart-flagga" and NOTICE in html
    assert checked_environment(html) == "right_wing"  # what the reporter chose, not the symbol's


def test_incidents_of_other_symbols_are_unaffected(cast, flag):
    other = make_symbol(cast, "Tyr-runan")
    incident = make_incident(reporter=cast["staff"], symbol=other)
    assert list(flag.incidents.all()) == [] and list(other.incidents.all()) == [incident]
