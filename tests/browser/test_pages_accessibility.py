"""Every page of the portal, as each role that sees it, checked with axe-core (WCAG 2.1 A and AA).

Also: <html lang="sv">, exactly one h1, a non-empty <title>, and nothing blocked by the strict CSP.
The admin site's pages are checked with axe in test_admin.py.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import CAST
from tests.browser.conftest import (
    assert_accessible,
    enrol_totp,
    pending_code_session,
    run_axe,
    sign_in_browser,
)
from vbe.audit.log import record
from vbe.audit.models import Outcome

pytestmark = pytest.mark.browser

ALL_ROLES = list(CAST)
FOCUS_AREA = "kunskap-och-agerande-vid-oro"

# (path, role or None for anonymous, expected HTTP status)
PAGES: list[tuple[str, str | None, int]] = [
    ("/logga-in/", None, 200),
    ("/tillganglighet/", None, 200),
    ("/finns-inte/", None, 404),
    *[("/", role, 200) for role in ALL_ROLES],
    *[("/riktlinjer/mitt-uppdrag/", role, 200) for role in ALL_ROLES],
    ("/riktlinjer/", "staff", 200),
    ("/riktlinjer/", "coordinator", 200),
    (f"/riktlinjer/omraden/{FOCUS_AREA}/", "coordinator", 200),
    ("/organisationer/", "coordinator", 200),
    ("/organisationer/jarva/", "coordinator", 200),
    ("/organisationer/utbildningsnamnden/", "board_reader", 200),
    ("/organisationer/samordnare/", "coordinator", 200),
    ("/organisationer/samordnare/", "central_coordinator", 200),
    ("/konto/", "coordinator", 200),
    ("/konto/", "staff", 200),
    ("/konto/tvastegsverifiering/", "coordinator", 200),
    ("/tillganglighet/", "coordinator", 200),
    ("/loggkontroll/", "auditor", 200),
    ("/loggkontroll/?date_from=igar", "auditor", 200),  # the filter's error summary
    ("/loggkontroll/", "staff", 403),
    ("/organisationer/finns-inte/", "coordinator", 404),
]


def submit(page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


def _id(case: tuple[str, str | None, int]) -> str:
    path, role, status = case
    return f"{role or 'anonym'}:{path}" + (f":{status}" if status != 200 else "")


@pytest.mark.parametrize(("path", "role", "status"), PAGES, ids=[_id(c) for c in PAGES])
def test_page_is_accessible(page, context, live_server, cast, axe_source, console, path, role, status):
    if role is not None:
        sign_in_browser(context, live_server, cast[role])
    response = page.goto(path)
    assert response.status == status, f"{path} som {role}: {response.status}"
    assert page.url == f"{live_server.url}{path}", f"omdirigerades till {page.url}"
    assert_accessible(page, axe_source, console)


def test_sign_in_with_errors_is_accessible(page, cast, axe_source, console):
    page.goto("/logga-in/")
    submit(page, "Logga in")
    assert page.title().startswith("Fel: ")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, axe_source, console)


def test_wrong_password_is_accessible(page, cast, axe_source, console):
    page.goto("/logga-in/")
    page.get_by_label("E-postadress").fill(cast["staff"].email)
    page.get_by_label("Lösenord").fill("fel-losenord-123")
    submit(page, "Logga in")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, axe_source, console)


def test_signed_out_message_is_accessible(page, context, live_server, cast, axe_source, console):
    sign_in_browser(context, live_server, cast["staff"])
    page.goto("/")
    submit(page, "Logga ut")
    page.wait_for_url("**/logga-in/")
    expect(page.locator(".govuk-notification-banner")).to_be_visible()
    assert_accessible(page, axe_source, console)


def test_expired_code_step_message_is_accessible(page, axe_source, console):
    """The code page without a pending sign-in sends back to /logga-in/ with an information banner."""
    page.goto("/logga-in/kod/")
    page.wait_for_url("**/logga-in/")
    assert "Börja om" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page, axe_source, console)


def test_code_page_is_accessible(page, context, live_server, cast, axe_source, console):
    user = cast["coordinator"]
    enrol_totp(user)
    pending_code_session(context, live_server, user)
    response = page.goto("/logga-in/kod/")
    assert response.status == 200
    assert page.url.endswith("/logga-in/kod/")
    assert_accessible(page, axe_source, console)
    # A wrong code: the error summary and the field's error message.
    page.get_by_label("Engångskod").fill("000000")
    submit(page, "Fortsätt")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, axe_source, console)


def test_mfa_setup_enrolled_is_accessible(page, context, live_server, cast, axe_source, console):
    user = cast["caseworker"]
    enrol_totp(user)
    sign_in_browser(context, live_server, user)
    page.goto("/konto/tvastegsverifiering/")
    expect(page.get_by_role("button", name="Registrera en ny app")).to_be_visible()
    assert_accessible(page, axe_source, console)
    # Replacing: the new app's key waits for a code, the old app still works meanwhile.
    submit(page, "Registrera en ny app")
    expect(page.get_by_role("button", name="Byt till den nya appen")).to_be_visible()
    expect(page.get_by_role("button", name="Avbryt bytet")).to_be_visible()
    assert_accessible(page, axe_source, console)


def test_mfa_setup_wrong_code_is_accessible(page, context, live_server, cast, axe_source, console):
    sign_in_browser(context, live_server, cast["coordinator"])
    page.goto("/konto/tvastegsverifiering/")
    page.get_by_label("Engångskod").fill("12")
    submit(page, "Slå på")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, axe_source, console)


def test_csrf_failure_page_is_accessible(page, context, axe_source, console):
    """A form sent without its CSRF cookie (a page left open too long): the portal's own 403 page."""
    page.goto("/logga-in/")
    context.clear_cookies()
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Logga in").click()
    assert navigation.value.status == 403
    expect(page.locator("h1")).to_have_text("Formuläret kunde inte skickas")
    assert_accessible(page, axe_source, console)


@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [("/test/felaktig-begaran/", 400, "Felaktig begäran"), ("/test/serverfel/", 500, "Något gick fel hos oss")],
    ids=["400", "500"],
)
def test_error_pages_are_accessible(page, settings, axe_source, console, path, status, heading):
    """Django renders the 500 page without context processors: it must still be complete."""
    settings.ROOT_URLCONF = "tests.browser.urls"  # the portal's URLs plus two that fail on purpose
    response = page.goto(path)
    assert response.status == status
    expect(page.locator("h1")).to_have_text(heading)
    assert page.title().endswith("– VBE-portalen")
    assert_accessible(page, axe_source, console)


def test_admin_loads(page, context, live_server, cast, console):
    """The admin index loads for the admin without CSP errors (its pages are checked with axe in test_admin.py)."""
    sign_in_browser(context, live_server, cast["admin"])
    response = page.goto("/admin/")
    assert response.status == 200
    assert "/admin/" in page.url
    assert not console.csp_errors, console.csp_errors


def test_demo_banner_is_accessible(page, settings, axe_source, console):
    """Demo mode's "Demoläge" banner is on every page; checked on the sign-in page."""
    settings.DEMO_MODE = True  # the live server runs in this process, so it sees the change
    page.goto("/logga-in/")
    expect(page.get_by_text("Demoläge")).to_be_visible()
    assert_accessible(page, axe_source, console)


@pytest.mark.parametrize("path", ["/", "/loggkontroll/?aldre=100"], ids=["start", "logg-aldre"])
def test_auditor_pages_with_entries_are_accessible(page, context, live_server, cast, axe_source, console, path):
    """A filled access log: the auditor's list of denials and the log's pagination (50 rows a page)."""
    for i in range(60):
        record(action="access_denied", actor=cast["staff"], outcome=Outcome.DENIED, detail=f"test {i}")
    for _ in range(50):
        record(action="sign_in", actor=cast["coordinator"])
    sign_in_browser(context, live_server, cast["auditor"])
    page.goto(path)
    if path == "/":
        expect(page.get_by_text("Senast nekade åtkomster")).to_be_visible()
    else:
        for name in ("Nyare rader", "Nyaste raderna", "Äldsta raderna", "Äldre rader"):
            expect(page.get_by_role("link", name=name)).to_be_visible()
    assert_accessible(page, axe_source, console)


def test_axe_finds_violations(page, axe_source):
    """Guards the guard: on a page with known faults, the same axe call reports them."""
    page.set_content('<html><head><title>x</title></head><body><img src="data:,"><input id="a"></body></html>')
    ids = {v["id"] for v in run_axe(page, axe_source)}
    assert {"html-has-lang", "image-alt", "label"} <= ids, ids


def test_csp_violations_are_detected(page, console):
    """Guards the guard: an inline script, which the portal's CSP forbids, is caught both ways."""
    page.goto("/logga-in/")
    page.evaluate("document.body.append(Object.assign(document.createElement('script'), {textContent: '1'}))")
    page.wait_for_function("window.__cspViolations.length > 0")
    for _ in range(20):  # console events arrive asynchronously
        if console.csp_errors:
            break
        page.wait_for_timeout(100)
    assert console.csp_errors, console.errors


def test_axe_checks_svg_text_and_the_narrow_layout(page, axe_source):
    """Guards the guard (issue 10, item 11): axe leaves text inside an SVG with role="img" undecided, so
    the suite measures it itself; and a fault that exists only in the narrow layout is found although the
    test's page is 1280 px wide."""
    page.set_content(
        '<html lang="sv"><head><title>x</title><style>@media (max-width: 600px) { .smal { color: #bbb; } }</style>'
        '</head><body><main><h1>x</h1><p class="smal">Bara smal skärm</p>'
        '<svg role="img" aria-label="diagram" width="200" height="60"><rect width="200" height="60" fill="#0b3d66"/>'
        '<text x="10" y="35" fill="#0b0c0c">12 händelser</text></svg></main></body></html>'
    )
    assert page.viewport_size["width"] == 1280
    found = {(v["id"], v["width"]) for v in run_axe(page, axe_source)}
    assert ("svg-text-contrast", 1280) in found, found
    assert ("color-contrast", 375) in found, found
    assert ("color-contrast", 1280) not in found, found
    assert page.viewport_size["width"] == 1280  # the page is given back at its own width
