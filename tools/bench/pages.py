"""The pages the benchmark measures, and how one request to one of them is made and judged."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from tools.bench.client import Client, form_with, resolve

# The roles whose start page is measured, in the order of docs/permissions.md; the first demo account
# with the role is used (for coordinators: the district council Järva's).
# The organisation of the coordinator's demo account (vbe/demo/city.py ACCOUNTS), whose training pages are
# measured: the first district council, with the demo's and every city-year's learners.
COORDINATOR_ORGANISATION = "jarva"

START_ROLES = [
    "staff",
    "unit_manager",
    "coordinator",
    "caseworker",
    "central_coordinator",
    "board_reader",
    "auditor",
    "admin",
]


@dataclass(frozen=True)
class Page:
    key: str  # stable across runs: what `compare` matches on
    label: str
    role: str | None  # whose session (None: anonymous)
    path: str
    kind: str = "page"  # "floor", "page", "write" (GET the form, POST it) or "document"
    form_field: str = ""  # write: a field only the form to post has
    values: Callable[[], dict[str, str]] | None = None  # write: what the person types, fresh keys included
    pick: tuple[str, ...] = ()  # write: drop-downs where the person picks the first real option
    limit_s: float | None = None  # document: the bar of docs/quality.md
    expect: tuple[int, ...] = (200,)
    in_load: bool = True  # part of the mixed load's reads (or writes)


@dataclass
class Sample:
    seconds: float | None  # None: no answer
    status: int | None
    queries: int | None = None
    size: int = 0
    error: str = ""
    form: Sample | None = None  # a write's GET of its form

    @property
    def ok(self) -> bool:
        return not self.error


def _yesterday() -> str:
    # Yesterday, so the date is never in the future in Stockholm whatever this machine's time zone is.
    return (date.today() - timedelta(days=1)).isoformat()


def concern_values() -> dict[str, str]:
    return {
        "observation": "Påhittad iakttagelse från prestandamätningen: en elev har delat våldsbejakande bilder.",
        "observed_on": _yesterday(),
        "concerns_child": "no",
        "idempotency_key": secrets.token_urlsafe(24),  # a new report each time, never a double submission
    }


def incident_values() -> dict[str, str]:
    return {
        "category": "propaganda",
        "environment": "unknown",
        "occurred_on": _yesterday(),
        "description": "Påhittad händelse från prestandamätningen: klistermärken på en busshållplats.",
        "token": secrets.token_hex(16),
    }


def key_pages(targets: dict) -> list[Page]:
    """Every key page of the portal (issue 9), with the addresses found in this database."""
    pages = [
        Page("floor", "floor (base layout, anonymous)", None, "/golv/", kind="floor", in_load=False),
        Page("floor.signed_in", "floor, signed in (staff)", "staff", "/golv/", in_load=False),
    ]
    pages += [Page(f"start.{role}", f"start page: {role}", role, "/") for role in START_ROLES]
    pages += [
        Page("concerns.list", "concern list", "coordinator", "/oro/arenden/"),
        Page("incidents.list", "incident list", "coordinator", "/handelser/"),
        # The coordinator's inbox links to these: its own concerns about a child without an orosanmälan,
        # those without activity, and the council's new incidents.
        Page(
            "concerns.list.child",
            "concern list: child, no orosanmälan",
            "coordinator",
            "/oro/arenden/?att_hantera=1&barn_utan_anmalan=1",
        ),
        Page(
            "concerns.list.inactive", "concern list: inactive", "coordinator", "/oro/arenden/?att_hantera=1&inaktiv=1"
        ),
        Page("incidents.list.new", "incident list: new", "coordinator", "/handelser/?att_hantera=1&status=new"),
        Page("reports.board", "reports, board reader", "board_reader", "/rapporter/"),
    ]
    if targets.get("concern_reference"):
        pages.append(
            Page("concerns.case", "concern case view", "coordinator", f"/oro/arenden/{targets['concern_reference']}/")
        )
    if targets.get("incident_pk"):
        pages.append(
            Page("incidents.detail", "incident detail", "coordinator", f"/handelser/{targets['incident_pk']}/")
        )
    pages.append(Page("statistics.city", "city statistics (map)", "coordinator", "/handelser/statistik/"))
    if targets.get("district_code"):
        pages.append(
            Page(
                "statistics.district",
                "district statistics",
                "coordinator",
                f"/handelser/statistik/{targets['district_code']}/",
            )
        )
    pages += [
        Page("reports.compliance", "compliance", "central_coordinator", "/rapporter/efterlevnad/"),
        Page("reports.coverage", "coverage", "central_coordinator", "/rapporter/tackning/"),
        Page("guidelines.calendar", "calendar", "coordinator", "/riktlinjer/kalender/"),
        Page("plans.list", "plans list", "coordinator", "/planer/"),
    ]
    if targets.get("plan_pk"):
        pages.append(Page("plans.detail", "plan", "coordinator", f"/planer/{targets['plan_pk']}/"))
    organisation = targets.get("organisation_slug") or COORDINATOR_ORGANISATION
    pages += [
        Page("competence.coverage_city", "training coverage, city", "central_coordinator", "/utbildning/tackning/"),
        Page(
            "competence.coverage_organisation",
            "training coverage, organisation",
            "coordinator",
            f"/utbildning/tackning/{organisation}/",
        ),
        Page("competence.people", "training: people", "coordinator", f"/utbildning/{organisation}/deltagare/"),
        Page("competence.catalogue", "training catalogue", "staff", "/utbildning/katalog/"),
    ]
    # Support material: the list, a search every resource answers (so the count is capped and the ranking
    # reads the whole index), the city's review overview, the symbol guide, contacts and partners.
    pages += [
        Page("knowledge.index", "support: list", "staff", "/stod/"),
        Page("knowledge.search", "support: search", "staff", "/stod/?q=samordnaren"),
        Page("knowledge.review", "support: review overview, city", "central_coordinator", "/stod/granskning/"),
        Page("knowledge.symbols", "symbol guide", "staff", "/stod/symboler/"),
        Page("knowledge.contacts", "contacts", "staff", "/stod/kontakter/"),
        Page("knowledge.partners", "partners", "staff", "/stod/samverkanspartner/"),
    ]
    if targets.get("resource_pk"):
        resource = targets["resource_pk"]
        pages += [
            Page("knowledge.resource", "support resource", "staff", f"/stod/{resource}/"),
            Page("knowledge.history", "support resource: history", "coordinator", f"/stod/{resource}/historik/"),
        ]
    if targets.get("symbol_slug"):
        pages.append(
            Page("knowledge.symbol", "symbol guide entry", "staff", f"/stod/symboler/{targets['symbol_slug']}/")
        )
    # Collaboration (/samverkan/): the actor register, a search most actors answer (percent-encoded, as a
    # browser sends it: the request line is ASCII), the assessments and forums, and the bench
    # coordinator's own actor, assessment, forum and meeting (so they answer 200).
    search = urlencode({"q": "förening"})
    pages += [
        Page("collaboration.actors", "collaboration: actor register", "coordinator", "/samverkan/aktorer/"),
        Page("collaboration.actors.search", "collaboration: actor search", "coordinator", f"/samverkan/aktorer/?{search}"),
        Page("collaboration.assessments", "collaboration: assessments", "coordinator", "/samverkan/bedomningar/"),
        Page("collaboration.forums", "collaboration: forums", "coordinator", "/samverkan/forum/"),
        Page("collaboration.actions", "collaboration: follow-up actions", "coordinator", "/samverkan/atgarder/"),
    ]  # fmt: skip
    for key, label, path, target in [
        ("collaboration.actor", "collaboration: actor", "/samverkan/aktorer/{}/", "collaboration_actor_pk"),
        ("collaboration.assessment", "collaboration: assessment", "/samverkan/bedomningar/{}/",
         "collaboration_assessment_pk"),
        ("collaboration.forum", "collaboration: forum", "/samverkan/forum/{}/", "collaboration_forum_pk"),
        ("collaboration.meeting", "collaboration: meeting", "/samverkan/moten/{}/", "collaboration_meeting_pk"),
    ]:  # fmt: skip
        if targets.get(target):
            pages.append(Page(key, label, "coordinator", path.format(targets[target])))
    log = targets["access_log"]
    pages += [
        Page("access_log.first", "access log, first page", "auditor", "/loggkontroll/"),
        Page("access_log.oldest", "access log, oldest page", "auditor", log["oldest_path"]),
        Page("access_log.filtered", "access log, action + 30 days", "auditor", log["filtered_path"]),
        Page("concerns.report.get", "concern report form (GET)", "staff", "/oro/rapportera/"),
        Page(
            "concerns.report.post",
            "concern report form (POST)",
            "staff",
            "/oro/rapportera/",
            kind="write",
            form_field="observation",
            values=concern_values,
            expect=(302,),
        ),
        Page("incidents.report.get", "incident report form (GET)", "staff", "/handelser/rapportera/"),
        Page(
            "incidents.report.post",
            "incident report form (POST)",
            "staff",
            "/handelser/rapportera/",
            kind="write",
            form_field="description",
            values=incident_values,
            pick=("district",),
            expect=(302,),
        ),
    ]
    return pages


def document_pages(year: int) -> list[Page]:
    """The status report's downloads, with the bars of docs/quality.md. They are measured in a phase of
    their own (run.measure_documents): an export needs a recent sign-in (vbe.accounts.reauth)."""
    return [
        Page("documents.status_report.pdf", f"status report {year} PDF", "central_coordinator",
             f"/rapporter/nulagesrapport/{year}.pdf", kind="document", limit_s=5.0, in_load=False),
        Page("documents.status_report.docx", f"status report {year} DOCX", "central_coordinator",
             f"/rapporter/nulagesrapport/{year}.docx", kind="document", limit_s=2.0, in_load=False),
    ]  # fmt: skip


@dataclass
class Browsers:
    """One client per role (each with its own session and connection), and an anonymous one."""

    host: str
    port: int
    session_cookie: str
    sessions: dict[str, str]  # role -> session key
    _clients: dict[str | None, Client] = field(default_factory=dict)

    def for_role(self, role: str | None) -> Client:
        if role not in self._clients:
            cookies = {self.session_cookie: self.sessions[role]} if role is not None else {}
            self._clients[role] = Client(self.host, self.port, cookies=cookies)
        return self._clients[role]

    def close(self) -> None:
        for client in self._clients.values():
            client.close()


def measure(page: Page, client: Client) -> Sample:
    """One request to ``page``, timed; a write first fetches its form (not timed), as a person would."""
    try:
        if page.kind == "write":
            form_page = client.get(page.path)
            if form_page.status != 200:
                return Sample(None, form_page.status, error=f"form page answered {form_page.status}")
            form = form_with(form_page.text(), page.form_field)
            data = form.filled(page.values() if page.values else {}, pick=page.pick)
            response = client.post(resolve(page.path, form.action), data)
            sample = Sample(response.seconds, response.status, response.queries, len(response.body))
            sample.form = Sample(form_page.seconds, form_page.status, form_page.queries, len(form_page.body))
            return _judged(page, response, sample)
        else:
            response = client.get(page.path)
    except (ConnectionError, LookupError) as exc:
        return Sample(None, None, error=str(exc))
    return _judged(page, response, Sample(response.seconds, response.status, response.queries, len(response.body)))


def _judged(page: Page, response, sample: Sample) -> Sample:
    if response.status not in page.expect:
        sample.error = f"status {response.status}, expected {'/'.join(map(str, page.expect))}"
        if response.status == 400:  # a form the portal refused: say why, from its error summary
            sample.error += ": " + _error_summary(response.text())
        elif response.status in (301, 302):
            sample.error += f" (to {response.headers.get('location', '?')})"
    return sample


def _error_summary(html: str) -> str:
    start = html.find("govuk-error-summary__list")
    if start < 0:
        return "no error summary"
    text = re.sub(r"<[^>]+>", " ", html[start : start + 2000])
    return " ".join(text.split())[:300]
