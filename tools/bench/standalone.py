"""What a benchmark that runs on its own (``make bench-import``, ``make bench-search``) needs: demo mode
with a var directory of its own and a database made afresh (a PostgreSQL one only if its name says it
is disposable), Django set up, migrated and given the reference data, and progress lines on stderr."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def environment(part: str) -> None:
    """Demo mode with var/bench/<part>/ as its var directory, and a database made afresh."""
    var = ROOT / "var" / "bench" / part
    os.environ.setdefault("VBE_ENV", "demo")
    os.environ.setdefault("VBE_VAR_DIR", str(var))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    url = os.environ.get("DATABASE_URL", "")
    if url:
        from tools.bench import postgres

        name = postgres.database_name(url)
        postgres.check_disposable(name)
        postgres.recreate(url, name)
    else:
        shutil.rmtree(var / "db", ignore_errors=True)
        (var / "db").mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{var / 'db' / f'{part}.sqlite3'}"


def say(part: str, quiet: bool, message: str) -> None:
    if not quiet:
        print(f"[{part}-bench] {message}", file=sys.stderr, flush=True)


def setup(part: str, *, standalone: bool, quiet: bool) -> None:
    """Django set up; a standalone run also migrates and loads the reference data."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    if standalone:
        from django.core.management import call_command

        say(part, quiet, "migrate and load_reference_data …")
        call_command("migrate", verbosity=0)
        call_command("load_reference_data", verbosity=0)
