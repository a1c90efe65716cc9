"""Every page of the portal, as each role that sees it, checked with axe-core (WCAG 2.1 A and AA).

Also: <html lang="sv">, exactly one h1, a non-empty <title>, and nothing blocked by the strict CSP.
The Django admin is a documented known limitation (see the accessibility statement): it is only
checked to load.
"""

from __future__ import annotations

import pytest

from conftest import CAST
from tests.browser.conftest import assert_accessible, enrol_totp, pending_code_session, sign_in_browser

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
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()
    assert page.title().startswith("Fel: ")
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page, axe_source, console)


def test_wrong_password_is_accessible(page, cast, axe_source, console):
    page.goto("/logga-in/")
    page.get_by_label("E-postadress").fill(cast["staff"].email)
    page.get_by_label("Lösenord").fill("fel-losenord-123")
    page.get_by_role("button", name="Logga in").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page, axe_source, console)


def test_signed_out_message_is_accessible(page, context, live_server, cast, axe_source, console):
    sign_in_browser(context, live_server, cast["staff"])
    page.goto("/")
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url("**/logga-in/")
    assert page.locator(".govuk-notification-banner").is_visible()
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
    page.get_by_role("button", name="Fortsätt").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page, axe_source, console)


def test_mfa_setup_enrolled_is_accessible(page, context, live_server, cast, axe_source, console):
    user = cast["caseworker"]
    enrol_totp(user)
    sign_in_browser(context, live_server, user)
    page.goto("/konto/tvastegsverifiering/")
    assert page.get_by_role("button", name="Registrera en ny app").is_visible()
    assert_accessible(page, axe_source, console)


def test_mfa_setup_wrong_code_is_accessible(page, context, live_server, cast, axe_source, console):
    sign_in_browser(context, live_server, cast["coordinator"])
    page.goto("/konto/tvastegsverifiering/")
    page.get_by_label("Engångskod").fill("12")
    page.get_by_role("button", name="Slå på").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page, axe_source, console)


def test_admin_loads(page, context, live_server, cast, console):
    """Known limitation: the Django admin is not checked with axe, only that it loads for the admin."""
    sign_in_browser(context, live_server, cast["admin"])
    response = page.goto("/admin/")
    assert response.status == 200
    assert "/admin/" in page.url
    assert not console.csp_errors, console.csp_errors
