"""Raising a concern in SSPF in a real browser: from the case page's link, the caseworker chooses SSPF
Järva and the person's recorded consent; a form sent without a ground shows its Swedish error; every
page passes axe-core at 1280 px and at 375 px without scrolling sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ConsoleLog, assert_accessible, sign_in_browser
from vbe.collaboration.models import ForumRaising
from vbe.collaboration.tests.raising_fixtures import GIVEN_ON, RAISED_ON, consent, jarva_concern

pytestmark = pytest.mark.browser

WIDE, NARROW = 1280, 375


def check(page, axe_source: str, console: ConsoleLog) -> None:
    """axe-core at 1280 px and 375 px, and no sideways scrolling of the page itself at 375 px."""
    page.set_viewport_size({"width": WIDE, "height": 900})
    assert_accessible(page, axe_source, console)
    page.set_viewport_size({"width": NARROW, "height": 900})
    page.wait_for_function("(w) => window.innerWidth === w", arg=NARROW)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} rullar i sidled vid {NARROW} px ({overflow} px)"
    page.set_viewport_size({"width": WIDE, "height": 900})


@pytest.mark.parametrize("name", ["caseworker", "coordinator"])
def test_a_handler_raises_a_concern_in_sspf_with_consent(page, context, live_server, cast, axe_source, console, name):
    concern = jarva_concern(cast)
    consent(cast, concern, purpose="Lyft i SSPF Järva")
    sign_in_browser(context, live_server, cast[name])
    page.goto(f"/oro/arenden/{concern.reference}/")
    page.get_by_role("link", name="Lyft i SSPF eller BUS").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lyft i SSPF eller BUS")
    check(page, axe_source, console)

    # Sent without a ground: the error summary, in Swedish, and what was chosen is kept.
    page.get_by_label("Lyft i SSPF", exact=True).check()
    page.get_by_label("Forum").select_option(label="SSPF Järva")
    page.get_by_label("Datum då ärendet lyftes").fill(f"{RAISED_ON:%Y-%m-%d}")
    page.get_by_role("button", name="Registrera lyftet").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("bara med samtycke eller annat rättsligt stöd")
    expect(page.get_by_label("Lyft i SSPF", exact=True)).to_be_checked()
    assert page.get_by_label("Forum").evaluate("s => s.selectedOptions[0].text") == "SSPF Järva"
    check(page, axe_source, console)

    page.get_by_label("Samtycke").select_option(label=f"Lyft i SSPF Järva ({GIVEN_ON:%Y-%m-%d})")
    page.get_by_role("button", name="Registrera lyftet").click()
    expect(page.get_by_text("Ärendet är registrerat som lyft i SSPF Järva.")).to_be_visible()
    expect(page.get_by_role("link", name="SSPF Järva")).to_be_visible()
    check(page, axe_source, console)
    raising = ForumRaising.objects.get(action__concern=concern)
    assert raising.forum.name == "SSPF Järva" and raising.consent is not None and raising.legal_ground == ""
