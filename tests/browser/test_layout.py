"""Layout at the widths people use (issue 10, item 9): the header's menu fits one line at 1280 px for
every demo account, each heading leads to a page the account may open, and a wide table scrolls
inside its own region on a 375 px screen while the page itself does not scroll sideways."""

from __future__ import annotations

import pytest

from tests.browser.conftest import CSP_LISTENER, ConsoleLog, assert_accessible, sign_in_browser
from vbe.accounts.models import User
from vbe.audit.log import record
from vbe.demo import city

pytestmark = pytest.mark.browser

NAV_ITEMS = "#navigation > li"


def _offsets(page) -> list[int]:
    return page.eval_on_selector_all(NAV_ITEMS, "items => items.map(item => item.offsetTop)")


def test_the_menu_fits_one_line_at_1280_px_for_every_demo_account(browser, live_server, reference_data):
    city.create_units()
    city.create_accounts()
    widths = {}
    for account in city.ACCOUNTS:
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
        try:
            sign_in_browser(context, live_server, User.objects.get(email=account.email))
            page = context.new_page()
            page.goto("/")
            offsets = _offsets(page)
            links = page.eval_on_selector_all(f"{NAV_ITEMS} a", "links => links.map(a => a.getAttribute('href'))")
            assert len(offsets) >= 4, account.email  # Start, Vid oro, Planer och lägesbild, Riktlinjerna at least
            assert len(set(offsets)) == 1, f"{account.email}: menyn bryts på flera rader ({offsets})"
            widths[account.email] = page.eval_on_selector(
                "#navigation", "list => list.scrollWidth <= list.parentElement.clientWidth"
            )
            for href in links:  # every heading opens a page this account may see
                response = page.goto(href)
                assert response.status == 200, f"{account.email}: {href} svarade {response.status}"
        finally:
            context.close()
    assert all(widths.values()), widths


def test_a_heading_with_several_pages_shows_them_as_a_second_row(browser, live_server, cast):
    """The central coordinator's "Planer och lägesbild" holds plans, follow-up and statistics: on each
    of those pages the second row lists all three, with the current one marked, and no JavaScript is
    needed to reach them."""
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        sign_in_browser(context, live_server, cast["central_coordinator"])
        page = context.new_page()
        page.goto("/handelser/statistik/")
        active = page.locator("#navigation a[aria-current]")
        assert active.inner_text().strip() == "Planer och lägesbild"
        section = page.locator("#section-navigation a")
        assert section.all_inner_texts() == ["Planer", "Uppföljning", "Lägesbild"]
        assert page.locator("#section-navigation a[aria-current='page']").inner_text().strip() == "Lägesbild"
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("path", ["/riktlinjer/mitt-uppdrag/", "/loggkontroll/"])
def test_both_rows_of_the_menu_and_a_scrolling_table_pass_axe(browser, live_server, cast, axe_source, width, path):
    record(action="sign_in", actor=cast["coordinator"], detail="en rad i loggen")
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 700})
    try:
        context.add_init_script(CSP_LISTENER)
        sign_in_browser(context, live_server, cast["auditor" if path == "/loggkontroll/" else "central_coordinator"])
        page = context.new_page()
        console = ConsoleLog()
        page.on("console", console.on_console)
        page.goto(path)
        if path != "/loggkontroll/":
            # Riktlinjerna, Mitt uppdrag, Utbildning, Stödmaterial, Symbolguide, Kontakter, Demokrativillkor,
            # Samverkansforum, Organisationer
            assert page.locator("#section-navigation a").count() == 9
        assert_accessible(page, axe_source, console)
    finally:
        context.close()


def test_a_wide_table_scrolls_in_its_region_at_375_px_and_the_page_does_not(browser, live_server, cast):
    for i in range(3):
        record(action="sign_in", actor=cast["coordinator"], detail=f"inloggning nummer {i} från en lång detaljtext")
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 700})
    try:
        sign_in_browser(context, live_server, cast["auditor"])
        page = context.new_page()
        page.goto("/loggkontroll/")
        region = page.locator(".app-table-scroll[role='region'][tabindex='0']")
        assert region.count() == 1
        assert region.get_attribute("aria-label")
        sizes = region.evaluate("r => [r.scrollWidth, r.clientWidth]")
        assert sizes[0] > sizes[1], f"tabellen ryms, testet prövar inget: {sizes}"
        document = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert document[0] <= document[1], f"sidan rullar i sidled: {document}"
        region.focus()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        # The keyboard scrolls it (smoothly, so wait for the movement rather than read it at once).
        page.wait_for_function("() => document.querySelector('.app-table-scroll').scrollLeft > 0", timeout=5_000)
    finally:
        context.close()
