"""Browser tests: Chromium driven through Playwright's sync API against pytest-django's live server.

One browser per session, a new context (cookies, storage) per test. Chromium comes from Debian
(``apt-get install chromium``); Playwright never downloads a browser here. Without Chromium the
tests are skipped locally, and fail in CI (env ``CI`` set) so a missing browser is never silent.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from vbe.accounts import services
from vbe.accounts.models import User

# Playwright's sync API runs an event loop in the main thread. Django then refuses ORM calls from
# that thread (SynchronousOnlyOperation), although nothing here is actually asynchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

BASE_DIR = Path(__file__).resolve().parents[2]
AXE_PATH = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_MISSING = "Chromium saknas: installera med apt-get install chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",  # the tests run as root in containers
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def chromium_path() -> str:
    return os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    path = chromium_path()
    if not Path(path).is_file():
        message = f"{CHROMIUM_MISSING} (eller peka ut den med CHROMIUM_PATH; sökte {path})."
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(f"{message} Webbläsartesterna hoppas över.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


_snapshot: dict[str, sqlite3.Connection] = {}


@pytest.fixture
def reference_data(transactional_db):
    """Overrides the root fixture, for speed: the live server's transactional tests flush the database
    after each test, and reloading the reference data (geography included) takes about a second.

    On the in-memory SQLite test database the first load is kept as a copy, and later tests restore
    it with SQLite's backup API (milliseconds). On other databases: the ordinary reload.
    """
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        call_command("load_reference_data", verbosity=0)
        return
    connection.ensure_connection()
    if "db" not in _snapshot:
        call_command("load_reference_data", verbosity=0)
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(copy)
        _snapshot["db"] = copy
    else:
        _snapshot["db"].backup(connection.connection)
    ContentType.objects.clear_cache()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_PATH.is_file():
        pytest.fail(f"axe-core saknas i {AXE_PATH}: kör npm ci.", pytrace=False)
    return AXE_PATH.read_text(encoding="utf-8")


@dataclass
class ConsoleLog:
    """What one page reported: console errors, uncaught script errors and failed sub-resources."""

    errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_resources: list[str] = field(default_factory=list)

    @property
    def csp_errors(self) -> list[str]:
        return [e for e in self.errors if "Content Security Policy" in e or "Content-Security-Policy" in e]

    def on_console(self, message) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def on_response(self, response) -> None:
        # The page itself may be a 403 or 404 on purpose; its stylesheet, scripts and images may not.
        if response.request.resource_type != "document" and response.status >= 400:
            self.failed_resources.append(f"{response.status} {response.url}")


# Registered through CDP before any page script runs, so the strict CSP does not apply to it.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || ""));
});
"""


@pytest.fixture
def context(browser, live_server) -> Iterator:
    context = browser.new_context(base_url=live_server.url, locale="sv-SE")
    context.add_init_script(CSP_LISTENER)
    yield context
    context.close()


@pytest.fixture
def console() -> ConsoleLog:
    return ConsoleLog()


@pytest.fixture
def page(context, console):
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("console", console.on_console)
    page.on("pageerror", lambda error: console.page_errors.append(str(error)))
    page.on("response", console.on_response)
    page.on("requestfailed", lambda request: console.failed_resources.append(f"{request.failure} {request.url}"))
    yield page
    page.close()


def add_session_cookie(context, live_server, session_key: str) -> None:
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_key, "url": live_server.url}])


def sign_in_browser(context, live_server, user: User) -> None:
    """A fully signed-in session (password and second factor) put straight into the browser."""
    client = Client()
    client.force_login(user)
    session = client.session
    session[services.SESSION_MFA_VERIFIED] = True
    session[services.SESSION_SIGNED_IN_AT] = timezone.now().timestamp()  # absent: an expired session
    session.save()
    add_session_cookie(context, live_server, client.cookies[settings.SESSION_COOKIE_NAME].value)


def pending_code_session(context, live_server, user: User) -> None:
    """The state between the password step and the code step of the sign-in."""
    session = SessionStore()
    session[services.SESSION_PENDING_USER] = user.pk
    session[services.SESSION_PENDING_AT] = timezone.now().timestamp()
    session.save()
    add_session_cookie(context, live_server, session.session_key)


def enrol_totp(user: User) -> str:
    """Gives the user a confirmed second factor; returns the secret."""
    secret = services.new_totp_secret(user=user)
    user.totp_confirmed_at = timezone.now()
    user.save(update_fields=["totp_confirmed_at"])
    return secret


def run_axe(page, axe_source: str) -> list[dict]:
    """Injects axe-core (page.evaluate is not subject to the CSP, a script tag would be) and runs it."""
    page.evaluate(axe_source)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    return result["violations"]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} – {v['helpUrl']}")
        for node in v["nodes"]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '').replace(chr(10), ' ')}")
    return "\n".join(lines)


def assert_accessible(page, axe_source: str, console: ConsoleLog) -> None:
    """The page basics, axe-core's WCAG 2.1 A/AA rules, and nothing blocked by the CSP."""
    assert page.evaluate("document.documentElement.lang") == "sv", "<html> ska ha lang='sv'"
    assert page.title().strip(), "sidan saknar <title>"
    assert page.locator("h1").count() == 1, "sidan ska ha exakt en h1"
    violations = run_axe(page, axe_source)
    assert violations == [], f"{page.url}: axe hittade {len(violations)} brister:\n{format_violations(violations)}"
    csp_violations = page.evaluate("window.__cspViolations || []")
    assert not csp_violations, f"CSP blockerade: {csp_violations}"
    assert not console.csp_errors, f"CSP-fel i konsolen: {console.csp_errors}"
    assert not console.page_errors, f"JavaScript-fel: {console.page_errors}"
    assert not console.failed_resources, f"resurser som inte laddades: {console.failed_resources}"
