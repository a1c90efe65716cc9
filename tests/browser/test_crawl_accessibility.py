"""The accessibility sweep (issue 10, item 11): every demo account signs in on the demo city and a
bounded crawler (tests/browser/crawl.py) follows its links from the start page, running the suite's
own axe call on each page it reaches. The hand-picked page lists of the other browser tests check
the states someone thought of; this checks the pages as a role actually meets them, with the demo
city's figures, rows and filters.

``VBE_A11Y_CRAWL_PAGES`` (default 8) sets the pages an account; ``VBE_A11Y_CRAWL_REPORT=path`` writes
every finding and every page visited to a file (the full sweep: ``VBE_A11Y_CRAWL_PAGES=60``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.browser.conftest import CSP_LISTENER, NARROW_WIDTH, format_violations, run_axe, sign_in_browser
from tests.browser.crawl import crawl
from vbe.accounts.models import User
from vbe.demo.city import ACCOUNTS

pytestmark = pytest.mark.browser


def test_every_page_each_demo_account_reaches_is_accessible(browser, live_server, reference_data, axe_source):
    call_command("seed_demo", verbosity=0)
    budget = int(os.environ.get("VBE_A11Y_CRAWL_PAGES", "8"))
    crawls = []
    for account in ACCOUNTS:
        context = browser.new_context(base_url=live_server.url, locale="sv-SE")
        try:
            context.add_init_script(CSP_LISTENER)
            sign_in_browser(context, live_server, User.objects.get(email=account.email))
            page = context.new_page()
            page.set_default_timeout(15_000)
            crawls.append(crawl(page, axe_source, origin=live_server.url, account=account.email, budget=budget))
        finally:
            context.close()

    report = []
    for result in crawls:
        report.append(f"== {result.account}: {len(result.visited)} sidor")
        report += [f"   besökt {url}" for url in result.visited]
        report += [f"   nekad  {line}" for line in result.refused]
        report += [f"   FEL    {finding.line()}" for finding in result.findings]
    if os.environ.get("VBE_A11Y_CRAWL_REPORT"):
        Path(os.environ["VBE_A11Y_CRAWL_REPORT"]).write_text("\n".join(report) + "\n", encoding="utf-8")

    assert all(result.visited for result in crawls)
    failures = [f"{r.account}: {f.line()}" for r in crawls for f in r.findings if f.impact != "info"]
    assert not failures, f"{len(failures)} brister:\n" + "\n".join(failures)


def test_each_demo_accounts_start_page_passes_axe_and_fits_375_px(browser, live_server, reference_data, axe_source):
    """Each role's start page on the demo city (issue 10, "Done when"): axe-core finds nothing at 1280 px
    and at 375 px, and at 375 px the document itself does not scroll sideways. Properties only: the pages'
    content is the start pages' own tests' business."""
    call_command("seed_demo", verbosity=0)
    failures = []
    for account in ACCOUNTS:
        context = browser.new_context(base_url=live_server.url, locale="sv-SE", viewport={"width": 1280, "height": 900})
        try:
            context.add_init_script(CSP_LISTENER)
            sign_in_browser(context, live_server, User.objects.get(email=account.email))
            page = context.new_page()
            response = page.goto("/")
            if response.status != 200 or page.url != f"{live_server.url}/":
                failures.append(f"{account.email}: / svarade {response.status} på {page.url}")
                continue
            if page.locator("h1").count() != 1:
                failures.append(f"{account.email}: startsidan ska ha exakt en h1")
            violations = run_axe(page, axe_source)  # at 1280 px and at 375 px
            if violations:
                failures.append(f"{account.email}:\n{format_violations(violations)}")
            page.set_viewport_size({"width": NARROW_WIDTH, "height": 900})
            page.wait_for_function("(w) => window.innerWidth === w", arg=NARROW_WIDTH)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                wide = page.evaluate(WIDEST_JS)
                failures.append(f"{account.email}: sidan rullar {overflow} px i sidled vid 375 px (bredast: {wide})")
            csp = page.evaluate("window.__cspViolations || []")
            if csp:
                failures.append(f"{account.email}: CSP blockerade {csp}")
        finally:
            context.close()
    assert not failures, "\n".join(failures)


# What sticks out past the window's right edge, outside any container that scrolls or clips it, to name it
# in the failure: an element, or a text whose long word does not wrap (its element's box stays narrow).
WIDEST_JS = """
() => {
  const clipped = (el) => {
    for (let p = el; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible" || p.classList.contains("govuk-visually-hidden")) return true;
    }
    return false;
  };
  const found = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (el.getBoundingClientRect().right > window.innerWidth + 1 && !clipped(el.parentElement)) found.push(el.tagName.toLowerCase());
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim() || clipped(node.parentElement)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    if (range.getBoundingClientRect().right > window.innerWidth + 1) {
      found.push(node.parentElement.tagName.toLowerCase() + " «" + node.textContent.trim().slice(0, 50) + "»");
    }
  }
  return found.slice(0, 3).join(", ");
}
"""
