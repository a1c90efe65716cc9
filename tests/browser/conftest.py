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

    def on_request_failed(self, request) -> None:
        # Leaving a page cancels what it still loads (a job page's progress poll, the favicon fetched
        # after the page itself): net::ERR_ABORTED is the browser's doing, not a resource that failed.
        # A missing resource answers with a status (on_response); a broken server fails otherwise.
        if request.failure.startswith("net::ERR_ABORTED"):
            return
        self.failed_resources.append(f"{request.failure} {request.url}")

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
    page.on("requestfailed", console.on_request_failed)
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


# Why the suite's own axe checks passed while a sweep over the demo city found colour-contrast failures
# on the city statistics page and link-in-text-block failures in the admin site (issue 10, item 11).
# The rules were never the gap (the four WCAG 2.1 A/AA tags hold both rules); what axe was shown was:
# 1. One width only. Every check ran at Playwright's default 1280 px; the admin's "3 resultat
#    (98 totalt)" after a search is a link in grey text (1.2:1) that axe flags only in the narrow layout.
#    Every check now runs at the page's width and again at 375 px (NARROW_WIDTH).
# 2. Page states never reached. The tests' data never put a district in the map's darkest shade, where
#    the label was black on dark blue (1.75:1; labels now sit on a white box, vbe/core/svg.py), and no
#    admin test searched a list. The crawler
#    (test_crawl_accessibility.py) now walks every page each demo account reaches on the demo city,
#    and test_admin.py opens each searchable list with a search.
# 3. Results axe cannot decide were dropped. axe reports text whose background it cannot find as
#    "incomplete", not as a violation: every text of a chart inside an SVG with role="img" ("imgNode"),
#    so no chart's text was ever measured. Incomplete colour results now fail unless their reason is one
#    decided below (UNDECIDED_OK), and the SVG texts are measured here (SVG_TEXT_CONTRAST).
NARROW_WIDTH = 375
COLOUR_RULES = {"color-contrast", "link-in-text-block"}
# Reasons axe leaves a colour result undecided that were checked by hand and are measured otherwise.
UNDECIDED_OK = {
    "imgNode",  # text inside an SVG role="img" (the charts): measured by SVG_TEXT_CONTRAST below
    "shortTextContent",  # one or two characters (axis ticks, "<5"): styled as the text measured next to them
    "bgImage",  # the admin's add/change links: the image is the icon beside the text, the text is on white
    "bgOverlap",  # the admin's object tools (floated buttons over the heading's box), dark on light grey
    # A cell of a wide table at 375 px, clipped by the container it scrolls in (.app-table-scroll), or its
    # tag reaching past that container's edge: the same cells are measured whole at the page's own
    # width, where nothing clips them.
    "elmPartiallyObscured",
    "elmPartiallyObscuring",
}

# Each visible <text> or <tspan> of an inline SVG, its fill against the fill of the shape under its middle
# (or white): axe cannot measure these (above). Returns axe-shaped results so the report reads the same.
SVG_TEXT_CONTRAST = """
() => {
  const rgb = (c) => { const m = (c || "").match(/rgba?\\(([\\d.]+),\\s*([\\d.]+),\\s*([\\d.]+)(?:,\\s*([\\d.]+))?/);
    return m && (m[4] === undefined || Number(m[4]) > 0) ? [m[1], m[2], m[3]].map(Number) : null; };
  const lum = (c) => { const [r, g, b] = c.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const nodes = [];
  const x0 = window.scrollX, y0 = window.scrollY;
  for (const el of document.querySelectorAll("svg text, svg tspan")) {
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") continue;
    const fg = rgb(style.fill);
    if (!fg) continue;
    el.scrollIntoView({block: "center", inline: "center"});
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    let bg = [255, 255, 255];
    for (const under of document.elementsFromPoint(box.x + box.width / 2, box.y + box.height / 2)) {
      if (under.closest("text") || under.tagName.toLowerCase() === "svg") continue;
      const tag = under.tagName.toLowerCase();
      if (tag === "line" || tag === "polyline") continue;  // strokes only: their fill is never painted
      const fill = under instanceof SVGGeometryElement ? rgb(getComputedStyle(under).fill) : rgb(getComputedStyle(under).backgroundColor);
      if (fill) { bg = fill; break; }
    }
    const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700 || style.fontWeight === "bold";
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    const found = ratio(fg, bg);
    if (found < needed) {
      nodes.push({target: [el.outerHTML.slice(0, 80)], html: el.outerHTML.slice(0, 200),
        failureSummary: `contrast ${found.toFixed(2)}:1 (text rgb(${fg}), background rgb(${bg})), needs ${needed}:1`});
    }
  }
  window.scrollTo(x0, y0);
  return nodes.length ? [{id: "svg-text-contrast", impact: "serious", help: "SVG text contrast (WCAG 1.4.3)",
    helpUrl: "https://www.w3.org/WAI/WCAG21/Understanding/contrast-minimum", nodes}] : [];
}
"""


def _axe_once(page) -> list[dict]:
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    problems = list(result["violations"])
    for item in result["incomplete"]:
        if item["id"] not in COLOUR_RULES:
            continue
        undecided = [node for node in item["nodes"] if not UNDECIDED_OK & _reasons(node)]
        if undecided:
            problems.append({**item, "id": f"{item['id']} (undecided)", "nodes": undecided})
    return problems + page.evaluate(SVG_TEXT_CONTRAST)


def _reasons(node: dict) -> set[str]:
    return {
        (check.get("data") or {}).get("messageKey") or ""
        for check in node.get("any", []) + node.get("all", []) + node.get("none", [])
        if isinstance(check.get("data"), dict)
    }


def run_axe(page, axe_source: str) -> list[dict]:
    """Injects axe-core (page.evaluate is not subject to the CSP, a script tag would be) and runs its WCAG
    2.1 A/AA rules, plus the colour results it could not decide and the SVG texts it cannot measure, at
    the page's width and at NARROW_WIDTH (see above); each problem says the width it was found at."""
    page.evaluate(axe_source)
    viewport = page.viewport_size
    width = viewport["width"] if viewport else None
    problems = [{**p, "width": width, "help": f"{p['help']} [bredd {width} px]"} for p in _axe_once(page)]
    if viewport and viewport["width"] != NARROW_WIDTH:
        page.set_viewport_size({"width": NARROW_WIDTH, "height": viewport["height"]})
        try:
            page.wait_for_function("(w) => window.innerWidth === w", arg=NARROW_WIDTH)
            narrow = _axe_once(page)
            problems += [{**p, "width": NARROW_WIDTH, "help": f"{p['help']} [bredd {NARROW_WIDTH} px]"} for p in narrow]
        finally:
            page.set_viewport_size(viewport)
    return problems


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
