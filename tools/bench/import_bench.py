"""Times the import of completions: a synthetic export of ROWS rows (100,000 by default) checked and
imported through the real services and job queue (``run_jobs --batch``), then the same file uploaded
and imported again, which must create nothing. The goal (issue 11): check + import ≤ 15 s.

    make bench-import                      SQLite, a fresh database under var/bench/import/
    DATABASE_URL=postgres://…/vbe_bench_import make bench-import
                                           PostgreSQL: that database dropped and created afresh
                                           (its name must contain "bench")
    python -m tools.bench.import_bench --existing --json
                                           the configured database as it is (``make bench`` runs it
                                           at the end, with production settings), figures as JSON

The file: ROWS / 5 synthetic people (example.invalid addresses, employee numbers B000001 …), five
courses each, in two units and two staff groups; nobody exists beforehand, so the rows also add the
people and their placements. Nothing here is a real person.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from tools.bench import standalone

ROOT = Path(__file__).resolve().parents[2]
GOAL_S = 15.0
PER_PERSON = 5
ORGANISATION = "jarva"


def say(quiet: bool, message: str) -> None:
    standalone.say("import", quiet, message)


def _world():
    """Two units, two staff groups and five courses, made if missing; a coordinator to act."""
    from vbe.accounts.models import Membership, Role, User
    from vbe.competence.models import Course, CourseFormat, Level, StaffGroup
    from vbe.organisations.models import Organisation, Unit, UnitKind

    organisation = Organisation.objects.get(slug=ORGANISATION)
    units = [
        Unit.objects.get_or_create(organisation=organisation, name=name, defaults={"kind": kind})[0]
        for name, kind in (("Bänkfritidsgården", UnitKind.YOUTH_CENTRE), ("Bänkbiblioteket", UnitKind.LIBRARY))
    ]
    groups = [
        StaffGroup.objects.get_or_create(slug=slug, defaults={"name": name, "position": 90})[0]
        for slug, name in (("bank-fritid", "Fritid (bänk)"), ("bank-bibliotek", "Bibliotek (bänk)"))
    ]
    courses = [
        Course.objects.get_or_create(
            code=f"BANK-{n}",
            defaults={
                "title": f"Bänkkurs {n}",
                "provider": "Bänken",
                "level": Level.BASIC if n % 2 else Level.ADVANCED,
                "format": CourseFormat.DIGITAL,
            },
        )[0]
        for n in range(1, PER_PERSON + 1)
    ]
    actor = User.objects.filter(email="import-bench@example.invalid").first() or User.objects.create_user(
        email="import-bench@example.invalid", password=None, full_name="Importbänk"
    )
    Membership.objects.get_or_create(user=actor, organisation=organisation, role=Role.COORDINATOR)
    return organisation, units, groups, courses, actor


def synthetic_csv(rows: int, units, groups, courses) -> bytes:
    lines = ["E-post;Anställningsnummer;Namn;Kurs;Datum;Verksamhet;Personalgrupp"]
    for i in range(rows):
        person, course = divmod(i, PER_PERSON)
        unit, group = units[person % 2], groups[person % 2]
        day = f"2025-{person % 12 + 1:02d}-{person % 28 + 1:02d}"
        lines.append(
            f"person{person:06d}@example.invalid;B{person:06d};Person {person};{courses[course].code};{day};"
            f"{unit.name};{group.name}"
        )
    return ("\n".join(lines) + "\n").encode()


def _timed(step) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def measure(rows: int, quiet: bool = False) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection

    from vbe.competence import imports
    from vbe.competence.models import CompletionImport, ImportKind, ImportState
    from vbe.jobs.models import Job

    organisation, units, groups, courses, actor = _world()
    data = synthetic_csv(rows, units, groups, courses)
    say(quiet, f"{rows:,} rows, {len(data) / 1e6:.1f} MB, {connection.vendor}")

    def run_queue() -> None:
        call_command("run_jobs", batch=True, verbosity=0)

    def one_round(label: str) -> dict:
        imp = imports.upload(
            actor=actor,
            organisation=organisation,
            kind=ImportKind.COMPLETIONS,
            year=None,
            file=SimpleUploadedFile(f"{label}.csv", data),
        )

        def check() -> None:
            imports.save_mapping(actor=actor, import_id=imp.pk, lock_version=imp.lock_version, mapping=imp.mapping)
            run_queue()

        check_s = _timed(check)
        imp.refresh_from_db()
        if imp.state != ImportState.READY:
            raise SystemExit(f"the check did not pass: {imp.state} {imp.errors[:3]}")
        check_job = Job.objects.get(pk=imp.job_id)

        def write() -> None:
            imports.request_import(actor=actor, import_id=imp.pk, lock_version=imp.lock_version)
            run_queue()

        import_s = _timed(write)
        imp = CompletionImport.objects.get(pk=imp.pk)
        if imp.state != ImportState.DONE:
            raise SystemExit(f"the import did not finish: {imp.state}")
        figures = {
            "check_s": round(check_s, 2),
            "import_s": round(import_s, 2),
            "total_s": round(check_s + import_s, 2),
            "rows": imp.rows,
            "created": imp.created_count,
            "existing": imp.existing_count,
            "progress_reported": f"{check_job.done} of {check_job.total}",
        }
        say(quiet, f"{label}: {json.dumps(figures)}")
        return figures

    first = one_round("first")
    again = one_round("again")
    return {
        "rows": rows,
        "database": connection.vendor,
        "goal_s": GOAL_S,
        "first": first,
        "again": again,
        "within_goal": first["total_s"] <= GOAL_S,
        "again_created_nothing": again["created"] == 0,
    }


def text(result: dict) -> str:
    first, again = result["first"], result["again"]
    return "\n".join(
        [
            f"Import of {result['rows']:,} completion rows ({result['database']}), goal check + import ≤ "
            f"{result['goal_s']:g} s:",
            f"  check {first['check_s']:.2f} s + import {first['import_s']:.2f} s = {first['total_s']:.2f} s "
            f"({'within' if result['within_goal'] else 'OVER'} the goal); {first['created']:,} created, "
            f"progress {first['progress_reported']} rows",
            f"  re-import of the same file: check {again['check_s']:.2f} s + import {again['import_s']:.2f} s = "
            f"{again['total_s']:.2f} s; {again['created']:,} created, {again['existing']:,} already there",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=int(os.environ.get("ROWS", "100000")))
    parser.add_argument("--existing", action="store_true", help="use the configured database as it is")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.rows < PER_PERSON:
        parser.error(f"--rows must be at least {PER_PERSON}")
    sys.path.insert(0, str(ROOT))
    if not args.existing:
        standalone.environment("import")
    standalone.setup("import", standalone=not args.existing, quiet=args.json)
    result = measure(args.rows, quiet=args.json)
    print(json.dumps(result) if args.json else text(result), flush=True)
    if args.json:  # make bench reports the figures, goal met or not
        return 0
    return 0 if result["within_goal"] and result["again_created_nothing"] else 1


if __name__ == "__main__":
    sys.exit(main())
