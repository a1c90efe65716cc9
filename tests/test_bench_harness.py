"""The pieces of `make bench` (tools/bench) that can be checked without serving and timing the portal:
its statistics, its table's judgement against the bars, its settings, its HTTP client and form filling
(against the portal's real report forms), the sessions it creates, and its mail sink."""

from __future__ import annotations

import http.server
import smtplib
import threading
from email.message import EmailMessage

import pytest
from django.conf import settings
from django.test import Client as DjangoClient
from django.urls import Resolver404, resolve

from tools.bench import django_side, load, postgres, report, stats
from tools.bench.client import Client, form_with, parse_forms
from tools.bench.pages import concern_values, document_pages, incident_values, key_pages
from tools.bench.run import BenchError, Config
from tools.bench.smtp import SmtpSink

# --- Statistics ------------------------------------------------------------------------------------


def test_percentile_interpolates_between_ranks():
    values = list(range(1, 101))  # 1..100
    assert stats.percentile(values, 0) == 1
    assert stats.percentile(values, 100) == 100
    assert stats.percentile(values, 50) == pytest.approx(50.5)
    assert stats.percentile(values, 95) == pytest.approx(95.05)
    assert stats.percentile([4.0, 1.0, 3.0, 2.0], 50) == pytest.approx(2.5)  # order of input does not matter
    assert stats.percentile([], 50) is None
    with pytest.raises(ValueError):
        stats.percentile([1.0], 101)


def test_ratio_and_median_handle_missing_values():
    assert stats.median([3.0, 1.0, 2.0]) == 2.0
    assert stats.median([]) is None
    assert stats.ratio(6.0, 2.0) == 3.0
    assert stats.ratio(None, 2.0) is None
    assert stats.ratio(1.0, 0.0) is None


def test_summarise_reports_milliseconds():
    figures = stats.summarise([0.010, 0.020, 0.030])
    assert figures["n"] == 3
    assert figures["median_ms"] == pytest.approx(20.0)
    assert figures["min_ms"] == pytest.approx(10.0) and figures["max_ms"] == pytest.approx(30.0)
    assert stats.summarise([])["median_ms"] is None


def test_page_flags_name_each_missed_bar():
    assert stats.page_flags(floor_ratio=stats.FLOOR_BAR, growth=stats.GROWTH_BAR, queries=stats.QUERY_BAR) == []
    flags = stats.page_flags(floor_ratio=stats.FLOOR_BAR + 0.1, growth=stats.GROWTH_BAR + 0.1, queries=21)
    assert len(flags) == 3 and "floor" in flags[0] and "growth" in flags[1] and "queries" in flags[2]
    # The floor page is the yardstick: no bars of its own.
    assert stats.page_flags(floor_ratio=9.0, growth=9.0, queries=0, bars=False) == []


def _scale(scale: int, floor_ms: float, pages: dict[str, tuple[float, int, str]]) -> dict:
    return {
        "scale": scale,
        "floor_median_ms": floor_ms,
        "counts": {},
        "pages": {
            key: {
                "label": key,
                "role": "staff",
                "kind": kind,
                "median_ms": ms,
                "queries": queries,
                "errors": 0,
                "limit_s": 2.0 if kind == "document" else None,
            }
            for key, (ms, queries, kind) in pages.items()
        },
    }


def test_summary_judges_the_last_scale_and_growth_against_each_phase_floor():
    result = {
        "scales": [
            _scale(1, 2.0, {"floor": (2.0, 0, "floor"), "list": (5.0, 8, "page"), "slow": (5.0, 8, "page")}),
            _scale(10, 4.0, {"floor": (4.0, 0, "floor"), "list": (12.0, 8, "page"), "slow": (20.0, 25, "page")}),
        ]
    }
    rows = {row["key"]: row for row in report.summary_rows(result)}
    listed = rows["list"]
    assert listed["scales"]["1"]["floor_ratio"] == 2.5 and listed["scales"]["10"]["floor_ratio"] == 3.0
    assert listed["growth"] == pytest.approx(3.0 / 2.5)  # the ratio to each phase's floor
    assert listed["growth_raw"] == pytest.approx(12.0 / 5.0)
    assert listed["flags"] == []
    slow = rows["slow"]
    assert slow["scales"]["10"]["floor_ratio"] == 5.0 and slow["growth"] == 2.0
    assert len(slow["flags"]) == 3
    assert rows["floor"]["flags"] == []
    table = report.table({**result, "summary": list(rows.values())})
    assert "s1 ms" in table and "s10 ms" in table and "growth" in table


def test_a_document_is_judged_by_its_limit_in_seconds():
    result = {"scales": [_scale(1, 2.0, {"floor": (2.0, 0, "floor"), "docx": (2500.0, 20, "document")})]}
    docx = {row["key"]: row for row in report.summary_rows(result)}["docx"]
    assert docx["scales"]["1"]["floor_ratio"] is None
    assert docx["flags"] == [">2 s"]


def test_compare_puts_two_runs_side_by_side():
    def run(ms: float) -> dict:
        return {
            "started": "t",
            "git": "g",
            "scales": [_scale(1, 2.0, {"floor": (2.0, 0, "floor"), "list": (ms, 8, "page")})],
        }

    text = report.compare(run(8.0), run(4.0))
    line = next(line for line in text.splitlines() if line.startswith("list"))
    assert "4.0×" in line and "2.0×" in line and "0.50" in line


def test_load_summary_counts_only_requests_finished_in_the_window_but_every_error():
    Record = load._Record
    records = [
        Record(end=1.0, seconds=0.010, kind="read", error=""),
        Record(end=2.0, seconds=0.030, kind="read", error=""),
        Record(end=3.0, seconds=0.050, kind="write", error=""),
        Record(end=3.5, seconds=None, kind="read", error="status 500"),
        Record(end=11.0, seconds=0.020, kind="read", error="status 502"),  # after the window
    ]
    summary = load.summarise(records, start=0.0, end=10.0, finished=11.0, cpu_seconds=0.5)
    assert summary["requests"] == 4
    assert summary["throughput_rps"] == pytest.approx(0.4)
    assert summary["errors"] == 2
    assert summary["error_messages"] == {"status 500": 1, "status 502": 1}
    assert summary["p50_ms"] == pytest.approx(30.0)  # failed requests have no latency
    assert summary["by_kind"]["write"]["requests"] == 1
    assert summary["client_cpu_per_request_ms"] == pytest.approx(100.0)


def test_each_simulated_user_has_one_connection_and_its_own_sessions():
    pages = key_pages(_targets())
    users = load.build_users(3, pages, ("127.0.0.1", 9), lambda index, role: {"s": f"{role}-{index}"})
    in_load = {p.key for p in pages if p.in_load}
    for index, user in enumerate(users):
        clients = [client for _page, client in (*user.reads, *user.writes)]
        assert len({id(client.link) for client in clients}) == 1
        assert {page.key for page, _client in (*user.reads, *user.writes)} == in_load
        assert all(client.cookies == {"s": f"{page.role}-{index}"} for page, client in (*user.reads, *user.writes))
        assert {page.kind for page, _client in user.writes} == {"write"}
    assert "floor" not in in_load and not any(p.key.startswith("documents") for p in pages)
    floor_users = load.build_users(2, pages, ("127.0.0.1", 9), lambda index, role: {}, anonymous_floor=True)
    assert [[(page.key, client.cookies) for page, client in u.reads] for u in floor_users] == [[("floor", {})]] * 2


# --- Settings of a run -------------------------------------------------------------------------------


def test_config_defaults_match_the_issue():
    config = Config.from_env({})
    assert config.scales == [1, 10]
    assert (config.rounds, config.users, config.duration, config.write_share) == (30, 50, 120.0, 0.05)
    assert config.floor_duration == config.duration


def test_config_reads_the_make_variables():
    config = Config.from_env({"SCALES": "1", "ROUNDS": "5", "DURATION": "20", "USERS": "8", "KEEP_DB": "1"})
    assert (config.scales, config.rounds, config.duration, config.users, config.keep_db) == ([1], 5, 20.0, 8, True)


@pytest.mark.parametrize(
    "env",
    [{"SCALES": "10,1"}, {"SCALES": "0"}, {"SCALES": "one"}, {"ROUNDS": "0"}, {"DURATION": "x"}, {"WRITE_SHARE": "2"}],
)
def test_config_refuses_bad_values_with_a_message(env):
    with pytest.raises(BenchError):
        Config.from_env(env)


def test_only_a_database_named_for_the_bench_is_dropped():
    assert postgres.database_name("postgres://postgres@127.0.0.1:5432/vbe_benchdev") == "vbe_benchdev"
    postgres.check_disposable("vbe_bench")
    with pytest.raises(postgres.DatabaseError):
        postgres.check_disposable("vbe")
    with pytest.raises(postgres.DatabaseError):
        postgres.database_name("sqlite:///var/vbe.sqlite3")


# --- The client -------------------------------------------------------------------------------------

FORM = """
<form method="post" action="/out/"><button>Logga ut</button></form>
<form method="post" novalidate>
  <input type="hidden" name="csrfmiddlewaretoken" value="tok">
  <input type="text" name="title" value="given">
  <input type="file" name="photos">
  <input type="radio" name="kind" value="a"><input type="radio" name="kind" value="b">
  <input type="radio" name="env" value="x"><input type="radio" name="env" value="y" checked>
  <input type="checkbox" name="agree" value="1"><input type="checkbox" name="news" value="1" checked>
  <select name="place"><option value="">Vet inte</option><option value="7">Järva</option></select>
  <select name="org"><option value="1">A</option><option value="2" selected>B</option></select>
  <textarea name="text">
Hej</textarea>
  <input type="text" name="off" value="z" disabled>
</form>
"""


def test_form_parsing_sends_what_a_browser_would():
    forms = parse_forms(FORM)
    assert len(forms) == 2
    form = form_with(FORM, "title")
    assert form.method == "post" and form.action == ""
    sent = dict(form.filled({}))
    assert sent == {
        "csrfmiddlewaretoken": "tok",
        "title": "given",
        "env": "y",
        "news": "1",
        "place": "",
        "org": "2",
        "text": "Hej",
        "kind": "a",  # an unchecked radio group gets its first value
    }
    filled = dict(form.filled({"title": "typed", "kind": "b"}, pick=("place",)))
    assert filled["title"] == "typed" and filled["kind"] == "b" and filled["place"] == "7"
    with pytest.raises(LookupError):
        form_with(FORM, "missing")


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list[dict] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        type(self).seen.append({"path": self.path, "headers": dict(self.headers), "body": body})
        payload = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("X-VBE-Queries", "4")
        if self.path == "/set":
            self.send_header("Set-Cookie", "__Host-vbe-csrf=abc; Path=/; Secure; SameSite=Lax")
        if self.path == "/forget":
            self.send_header(
                "Set-Cookie", '__Host-vbe-session=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/'
            )
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def tiny_server():
    _Handler.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_client_keeps_cookies_says_it_came_through_tls_and_posts_like_a_browser(tiny_server):
    port = tiny_server.server_address[1]
    client = Client("127.0.0.1", port, cookies={"__Host-vbe-session": "s1"})
    try:
        first = client.get("/set")
        assert first.status == 200 and first.queries == 4 and first.seconds > 0
        assert client.cookies == {"__Host-vbe-session": "s1", "__Host-vbe-csrf": "abc"}
        client.post("/form/", [("a", "1"), ("b", "å")])
        client.get("/forget")
    finally:
        client.close()
    get, post = _Handler.seen[0], _Handler.seen[1]
    assert get["headers"]["X-Forwarded-Proto"] == "https"
    assert "__Host-vbe-session=s1" in get["headers"]["Cookie"]
    assert post["headers"]["Origin"] == f"https://127.0.0.1:{port}"
    assert post["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert post["body"] == b"a=1&b=%C3%A5"
    assert "__Host-vbe-csrf=abc" in post["headers"]["Cookie"]
    assert client.cookies == {"__Host-vbe-csrf": "abc"}  # the deleted session cookie is gone


def test_mail_sink_accepts_a_message():
    with SmtpSink() as sink:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "a@bench.invalid", "b@bench.invalid", "x"
        message.set_content("hej")
        with smtplib.SMTP("127.0.0.1", sink.port, timeout=10) as smtp:
            smtp.send_message(message)
        assert sink.accepted == 1


# --- Against the portal ----------------------------------------------------------------------------


def _targets() -> dict:
    return {
        "concern_reference": "VBE-2026-00001",
        "incident_pk": 1,
        "plan_pk": 1,
        "district_code": "1",
        "access_log": {"oldest_path": "/loggkontroll/?aldsta=1", "filtered_path": "/loggkontroll/?action=x"},
    }


def test_every_measured_page_is_a_route_of_the_portal():
    pages = key_pages(_targets()) + document_pages(2025)
    for page in pages:
        try:
            resolve(page.path.split("?")[0])
        except Resolver404:
            pytest.fail(f"{page.key}: {page.path} is no longer a route")
    assert len({p.key for p in pages}) == len(pages)
    roles = {p.key.split(".", 1)[1] for p in pages if p.key.startswith("start.")}
    assert {"staff", "coordinator", "central_coordinator", "auditor", "admin"} <= roles


def test_bench_sessions_are_accepted_as_signed_in_with_second_factor(cast):
    email = cast["coordinator"].email  # a role that needs the second factor
    key = django_side.sessions([email], 2)[email][0]
    client = DjangoClient()
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    response = client.get("/")
    assert response.status_code == 200
    assert response.wsgi_request.user == cast["coordinator"]


def _post_like_the_bench(cast, path: str, field: str, values: dict, pick: tuple[str, ...] = ()):
    client = cast.client("staff")
    page = client.get(path)
    assert page.status_code == 200
    form = form_with(page.content.decode(), field)
    return client.post(path, dict(form.filled(values, pick=pick)))


def test_the_bench_fills_the_concern_report_form_validly(cast):
    from vbe.concerns.models import Concern

    before = Concern.objects.count()
    response = _post_like_the_bench(cast, "/oro/rapportera/", "observation", concern_values())
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Concern.objects.count() == before + 1
    # A new key each time: the next post is a new report, not a double submission.
    assert _post_like_the_bench(cast, "/oro/rapportera/", "observation", concern_values()).status_code == 302
    assert Concern.objects.count() == before + 2


def test_the_bench_fills_the_incident_report_form_validly(cast):
    from vbe.incidents.models import Incident

    before = Incident.objects.count()
    response = _post_like_the_bench(cast, "/handelser/rapportera/", "description", incident_values(), ("district",))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Incident.objects.count() == before + 1


def test_the_oldest_access_log_page_the_bench_opens_shows_the_first_row(cast):
    from vbe.audit.log import record
    from vbe.audit.models import AccessLogEntry

    for n in range(120):  # more than two pages
        record(action="bench_probe", actor=cast["staff"], detail=str(n))
    first = AccessLogEntry.objects.order_by("id").first()
    newest = AccessLogEntry.objects.order_by("-id").first()
    log = django_side._access_log(None)
    assert log["action"] == "bench_probe"  # the most common action among recent rows
    page = cast.client("auditor").get(log["oldest_path"]).content.decode()
    assert f">{first.id}</td>" in page and f">{newest.id}</td>" not in page
    filtered = cast.client("auditor").get(log["filtered_path"])
    assert filtered.status_code == 200 and f">{newest.id}</td>" in filtered.content.decode()
