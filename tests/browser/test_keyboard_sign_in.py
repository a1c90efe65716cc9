"""Signing in with the keyboard only: Tab, typing and Enter, never the mouse or element.fill()."""

from __future__ import annotations

import re

import pyotp
import pytest

from conftest import PASSWORD
from tests.browser.conftest import enrol_totp

pytestmark = pytest.mark.browser

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    id: el.id, tag: el.tagName.toLowerCase(), text: (el.innerText || "").trim(),
    outline: style.outlineStyle, outlineWidth: style.outlineWidth, boxShadow: style.boxShadow,
  };
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def assert_focus_visible(element: dict) -> None:
    outline = element["outline"] != "none" and element["outlineWidth"] not in ("0px", "")
    shadow = element["boxShadow"] not in ("none", "")
    assert outline or shadow, f"fokus syns inte på {element}"


def tab_to(page, element_id: str, max_tabs: int = 30) -> list[dict]:
    """Presses Tab until the element has focus; returns what got focus on the way."""
    path = []
    for _ in range(max_tabs):
        page.keyboard.press("Tab")
        path.append(focused(page))
        if path[-1]["id"] == element_id:
            return path
    pytest.fail(f"#{element_id} fick aldrig fokus med Tab: {[(e['tag'], e['id'], e['text']) for e in path]}")


def type_password_step(page, email: str) -> None:
    """From a fresh /logga-in/: the skip link first, then e-mail, password and Enter."""
    page.goto("/logga-in/")
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["tag"] == "a" and skip["text"] == "Hoppa till huvudinnehållet", f"första Tab: {skip}"
    assert_focus_visible(skip)
    # Visually hidden (1 px, clipped) until focused; then shown in full.
    box = page.get_by_role("link", name="Hoppa till huvudinnehållet").bounding_box()
    assert box and box["width"] > 10 and box["height"] > 10, f"skipplänken syns inte vid fokus: {box}"

    tab_to(page, "id_email")
    assert_focus_visible(focused(page))
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    password = focused(page)
    assert password["id"] == "id_password", f"Tab från e-post gick till {password}"
    assert_focus_visible(password)
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_staff_signs_in_with_keyboard_only(page, cast, live_server):
    type_password_step(page, cast["staff"].email)
    assert page.url == f"{live_server.url}/"
    heading = page.locator("h1")
    assert "Välkommen" in heading.inner_text()


def test_coordinator_enrols_second_factor_with_keyboard_only(page, cast, live_server):
    type_password_step(page, cast["coordinator"].email)
    page.wait_for_url(re.compile(r"/konto/tvastegsverifiering/$"))
    secret = "".join(page.locator(".app-secret").inner_text().split())

    # The skip link takes focus to the main content; from there the code field is a Tab away.
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Hoppa till huvudinnehållet"
    page.keyboard.press("Enter")
    tab_to(page, "id_code", max_tabs=5)
    assert_focus_visible(focused(page))
    page.keyboard.type(pyotp.TOTP(secret).now())
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # The skip link put #main-content in the address; a redirect keeps the fragment.
    assert page.url.split("#")[0] == f"{live_server.url}/"
    assert "Välkommen" in page.locator("h1").inner_text()
    assert "Tvåstegsverifiering är påslagen" in page.locator(".govuk-notification-banner").inner_text()


def test_enrolled_coordinator_signs_in_with_code_keyboard_only(page, cast, live_server):
    secret = enrol_totp(cast["coordinator"])
    type_password_step(page, cast["coordinator"].email)
    page.wait_for_url(re.compile(r"/logga-in/kod/"))
    tab_to(page, "id_code")
    assert_focus_visible(focused(page))
    page.keyboard.type(pyotp.TOTP(secret).now())
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.url == f"{live_server.url}/"
    assert "Välkommen" in page.locator("h1").inner_text()
