"""Contacts and partners (issue 12) in a real browser: each page passes axe-core at 1280 px and at 375 px
and never scrolls sideways at 375 px (the receptions table scrolls in its own region); the district list
jumps to a district's row without JavaScript; the vacancy and the filled-in details read as they should."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ConsoleLog, assert_accessible, sign_in_browser
from vbe.knowledge.demo_contacts import seed_contacts
from vbe.organisations.models import Partner

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


def open_page(page, path: str, status: int = 200):
    response = page.goto(path)
    assert response is not None and response.status == status, f"{path}: {response and response.status}"
    return response


def test_the_contacts_page_is_accessible_with_empty_and_filled_details(
    page, context, live_server, cast, axe_source, console
):
    sign_in_browser(context, live_server, cast["staff"])
    open_page(page, "/stod/kontakter/")
    expect(page.get_by_text("Akut: ring 112.")).to_be_visible()
    expect(page.get_by_role("heading", name="Ditt område: Järva")).to_be_visible()
    check(page, axe_source, console)

    seed_contacts()  # the demo's details: links in every cell
    open_page(page, "/stod/kontakter/")
    check(page, axe_source, console)
    # The district list jumps to the row, no script needed.
    page.get_by_role("navigation", name="Hoppa till ett stadsdelsområde").get_by_role("link", name="Farsta").click()
    assert page.url.endswith("#mottagning-80118")
    expect(page.locator("#mottagning-80118")).to_contain_text("mottagningen.farsta@vbe.example")


def test_a_vacancy_is_accessible(page, context, live_server, cast, axe_source, console):
    coordinator = cast["coordinator"]
    coordinator.is_active = False
    coordinator.save()
    sign_in_browser(context, live_server, cast["staff"])
    open_page(page, "/stod/kontakter/")
    expect(page.get_by_text("Vakant — kontakta den centrala samordningen.")).to_be_visible()
    check(page, axe_source, console)


def test_the_partners_pages_are_accessible(page, context, live_server, cast, axe_source, console):
    sign_in_browser(context, live_server, cast["admin"])
    open_page(page, "/stod/samverkanspartner/")
    expect(page.get_by_role("heading", name="Lokalpolisområde Rinkeby")).to_be_visible()
    check(page, axe_source, console)

    page.get_by_role("link", name="Säkerhetspolisen", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Säkerhetspolisen")
    check(page, axe_source, console)

    rinkeby = Partner.objects.get(name="Lokalpolisområde Rinkeby")
    open_page(page, f"/stod/samverkanspartner/{rinkeby.pk}/")
    check(page, axe_source, console)
    page.get_by_role("link", name="Polisregion Stockholm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Polisregion Stockholm")
