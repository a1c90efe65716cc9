"""The database stops during a write, and comes back (issue 9, item 5).

A real app server is started the way production runs it (granian, WSGI, persistent database
connections), with one worker and one thread so that every request goes through the same process and
the same connection. It reaches the test database through a relay the test can cut
(tests/support/db_proxy.py), while this process reads the database directly. The relay cuts at a chosen
statement of the report's transaction: after the report's own ``INSERT``, after the access-log row
(before the chain head moves), or at the ``COMMIT``. Then:

- the reporter gets the 503 page, in Swedish, without any detail of the fault;
- nothing of the write is in the database: no report, no chronology, no access-log row (the chain
  verifies), no queued e-mail, no reference number used up, no idempotency key that would turn the
  retry into someone else's receipt;
- while the database is down every page answers the same 503;
- once it is back, the same server process (no restart) takes the same form, and it makes exactly one
  report, with the number the cut one would have had.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.test import Client
from django.utils import timezone

from conftest import sign_in_client
from tests.support.db_proxy import DatabaseProxy
from vbe.accounts.models import User
from vbe.audit.log import verify_log
from vbe.audit.models import AccessLogEntry
from vbe.concerns.models import Concern, Event
from vbe.core.errors import database_unavailable
from vbe.core.models import ReferenceCounter
from vbe.incidents.models import Incident, IncidentIntake
from vbe.incidents.tests.factories import JARVA
from vbe.notifications.models import Notification
from vbe.organisations.models import Organisation

ROOT = Path(__file__).resolve().parent.parent
GRANIAN = Path(sys.executable).parent / "granian"


def outage_test(test):
    """A test against the server: PostgreSQL only, with committed rows (the server cannot see a test's
    open transaction)."""
    test = pytest.mark.django_db(transaction=True)(test)
    return pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="cuts a PostgreSQL connection mid-transaction through a TCP relay; production runs PostgreSQL",
    )(test)


@dataclass
class Page:
    status: int
    headers: http.client.HTTPMessage
    text: str


class Visitor:
    """A signed-in person's browser, reduced to cookies and forms, talking to the server over HTTP."""

    def __init__(self, port: int, cookies: dict[str, str]) -> None:
        self.port, self.cookies = port, dict(cookies)

    def get(self, path: str) -> Page:
        return self._send("GET", path, None)

    def post(self, path: str, form: dict[str, str]) -> Page:
        return self._send("POST", path, form)

    def _send(self, method: str, path: str, form: dict[str, str] | None) -> Page:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            page = Page(response.status, response.headers, response.read().decode())
        finally:
            conn.close()
        for header in page.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return page


@dataclass
class Server:
    process: subprocess.Popen
    proxy: DatabaseProxy
    port: int
    log: Path

    def visitor(self, user: User) -> Visitor:
        client = Client()
        sign_in_client(client, user)  # a committed session row, which the server reads
        return Visitor(self.port, {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value})

    def workers(self) -> set[int]:
        """The pids of the server's worker processes (to tell that nothing was restarted)."""
        kids = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:  # the process ended while being read
                continue
            if int(fields[1]) == self.process.pid:
                kids.add(int(stat.parent.name))
        return kids


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(django_db_setup, tmp_path_factory):
    db = connection.settings_dict  # the test database, created by django_db_setup
    proxy = DatabaseProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    credentials = quote(db["USER"] or "postgres") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "granian.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "GRANIAN_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.test_settings",  # VBE_ENV=test: the keys this process uses
        "DATABASE_URL": f"postgres://{credentials}@127.0.0.1:{proxy.port}/{quote(db['NAME'])}",
        "CONN_MAX_AGE": "60",  # persistent, as in production: the connection outlives each request
        "DEBUG": "0",
    }
    command = [str(GRANIAN), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", "1", "--blocking-threads", "1", "--no-access-log", "config.wsgi:application"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    started = Server(process, proxy, port, log)
    try:
        _wait_until_healthy(started)
        yield started
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        proxy.close()


def _wait_until_healthy(server: Server) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            if Visitor(server.port, {}).get("/halsa/").status == 200:
                return
        except OSError:  # not listening yet
            pass
        time.sleep(0.2)
    pytest.fail(f"the server did not start:\n{server.log.read_text()[-3000:]}")


@pytest.fixture
def live(server):
    """The server, with the database up at the start and end of each test."""
    server.proxy.start()
    yield server
    server.proxy.start()
    assert server.process.poll() is None, server.log.read_text()[-3000:]


def _hidden(page: Page, name: str) -> str:
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', page.text)
    assert match, f"no {name} in the form"
    return match.group(1)


def _assert_friendly_503(page: Page) -> None:
    assert page.status == 503, (page.status, page.text[:500])
    assert page.headers["Retry-After"]
    assert '<html lang="sv"' in page.text
    assert "Tjänsten är inte tillgänglig just nu" in page.text
    assert "Om du skickade ett formulär har det inte sparats." in page.text
    assert "Försök igen om en stund" in page.text
    for detail in ("Traceback", "OperationalError", "InterfaceError", "psycopg", "server closed", "connection"):
        assert detail not in page.text, detail


def _assert_chain_verifies() -> None:
    # Only the rows in the database: the checkpoint file of the test settings belongs to other runs.
    verification = verify_log(anchors=[])
    assert verification.broken is None, verification.broken
    assert verification.checked == AccessLogEntry.objects.count()


def _snapshot() -> dict[str, object]:
    """Everything a report's transaction writes, and the chain's end."""
    return {
        "concerns": Concern.objects.count(),
        "events": Event.objects.count(),
        "incidents": Incident.objects.count(),
        "intakes": IncidentIntake.objects.count(),
        "log": list(AccessLogEntry.objects.order_by("id").values_list("id", "mac")),
        "notifications": Notification.objects.count(),
        "counters": set(ReferenceCounter.objects.values_list("prefix", "year", "last_number")),
    }


def _number(reference: str) -> int:
    return int(reference.rsplit("-", 1)[1])


def _concern_form(visitor: Visitor) -> dict[str, str]:
    page = visitor.get("/oro/rapportera/")
    assert page.status == 200, page.text[:500]
    return {
        "csrfmiddlewaretoken": _hidden(page, "csrfmiddlewaretoken"),
        "idempotency_key": _hidden(page, "idempotency_key"),
        "observation": "Eleven visade en film som hyllar ett attentat.",
        "observed_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "environment": "unknown",
        "concerns_child": "no",
        "organisation": str(Organisation.objects.get(slug="jarva").pk),
    }


def _incident_form(visitor: Visitor) -> dict[str, str]:
    page = visitor.get("/handelser/rapportera/")
    assert page.status == 200, page.text[:500]
    return {
        "csrfmiddlewaretoken": _hidden(page, "csrfmiddlewaretoken"),
        "token": _hidden(page, "token"),
        "district": JARVA,
        "place_description": "Busskuren vid torget",
        "category": "propaganda",
        "environment": "right_wing",
        "occurred_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "occurred_at": "14:30",
        "description": "Tjugo klistermärken med en extremistisk symbol på busskuren vid torget.",
    }


# Where in the concern's transaction the database goes away: right after the statement holding the
# first pattern (or, with None, at it), so that the message holding the second never reaches it.
CONCERN_CUTS = {
    # The next statement is the statistics summary's recount (vbe/statistics/summary.py), then the chronology.
    "after the concern's row": (b'INSERT INTO "concerns_concern"', b'INSERT INTO "statistics_summarystamp"'),
    "after the access-log row, before the chain head moves": (
        b'INSERT INTO "audit_accesslogentry"',
        b'UPDATE "audit_chainhead"',
    ),
    "at the commit, after every row and the queued e-mails": (None, b"COMMIT"),
}


def _cut_while_sending(
    server: Server, visitor: Visitor, path: str, form: dict[str, str], cut_after: bytes | None, withheld: bytes
) -> None:
    """Sends the form with the database stopping right after ``cut_after`` (None: at ``withheld``);
    checks the answer and that nothing of the write is left. The database stays down."""
    before = _snapshot()
    if cut_after is None:
        server.proxy.stop_at(withheld)
    else:
        server.proxy.stop_after(cut_after)
    _assert_friendly_503(visitor.post(path, form))
    assert server.proxy.cut.is_set(), "the database was never cut: no statement matched"
    assert withheld in server.proxy.withheld, server.proxy.withheld[:200]
    assert _snapshot() == before
    _assert_chain_verifies()


@outage_test
def test_a_concern_cut_off_by_the_database_is_not_saved_and_goes_through_once_it_is_back(live, cast):
    """One test for the three cuts: a transactional test's set-up costs more than each cut."""
    visitor = live.visitor(cast["staff"])
    form = _concern_form(visitor)
    workers = live.workers()
    assert len(workers) == 1, workers  # granian's one worker process, which answers every request
    for where, (cut_after, withheld) in CONCERN_CUTS.items():
        live.proxy.start()
        try:
            _cut_while_sending(live, visitor, "/oro/rapportera/", form, cut_after, withheld)
            assert not Concern.objects.filter(idempotency_key=form["idempotency_key"]).exists()
            # While the database is down, every page (the form, the start page) says the same.
            _assert_friendly_503(visitor.get("/oro/rapportera/"))
            _assert_friendly_503(visitor.get("/"))
        except AssertionError as failure:
            raise AssertionError(f"cut {where}: {failure}") from failure
    assert not Concern.objects.exists()

    live.proxy.start()
    sent = visitor.post("/oro/rapportera/", form)  # the same form, as the page tells the reporter to do
    concern = Concern.objects.get()
    assert (sent.status, sent.headers["Location"]) == (302, f"/oro/kvitto/{concern.reference}/")
    assert concern.idempotency_key == form["idempotency_key"]
    counter = ReferenceCounter.objects.get(prefix="ORO")
    assert _number(concern.reference) == counter.last_number == 1  # the cut writes used up no number
    assert concern.events.filter(kind="submitted").count() == 1
    assert AccessLogEntry.objects.filter(action="concern_submitted", object_id=str(concern.pk)).count() == 1
    _assert_chain_verifies()
    assert visitor.get(sent.headers["Location"]).status == 200
    # Sent once more (a reload of the answer), it stays one concern.
    assert visitor.post("/oro/rapportera/", form).headers["Location"] == sent.headers["Location"]
    assert Concern.objects.count() == 1
    assert live.workers() == workers, "the server's worker was restarted"

    # The worker's persistent connection now dies while idle, and the database comes back before the
    # next request: that request must not be the one to find out (CONN_HEALTH_CHECKS).
    accepted = live.proxy.accepted
    live.proxy.stop()
    live.proxy.start()
    assert visitor.get("/").status == 200
    assert live.proxy.accepted == accepted + 1  # the dead connection was replaced, not reused
    assert live.workers() == workers


@outage_test
def test_an_incident_cut_off_by_the_database_is_not_saved_and_goes_through_once_it_is_back(live, cast):
    visitor = live.visitor(cast["staff"])
    form = _incident_form(visitor)
    workers = live.workers()
    cut_after, withheld = b'INSERT INTO "incidents_incident"', b'INSERT INTO "statistics_summarystamp"'
    _cut_while_sending(live, visitor, "/handelser/rapportera/", form, cut_after, withheld)
    assert not Incident.objects.filter(submission_token=form["token"]).exists()

    live.proxy.start()
    sent = visitor.post("/handelser/rapportera/", form)
    incident = Incident.objects.get()
    assert (sent.status, sent.headers["Location"]) == (302, incident.get_receipt_url())
    assert incident.submission_token == form["token"]
    assert _number(incident.reference) == ReferenceCounter.objects.get(prefix=incident.reference[:3]).last_number
    assert IncidentIntake.objects.filter(incident=incident).count() == 1
    assert AccessLogEntry.objects.filter(action="incident_reported", object_id=str(incident.pk)).count() == 1
    _assert_chain_verifies()
    assert live.workers() == workers


# --- The 503 page itself, in this process (any database) ------------------------------------------


def _failing_start_page(error: Exception):
    def start_page_for(user):
        raise error

    return start_page_for


@pytest.mark.parametrize(
    "error",
    [OperationalError("server closed the connection unexpectedly"), InterfaceError("connection already closed")],
    ids=["operational", "interface"],
)
def test_a_lost_database_connection_is_answered_with_the_503_page(cast, monkeypatch, error):
    monkeypatch.setattr("vbe.portal.views.start_page_for", _failing_start_page(error))
    client = cast.client("staff")
    client.raise_request_exception = False
    response = client.get("/")
    _assert_friendly_503(Page(response.status_code, response, response.content.decode()))


def test_any_other_fault_keeps_the_500_page(cast, monkeypatch):
    monkeypatch.setattr("vbe.portal.views.start_page_for", _failing_start_page(ValueError("a bug")))
    client = cast.client("staff")
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    assert "Något gick fel hos oss" in response.content.decode() and "a bug" not in response.content.decode()


def test_a_fault_raised_while_handling_a_lost_connection_counts_as_one():
    try:
        try:
            raise OperationalError("terminating connection")
        except OperationalError:
            raise KeyError("while rolling back") from None
    except KeyError as raised:
        suppressed = raised
    try:
        try:
            raise OperationalError("terminating connection")
        except OperationalError as exc:
            raise RuntimeError("the template could not be rendered") from exc
    except RuntimeError as raised:
        caused = raised
    assert database_unavailable(caused)
    assert not database_unavailable(suppressed)  # "from None": the author said it is not the cause
    assert not database_unavailable(ValueError("a bug")) and not database_unavailable(None)
