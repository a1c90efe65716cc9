"""The whole run: database, data at each scale, the server, the pages, the mixed load, the documents.

Settings come from the environment (the Makefile passes its variables through):

    SCALES=1,10   the scales measured, in growing order, each in a database built afresh
    ROUNDS=30     interleaved rounds over the pages per scale (DOC_ROUNDS=5 of them include the documents)
    DURATION=120  seconds of mixed load (and of the floor page's load, FLOOR_DURATION to change that)
    USERS=50      simulated users of the loads; WRITE_SHARE=0.05 of their choices post a report
    RUNS=5        runs per case of the document timings (manage.py bench)
    SEED          the data generator's seed (default: its own) and the load's (default 1)
    KEEP_DB=1     keep the database afterwards (a throw-away cluster is removed anyway)
    DATABASE_URL  a PostgreSQL database to use (re-created; its name must contain "bench")
"""

from __future__ import annotations

import datetime
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psycopg

from tools.bench import client as client_module
from tools.bench import load, postgres, report, stats
from tools.bench.client import Client, form_with, free_port, resolve
from tools.bench.pages import Browsers, Page, Sample, document_pages, key_pages, measure
from tools.bench.server import BLOCKING_THREADS, WORKERS, Server, ServerError
from tools.bench.smtp import SmtpSink

ROOT = Path(__file__).resolve().parents[2]
CONN_MAX_AGE = 60


class BenchError(RuntimeError):
    """A step that cannot go on; the message says what to do."""


@dataclass
class Config:
    scales: list[int]
    rounds: int = 30
    doc_rounds: int = 5
    duration: float = 120.0
    floor_duration: float = 120.0
    users: int = 50
    write_share: float = 0.05
    runs: int = 5
    seed: int | None = None  # None: the generator's own default
    keep_db: bool = False

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Config:
        env = os.environ if environ is None else environ

        def number(name: str, default, kind=int, minimum=0):
            raw = env.get(name, "").strip()
            if not raw:
                return default
            try:
                value = kind(raw)
            except ValueError:
                raise BenchError(f"{name}={raw!r} is not a number.") from None
            if value < minimum:
                raise BenchError(f"{name} must be at least {minimum}.")
            return value

        raw_scales = env.get("SCALES", "").strip() or "1,10"
        try:
            scales = [int(s) for s in raw_scales.replace(" ", "").split(",") if s]
        except ValueError:
            raise BenchError(f"SCALES={raw_scales!r}: write the scales as numbers, e.g. SCALES=1,10.") from None
        if not scales or any(s < 1 for s in scales) or scales != sorted(set(scales)):
            raise BenchError(f"SCALES={raw_scales!r}: give growing scales of at least 1, e.g. 1 or 1,10.")
        duration = number("DURATION", 120.0, float, 1)
        share = number("WRITE_SHARE", 0.05, float, 0)
        if share > 1:
            raise BenchError("WRITE_SHARE is a share between 0 and 1.")
        return cls(
            scales=scales,
            rounds=number("ROUNDS", 30, int, 1),
            doc_rounds=number("DOC_ROUNDS", 5, int, 0),
            duration=duration,
            floor_duration=number("FLOOR_DURATION", duration, float, 1),
            users=number("USERS", 50, int, 1),
            write_share=share,
            runs=number("RUNS", 5, int, 1),
            seed=number("SEED", None, int, 0),
            keep_db=env.get("KEEP_DB", "").strip().lower() in {"1", "true", "yes", "on"},
        )


def log(message: str) -> None:
    if message:
        print(f"[bench {datetime.datetime.now():%H:%M:%S}] {message}", flush=True)


# --- Settings and commands --------------------------------------------------------------------------


def production_env(database_url: str, smtp_port: int, var_dir: Path) -> dict[str, str]:
    """Production settings (config/settings.py) with throw-away keys: DEBUG off, HTTPS-only cookies and
    redirects as configured; the client says it came through the TLS proxy (X-Forwarded-Proto)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VBE_", "DJANGO_"))}
    env.update(
        VBE_ENV="production",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        CONN_MAX_AGE=str(CONN_MAX_AGE),
        AUDIT_HMAC_KEYS=f"bench={secrets.token_hex(32)}",
        FIELD_ENCRYPTION_KEYS=f"bench={secrets.token_hex(32)}",
        BLIND_INDEX_KEY=secrets.token_hex(32),
        # The loopback mail sink: plain SMTP, so no STARTTLS (EMAIL_USE_TLS is a supported switch).
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_USE_TLS="0",
        SITE_URL="https://127.0.0.1",
        AUDIT_CHECKPOINT_PATH=str(var_dir / "audit-checkpoints.log"),
        VBE_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONUNBUFFERED="1",
    )
    return env


def generation_env(production: dict[str, str]) -> dict[str, str]:
    """The same database and keys in demo mode: seed_demo and the generator refuse production, and the
    data must be written with the keys the server reads it with (encrypted fields, the log's chain)."""
    return {**production, "VBE_ENV": "demo"}


class Commands:
    """manage.py as subprocesses, each logged to its own file in the run's directory."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self.count = 0

    def manage(self, env: dict[str, str], *args: str, capture: bool = False) -> str:
        return self.python(env, [str(ROOT / "manage.py"), *args], name=args[0], capture=capture)

    def python(self, env: dict[str, str], args: list[str], *, name: str, capture: bool = False) -> str:
        self.count += 1
        log_path = self.run_dir / f"{self.count:02d}-{name}.log"
        with open(log_path, "wb") as err:
            process = subprocess.Popen(  # noqa: S603 - this interpreter with the harness's own arguments
                [sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE if capture else err, stderr=err
            )
            try:
                out = _communicate(process)
            except BaseException:  # interrupted: this child goes too, by its id
                process.kill()
                process.wait()
                raise
        if process.returncode != 0:
            tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-25:])
            raise BenchError(f"{' '.join(args[:3])} failed (exit {process.returncode}); {log_path}:\n{tail}")
        return out.decode() if capture and out is not None else ""


def _communicate(process: subprocess.Popen) -> bytes | None:
    """communicate(), in short waits: a signal caught by another thread (the mail sink's) is only acted
    on when the main thread runs Python again, so a plain wait would hold up SIGTERM until the child ends."""
    while True:
        try:
            return process.communicate(timeout=0.5)[0]
        except subprocess.TimeoutExpired:
            continue


def build(scale: int, commands: Commands, env: dict[str, str], seed: int | None) -> None:
    """The data at ``scale`` city-years, on top of the demo city: ``manage.py generate_scale``."""
    seed_args = ["--seed", str(seed)] if seed is not None else []
    commands.manage(env, "generate_scale", "--scale", str(scale), *seed_args)


def drain(database_url: str, timeout: float = 60) -> None:
    """Until no query of the portal's database is running: the server has finished the last load."""
    name = postgres.database_name(database_url)
    deadline = time.monotonic() + timeout
    with psycopg.connect(database_url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            active = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND state <> 'idle' AND pid <> pg_backend_pid()",
                (name,),
            ).fetchone()[0]
            if not active:
                break
            time.sleep(0.5)
    time.sleep(1)


def measure_pages(pages: list[Page], browsers: Browsers, config: Config, problems: list[str]) -> dict:
    """A warm-up round (a page that fails it is left out and reported), then ``rounds`` interleaved
    rounds: page A, B, C, … and again, so a slow moment of the machine falls on every page alike."""
    live = []
    for page in pages:
        sample = measure(page, browsers.for_role(page.role))
        if sample.ok:
            live.append(page)
        else:
            problems.append(
                f"{page.label} ({page.path}, {page.role or 'anonymous'}): warm-up failed, not measured: {sample.error}"
            )
            log(f"  warm-up failed: {page.label}: {sample.error}")
    samples: dict[str, list[Sample]] = {p.key: [] for p in live}
    started = time.monotonic()
    for round_number in range(config.rounds):
        for page in live:
            samples[page.key].append(measure(page, browsers.for_role(page.role)))
        if (round_number + 1) % 10 == 0 or round_number + 1 == config.rounds:
            log(f"  round {round_number + 1}/{config.rounds} ({time.monotonic() - started:.0f} s)")
    return figures_of(pages, samples, problems)


def figures_of(pages: list[Page], samples: dict[str, list[Sample]], problems: list[str]) -> dict:
    figures = {}
    for page in pages:
        taken = samples.get(page.key)
        if taken is None:
            continue
        good = [s for s in taken if s.ok]
        entry = report.page_figures([s.seconds for s in good], [s.queries for s in good if s.queries is not None])
        statuses: dict[str, int] = {}
        for s in taken:
            statuses[str(s.status)] = statuses.get(str(s.status), 0) + 1
        errors = [s.error for s in taken if not s.ok]
        entry.update(
            label=page.label,
            role=page.role,
            path=page.path,
            kind=page.kind,
            limit_s=page.limit_s,
            statuses=statuses,
            errors=len(errors),
            error_messages=sorted(set(errors))[:5],
            size_kb=round(stats.median([s.size for s in good]) / 1024, 1) if good else None,
        )
        figures[page.key] = entry
        if errors:
            problems.append(f"{page.label}: {len(errors)} of {len(taken)} requests failed: {errors[0]}")
    return figures


def status_report_year(targets: dict, client: Client, problems: list[str]) -> int | None:
    """The newest status report's year; without one, a draft is created as the central coordinator
    creates it, through the form of the report list (the downloads need a saved report): for the year
    the document timings of manage.py bench use, or else the year the form proposes."""
    if targets.get("status_report_years"):
        return max(targets["status_report_years"])
    path = "/rapporter/nulagesrapport/"
    response = None
    for year in (targets.get("status_report_year"), None):
        try:
            form = form_with(client.get(path).text(), "year")
            response = client.post(resolve(path, form.action), form.filled({"year": str(year)} if year else {}))
        except (ConnectionError, LookupError) as exc:
            problems.append(f"status report: no draft could be created: {exc}")
            return None
        match = re.search(r"/nulagesrapport/(\d{4})/", response.headers.get("location", ""))
        if response.status == 302 and match:
            return int(match.group(1))
    problems.append(f"status report: creating a draft answered {response.status}, documents not measured")
    return None


def measure_documents(targets, port, cookie, fresh_session, config: Config, problems: list[str]) -> dict:
    """The status report's downloads: a warm-up and ``DOC_ROUNDS`` rounds, each with a session signed in
    just before, as an export asks for a sign-in within the last minutes (vbe.accounts.reauth)."""
    if config.doc_rounds == 0:
        return {}
    client = Client("127.0.0.1", port, cookies={cookie: fresh_session()})
    try:
        year = status_report_year(targets, client, problems)
    finally:
        client.close()
    if year is None:
        return {}
    pages = document_pages(year)
    samples: dict[str, list[Sample]] = {p.key: [] for p in pages}
    for round_number in range(config.doc_rounds + 1):  # the first is the warm-up
        client = Client("127.0.0.1", port, cookies={cookie: fresh_session()})
        try:
            for page in pages:
                sample = measure(page, client)
                if round_number:
                    samples[page.key].append(sample)
                elif not sample.ok:
                    log(f"  warm-up failed: {page.label}: {sample.error}")
        finally:
            client.close()
    log(f"  documents: {config.doc_rounds} rounds")
    return figures_of(pages, samples, problems)


def mixed_load(pages, port, session_cookie, sessions_for, config: Config, database_url: str) -> dict:
    """The floor page's load, then the mixed load, with the same client and number of users."""

    def cookies_for(index: int, role: str | None) -> dict[str, str]:
        return {session_cookie: sessions_for(role, index)} if role is not None else {}

    results = {}
    for name, floor_only, duration in (("floor", True, config.floor_duration), ("mixed", False, config.duration)):
        users = load.build_users(config.users, pages, ("127.0.0.1", port), cookies_for, anonymous_floor=floor_only)
        drain(database_url)
        log(f"  {name} load: {config.users} users for {duration:.0f} s")
        try:
            results[name] = load.run(
                users, duration=duration, write_share=0.0 if floor_only else config.write_share, seed=config.seed or 1
            )
        finally:
            for user in users:
                user.close()
        log(
            f"  {name}: {results[name]['throughput_rps']} req/s, p95 {results[name]['p95_ms']} ms, "
            f"errors {results[name]['errors']}"
        )
    drain(database_url)
    return results


def django_side(commands: Commands, env: dict[str, str], sessions: int, *extra: str) -> dict:
    args = ["-m", "tools.bench.django_side", "--sessions", str(sessions), *extra]
    return json.loads(commands.python(env, args, name="django_side", capture=True))


def first_of_each_role(accounts: list[dict]) -> dict[str, str]:
    """role -> the first demo account with it (for coordinators the district council Järva's)."""
    first: dict[str, str] = {}
    for account in accounts:
        first.setdefault(account["role"], account["email"])
    return first


def django_side_session(commands: Commands, env: dict[str, str], role: str) -> str:
    return json.loads(
        commands.python(env, ["-m", "tools.bench.django_side", "--fresh-session", role], name="session", capture=True)
    )["session"]


def measure_scale(scale, commands, prod, db, config, with_load, action, problems) -> dict:
    client_module.QUERY_KEY = secrets.token_hex(32)  # only requests carrying it get the query header
    server_env = {**prod, "VBE_BENCH_QUERIES": client_module.QUERY_KEY}
    with Server(server_env, commands.run_dir / f"server-s{scale}.log", ROOT) as server:
        log(f"Scale {scale}: granian on 127.0.0.1:{server.port} ({WORKERS} workers × {BLOCKING_THREADS} thread)")
        side = django_side(commands, prod, 1, *(["--action", action] if action else []))
        first_of_role = first_of_each_role(side["accounts"])
        targets = side["targets"]
        pages = key_pages(targets)
        cookie = targets["session_cookie"]
        signed_in = {role: side["sessions"][email][0] for role, email in first_of_role.items()}

        browsers = Browsers("127.0.0.1", server.port, cookie, signed_in)
        try:
            log(f"Scale {scale}: {len(pages)} pages, {config.rounds} rounds")
            figures = measure_pages(pages, browsers, config, problems)
        finally:
            browsers.close()
        figures.update(
            measure_documents(
                targets,
                server.port,
                cookie,
                lambda: django_side_session(commands, prod, "central_coordinator"),
                config,
                problems,
            )
        )
        floor = figures.get("floor", {}).get("median_ms")
        if floor is None:
            raise BenchError("The floor page (/golv/) could not be measured, so no ratio can be given.")
        result = {
            "scale": scale,
            "counts": side["counts"],
            "targets": targets,
            "floor_median_ms": floor,
            "pages": figures,
        }
        if with_load:
            # Sessions of their own for every user, made now: made earlier they could pass the idle
            # timeout while the pages are measured.
            load_sessions = django_side(commands, prod, config.users, "--sessions-only")["sessions"]
            load_pages = [p for p in pages if p.key in figures or p.kind == "floor"]
            result["load"] = mixed_load(
                load_pages,
                server.port,
                cookie,
                lambda role, i: load_sessions[first_of_role[role]][i],
                config,
                db.url,
            )
    return result


def git_description() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()  # noqa: S603, S607

    try:
        commit, dirty = git("rev-parse", "--short", "HEAD"), git("status", "--porcelain")
    except OSError:
        return "unknown"
    return f"{commit}{' with local changes' if dirty else ''}" or "unknown"


def run(config: Config) -> int:
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    out_dir = ROOT / "var" / "bench"
    run_dir = out_dir / f"run-{stamp}"
    run_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "var").mkdir(parents=True, exist_ok=True)  # static files for the production storage; nothing secret
    commands = Commands(run_dir)
    problems: list[str] = []
    result: dict = {
        "started": stamp,
        "git": git_description(),
        "config": asdict(config),
        "server": {"workers": WORKERS, "blocking_threads": BLOCKING_THREADS, "conn_max_age": CONN_MAX_AGE},
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "load_average": list(os.getloadavg())},
        "scales": [],
        "problems": problems,
    }
    log(f"Logs in {run_dir}")
    try:
        measure_all(config, commands, result, problems)
    except (BenchError, ServerError, postgres.DatabaseError) as exc:
        if not any(not scale.get("skipped") for scale in result["scales"]):
            raise
        # Scales already measured are worth keeping: written and printed, with what stopped the run.
        problems.append(f"the run stopped early: {exc}")
    result["summary"] = report.summary_rows(result)
    result["finished"] = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = report.write(result, out_dir, stamp)
    print("\n" + report.text(result), flush=True)
    print(f"\nJSON: {path} (and {out_dir / 'latest.json'})", flush=True)
    return 1 if any("failed" in p or "stopped" in p for p in problems) else 0


def prepare(commands: Commands, prod: dict[str, str], demo: dict[str, str]) -> None:
    log("migrate, collectstatic, load_reference_data (production settings); seed_demo (demo mode)")
    commands.manage(prod, "migrate", "--noinput")
    commands.manage(prod, "collectstatic", "--noinput", "--verbosity", "0")
    commands.manage(prod, "load_reference_data")
    commands.manage(demo, "seed_demo")


def measure_all(config: Config, commands: Commands, result: dict, problems: list[str]) -> None:
    """Each scale in a database of its own, built at once: a database grown from scale 1 would hold
    the older years' access log after the newer (the chain only grows at its end), which no real log
    does (vbe/demo/scale/)."""
    var_dir = commands.run_dir.parent / "var"  # static files collected for the production storage
    measured = []
    action = None
    prod: dict[str, str] = {}
    with SmtpSink() as smtp:
        for scale in config.scales:
            last = scale == config.scales[-1]
            with postgres.provide(keep=config.keep_db and last, port_for_cluster=free_port, log=log) as db:
                result["database"] = {"name": db.name, "origin": db.origin, "server_version": db.server_version}
                prod = production_env(db.url, smtp.port, var_dir)
                demo = generation_env(prod)
                prepare(commands, prod, demo)
                log(f"Scale {scale}: generating data")
                started = time.monotonic()
                build(scale, commands, demo, config.seed)
                generation_s = round(time.monotonic() - started, 1)
                with_load = last
                scale_result = measure_scale(scale, commands, prod, db, config, with_load, action, problems)
                scale_result["generation_s"] = generation_s
                action = action or scale_result["targets"]["access_log"]["action"]  # the same filter at every scale
                if "load" in scale_result:
                    result["load"] = {
                        "scale": scale,
                        "users": config.users,
                        "write_share": config.write_share,
                        **scale_result.pop("load"),
                    }
                result["scales"].append(scale_result)
                measured.append(scale)
                print("\n" + report.table(result) + "\n", flush=True)
                if last:
                    log(f"Document timings (manage.py bench --runs {config.runs}) at scale {scale}")
                    try:
                        result["documents"] = commands.manage(prod, "bench", "--runs", str(config.runs), capture=True)
                    except BenchError as exc:  # the pages' figures stand without them
                        lines = str(exc).splitlines()
                        problems.append(f"document timings failed: {lines[0]} … {lines[-1].strip()}")
                    log("Import of 100,000 completion rows (tools/bench/import_bench.py)")
                    try:
                        args = ["-m", "tools.bench.import_bench", "--existing", "--json"]
                        result["import"] = json.loads(commands.python(prod, args, name="import_bench", capture=True))
                    except (BenchError, ValueError) as exc:
                        problems.append(f"import timing failed: {str(exc).splitlines()[0]}")
        result["smtp_messages_accepted"] = smtp.accepted


def _terminate(signum, frame):  # SIGTERM as Ctrl-C: the with-blocks stop the server and remove the cluster
    raise KeyboardInterrupt


def main() -> int:
    signal.signal(signal.SIGTERM, _terminate)
    try:
        config = Config.from_env()
        return run(config)
    except (BenchError, ServerError, postgres.DatabaseError) as exc:
        print(f"\nbench: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nbench: interrupted; server stopped and throw-away database removed.", file=sys.stderr)
        return 130
