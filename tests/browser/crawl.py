"""A bounded crawler for the accessibility sweep: from a signed-in start page, every same-origin page
reached by GET links, breadth-first, checked with the suite's own axe call (``conftest.run_axe``).

Bounded so it can run in every ``make test``: at most ``budget`` pages an account, and each URL
*pattern* (ids and references collapsed, query values dropped) at most ``per_pattern`` times, so
``/arenden/ORO-2026-0001/`` and ``/arenden/ORO-2026-0002/`` count as one page. Among the links
waiting, the ones whose shape has been seen least go first, so a budget spreads over the kinds of
page an account reaches rather than over the rows of one list.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urldefrag, urlsplit

from tests.browser.conftest import run_axe

# Documents and files: a download, not a page (Playwright's goto would fail on them).
DOWNLOAD = re.compile(r"\.(pdf|docx|xlsx|ics|csv|json|png|jpe?g|gif|svg|zip|txt)$|/(ladda-ner|bild|bilder|foto)/", re.I)
# Links that end the session or are not pages of the portal.
SKIP = re.compile(
    r"^/(logga-ut|admin/logout|admin/jsi18n|admin/r|static|media|i18n)(/|$)|/(export|hamta|ladda-ner)(/|$)", re.I
)
# A path segment that names one row: a number, a reference (ORO-2026-0001, H-2026-12), a UUID or a token.
ROW_SEGMENT = re.compile(r"\d")

LINKS_JS = """
() => Array.from(document.querySelectorAll("a[href]"), (a) => {
  const raw = a.getAttribute("href");
  try { return new URL(raw, document.baseURI).href; } catch (e) { return ""; }
})
"""


def pattern(path: str, query: str) -> str:
    """The URL with each row's id or reference collapsed and query values dropped."""
    segments = ["#" if ROW_SEGMENT.search(s) else s for s in path.split("/")]
    names = sorted({name for name, _value in parse_qsl(query, keep_blank_values=True)})
    return "/".join(segments) + ("?" + "&".join(names) if names else "")


def shape(key: str) -> str:
    """The pattern without its last segment: siblings (``/organisationer/jarva/``, ``…/sodermalm/``)."""
    path, _, query = key.partition("?")
    return path.rstrip("/").rsplit("/", 1)[0] + ("?" if query else "")


@dataclass
class Finding:
    url: str
    rule: str
    impact: str
    targets: list[str]
    summary: str = ""

    def line(self) -> str:
        where = "; ".join(self.targets[:3]) + (f" (+{len(self.targets) - 3})" if len(self.targets) > 3 else "")
        return f"{self.url}  {self.rule} ({self.impact}): {where} {self.summary}".rstrip()


@dataclass
class Crawl:
    account: str
    visited: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # links the account was shown but may not open


def _candidate(url: str, origin: str) -> tuple[str, str] | None:
    url, _fragment = urldefrag(url)
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin or not parts.path.startswith("/"):
        return None
    if DOWNLOAD.search(parts.path) or SKIP.search(parts.path):
        return None
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    return target, pattern(parts.path, parts.query)


def crawl(page, axe_source: str, *, origin: str, account: str, budget: int, per_pattern: int = 2) -> Crawl:
    """Visits up to ``budget`` pages from ``/`` as the signed-in ``page``'s account; returns what axe and
    the page basics found on each (the same checks as ``conftest.assert_accessible``)."""
    result = Crawl(account=account)
    seen: set[str] = {"/"}
    per_key: dict[str, int] = {}
    per_shape: dict[str, int] = {}
    queue: list[tuple[int, int, int, str, str]] = [(0, 0, 0, "/", pattern("/", ""))]
    order = 0
    while queue and len(result.visited) < budget:
        rank, depth, _order, target, key = heapq.heappop(queue)
        if per_key.get(key, 0) >= per_pattern:
            continue
        current = per_shape.get(shape(key), 0)
        if current > rank:  # its siblings were visited since it was queued: wait behind new kinds of page
            order += 1
            heapq.heappush(queue, (current, depth, order, target, key))
            continue
        try:
            response = page.goto(target, wait_until="load")
        except Exception as error:  # a download or an aborted navigation: not a page to check
            result.findings.append(Finding(target, "navigation", "info", [], str(error).splitlines()[0]))
            continue
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        per_key[key] = per_key.get(key, 0) + 1
        per_shape[shape(key)] = current + 1
        result.visited.append(target)
        if response.status >= 500:
            result.findings.append(Finding(target, f"http-{response.status}", "critical", []))
        elif response.status in (403, 404):
            result.refused.append(f"{response.status} {target}")
        result.findings.extend(_basics(page, target))
        for violation in run_axe(page, axe_source):
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
            summary = (violation["nodes"][0].get("failureSummary") or "").replace("\n", " ")[:160]
            rule = f"{violation['id']} @{violation.get('width')}px"
            result.findings.append(Finding(target, rule, violation["impact"] or "", targets, summary))
        if response.status >= 400:
            continue  # an error page's links are the layout's, already queued from the start page
        for url in page.evaluate(LINKS_JS):
            candidate = _candidate(url, origin)
            if candidate is None or candidate[0] in seen:
                continue
            seen.add(candidate[0])
            order += 1
            heapq.heappush(queue, (per_shape.get(shape(candidate[1]), 0), depth + 1, order, *candidate))
    return result


def _basics(page, target: str) -> list[Finding]:
    found = []
    if page.evaluate("document.documentElement.lang") != "sv":
        found.append(Finding(target, "page-lang-sv", "serious", ["html"]))
    if not page.title().strip():
        found.append(Finding(target, "page-title", "serious", ["title"]))
    headings = page.locator("h1").count()
    if headings != 1:
        found.append(Finding(target, "page-one-h1", "moderate", ["h1"], f"{headings} h1"))
    csp = page.evaluate("window.__cspViolations || []")
    if csp:
        found.append(Finding(target, "csp", "serious", csp[:3]))
    return found
