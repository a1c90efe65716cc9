"""The benchmark's PostgreSQL database: always a throw-away one.

1. ``DATABASE_URL`` set: that server, and that database dropped and created afresh. Its name must
   contain "bench", so a forgotten variable can never empty a database that matters.
2. Otherwise a server answering at 127.0.0.1:5432: a database ``vbe_bench`` there, dropped and created.
3. Otherwise a cluster of its own (initdb/pg_ctl from /usr/lib/postgresql/*/bin, owned by the postgres
   user when run as root, as .ci/run does), on a free port, removed at the end.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

import psycopg
from psycopg import sql

DEFAULT_NAME = "vbe_bench"
LOCAL = "postgres://postgres@127.0.0.1:5432"


class DatabaseError(RuntimeError):
    pass


@dataclass
class Database:
    url: str
    name: str
    origin: str  # "DATABASE_URL", "local server" or "throw-away cluster"
    server_version: str = ""


def database_name(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise DatabaseError(f"DATABASE_URL must be a PostgreSQL address (postgres://…), not {parts.scheme or url!r}.")
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise DatabaseError("DATABASE_URL names no database.")
    return name


def check_disposable(name: str) -> None:
    if "bench" not in name:
        raise DatabaseError(
            f"The benchmark drops and re-creates its database; {name!r} has no 'bench' in its name, so it is "
            "not taken for a throw-away one. Name it e.g. vbe_bench, or unset DATABASE_URL."
        )


def _maintenance_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))


def answers(url: str, timeout: int = 3) -> bool:
    try:
        with psycopg.connect(_maintenance_url(url), connect_timeout=timeout):
            return True
    except psycopg.Error:
        return False


def recreate(url: str, name: str) -> str:
    """Drops (closing its connections) and creates ``name``; returns the server's version."""
    try:
        with psycopg.connect(_maintenance_url(url), autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return str(conn.execute("SHOW server_version").fetchone()[0])
    except psycopg.Error as exc:
        raise DatabaseError(f"Could not re-create the database {name!r}: {exc}") from exc


def drop(url: str, name: str) -> None:
    with psycopg.connect(_maintenance_url(url), autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _postgres_bin() -> str:
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: [int(x) for x in p.split("/")[4].split(".") if x.isdigit()],
    )
    if not candidates or not os.path.exists(os.path.join(candidates[-1], "initdb")):
        raise DatabaseError(
            "No PostgreSQL answers at 127.0.0.1:5432 and no initdb under /usr/lib/postgresql/*/bin to start one. "
            "Install PostgreSQL (apt-get install postgresql) or set DATABASE_URL."
        )
    return candidates[-1]


@contextmanager
def throwaway_cluster(port: int, log) -> Iterator[str]:
    """A cluster in a temporary directory; stopped and removed on exit, whatever happened."""
    bindir = _postgres_bin()
    root = tempfile.mkdtemp(prefix="vbe-bench-pg-")
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: the cluster belongs to the postgres user
        shutil.chown(root, user="postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    data = os.path.join(root, "data")
    started = False
    try:
        log(f"Starting a throw-away PostgreSQL cluster ({bindir}) on port {port}")
        initdb = [*as_postgres, f"{bindir}/initdb", "-D", data, "-A", "trust", "-U", "postgres"]
        subprocess.run(initdb, check=True, capture_output=True)  # noqa: S603 - fixed arguments
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1"
        subprocess.run(  # noqa: S603 - fixed arguments
            [
                *as_postgres,
                f"{bindir}/pg_ctl",
                "-D",
                data,
                "-o",
                options,
                "-l",
                os.path.join(root, "log"),
                "-w",
                "start",
            ],
            check=True,
            capture_output=True,
        )
        started = True
        yield f"postgres://postgres@127.0.0.1:{port}"
    except subprocess.CalledProcessError as exc:
        raise DatabaseError(
            f"The throw-away cluster did not start: {exc.stderr.decode(errors='replace')[-2000:]}"
        ) from exc
    finally:
        if started:
            stop = [*as_postgres, f"{bindir}/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"]
            subprocess.run(stop, capture_output=True)  # noqa: S603 - fixed arguments
        shutil.rmtree(root, ignore_errors=True)
        log("Throw-away cluster stopped and removed")


@contextmanager
def provide(*, keep: bool, port_for_cluster, log) -> Iterator[Database]:
    """The database for this run, as described in the module's docstring; dropped afterwards unless ``keep``."""
    given = os.environ.get("DATABASE_URL", "").strip()
    if given:
        name = database_name(given)
        check_disposable(name)
        if not answers(given):
            raise DatabaseError(
                f"DATABASE_URL: no PostgreSQL answers at {urlsplit(given).hostname}:{urlsplit(given).port or 5432}."
            )
        yield from _fresh(given, name, "DATABASE_URL", keep, log)
        return
    local = f"{LOCAL}/{DEFAULT_NAME}"
    if answers(local):
        yield from _fresh(local, DEFAULT_NAME, "local server", keep, log)
        return
    with throwaway_cluster(port_for_cluster(), log) as server:
        yield from _fresh(f"{server}/{DEFAULT_NAME}", DEFAULT_NAME, "throw-away cluster", True, log)


def _fresh(url: str, name: str, origin: str, keep: bool, log) -> Iterator[Database]:
    log(f"Database: {name} ({origin}), dropped and created afresh")
    version = recreate(url, name)
    try:
        yield Database(url=url, name=name, origin=origin, server_version=version)
    finally:
        if keep:
            log(f"Database {name} kept (KEEP_DB): {url}")
        else:
            try:
                drop(url, name)
                log(f"Database {name} dropped")
            except psycopg.Error as exc:
                log(f"Could not drop {name}: {exc}")
