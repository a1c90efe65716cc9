"""Imports at the same moment (PostgreSQL: real row locks and unique indexes): an import asked for
twice runs once, two uploads of the same file imported at once leave each completion once, and two
headcount imports for the same organisation and year at once both succeed, the last one's figures
standing."""

from __future__ import annotations

from collections.abc import Callable
from threading import Barrier, Thread

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from vbe.accounts.models import User
from vbe.competence import import_writes, imports
from vbe.competence.models import Completion, CompletionImport, Headcount, ImportKind, ImportState, Learner, Placement
from vbe.competence.tests.imports_fixtures import (  # noqa: F401  (fixtures)
    checked,
    csv_file,
    run_jobs,
    upload,
    upload_dir_fixture,
    world_fixture,
)
from vbe.jobs.models import Job
from vbe.organisations.models import Unit, UnitKind

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs row locks (PostgreSQL)"),
]

ROWS = 300  # new people, each with a unit and a staff group: the imports add them too
TEXT = "E-post;Kurs;Datum;Verksamhet;Personalgrupp\n" + "".join(
    f"p{i}@example.invalid;TEST-GRUND;2025-01-{i % 28 + 1:02d};Biblioteket;Bibliotek (test)\n" for i in range(ROWS)
)


def _at_once(calls: list[Callable[[], object]]) -> list[str]:
    """Runs the calls in threads released together; returns the refusals' messages."""
    barrier, refused, errors = Barrier(len(calls)), [], []

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            call()
        except ValidationError as exc:
            refused.extend(exc.messages)
        except Exception as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return refused


def test_an_import_asked_for_twice_at_once_runs_once(cast, world):
    coordinator = cast["coordinator"]
    imp = checked(coordinator, upload(coordinator, world["jarva"], csv_file(TEXT)))
    assert imp.state == ImportState.READY

    def ask() -> object:
        return imports.request_import(
            actor=User.objects.get(pk=coordinator.pk), import_id=imp.pk, lock_version=imp.lock_version
        )

    refused = _at_once([ask, ask])
    assert len(refused) == 1
    assert Job.objects.filter(kind="training_import").count() == 1
    run_jobs()
    imp.refresh_from_db()
    assert (imp.state, imp.created_count) == (ImportState.DONE, ROWS)
    assert Completion.objects.count() == ROWS


def test_the_import_job_run_twice_at_once_writes_once(cast, world):
    coordinator = cast["coordinator"]
    imp = checked(coordinator, upload(coordinator, world["jarva"], csv_file(TEXT)))
    job = imports.request_import(actor=coordinator, import_id=imp.pk, lock_version=imp.lock_version)
    _at_once([lambda: imports.run_import(str(job.pk), imp.pk)] * 2)
    imp.refresh_from_db()
    assert (imp.state, imp.created_count, imp.existing_count) == (ImportState.DONE, ROWS, 0)
    assert Completion.objects.count() == ROWS


def test_two_uploads_of_the_same_file_imported_at_once_leave_each_completion_once(cast, world):
    coordinator = cast["coordinator"]
    first = checked(coordinator, upload(coordinator, world["jarva"], csv_file(TEXT)))
    second = checked(coordinator, upload(coordinator, world["jarva"], csv_file(TEXT)))
    jobs = [
        imports.request_import(actor=coordinator, import_id=imp.pk, lock_version=imp.lock_version)
        for imp in (first, second)
    ]
    _at_once(
        [
            lambda job=job, imp=imp: imports.run_import(str(job.pk), imp.pk)
            for job, imp in zip(jobs, (first, second), strict=True)
        ]
    )
    done = list(CompletionImport.objects.filter(pk__in=[first.pk, second.pk]))
    assert {imp.state for imp in done} == {ImportState.DONE}
    assert sorted(imp.created_count for imp in done) == [0, ROWS]
    assert sorted(imp.existing_count for imp in done) == [0, ROWS]
    assert Completion.objects.count() == ROWS
    assert Learner.objects.count() == ROWS and Placement.objects.count() == ROWS


def _headcount_file(counts: dict[str, int], group: str) -> str:
    return "Verksamhet;Personalgrupp;Antal\n" + "".join(f"{unit};{group};{n}\n" for unit, n in counts.items())


def test_two_headcount_imports_for_the_same_year_at_once_both_succeed_and_the_last_stands(cast, world, monkeypatch):
    """Before the merge the second failed on the unique (unit, staff group, year)."""
    coordinator, jarva = cast["coordinator"], world["jarva"]
    units = [f"Enhet {i:02d}" for i in range(40)]
    Unit.objects.bulk_create([Unit(organisation=jarva, name=name, kind=UnitKind.LIBRARY) for name in units])
    # Ten cells there before, with another count; thirty new to both files.
    Headcount.objects.bulk_create(
        [
            Headcount(unit=Unit.objects.get(name=name), staff_group=world["libraries"], year=2026, count=1)
            for name in units[:10]
        ]
    )
    figures = {"first": {name: 100 + i for i, name in enumerate(units)}, "second": dict.fromkeys(units, 7)}
    made = {
        key: checked(
            coordinator,
            upload(
                coordinator,
                jarva,
                csv_file(_headcount_file(counts, "Bibliotek (test)")),
                kind=ImportKind.HEADCOUNTS,
                year=2026,
            ),
        )
        for key, counts in figures.items()
    }
    assert {imp.state for imp in made.values()} == {ImportState.READY}
    jobs = {
        key: imports.request_import(actor=coordinator, import_id=imp.pk, lock_version=imp.lock_version)
        for key, imp in made.items()
    }
    # Reading the file takes longer than writing it: without this the two writes seldom overlap. Each
    # waits here in its transaction, its import locked and nothing written, until the other is there too.
    meet, write = Barrier(2), import_writes._write_headcounts

    def together(*args: object) -> tuple[int, int]:
        meet.wait(timeout=30)
        return write(*args)

    monkeypatch.setattr(import_writes, "_write_headcounts", together)
    _at_once([lambda key=key: imports.run_import(str(jobs[key].pk), made[key].pk) for key in made])

    done = {key: CompletionImport.objects.get(pk=imp.pk) for key, imp in made.items()}
    assert {imp.state for imp in done.values()} == {ImportState.DONE}
    # Thirty cells were new: one import inserted them, the other found them there.
    assert sorted(imp.created_count for imp in done.values()) == [0, 30]
    assert sorted(imp.existing_count for imp in done.values()) == [10, 40]
    # The import that committed last (it finished its write after the other's) has its figures.
    last = max(done, key=lambda key: done[key].finished_at)
    counts = {
        h.unit.name: h.count for h in Headcount.objects.filter(year=2026, unit__name__in=units).select_related("unit")
    }
    assert counts == figures[last]
    assert Headcount.objects.filter(year=2026).count() == 40
    # A count changed is a new version (a headcount page shown before cannot save over it): the ten cells
    # there before were changed by both imports, the thirty new ones by the import that did not add them.
    versions = {h.unit.name: h.lock_version for h in Headcount.objects.filter(year=2026).select_related("unit")}
    assert versions == {name: 2 if name in units[:10] else 1 for name in units}


def test_two_organisations_adding_the_same_new_people_at_once_one_adds_and_the_other_is_refused(cast, world):
    """Both files were checked before either person existed. The import that adds them wins; the other,
    finding them added by someone else and placed in another organisation's unit, writes nothing into
    their records and is rejected."""
    from vbe.organisations.models import Organisation

    sodermalm = Organisation.objects.get(slug="sodermalm")
    Unit.objects.create(organisation=sodermalm, name="Södergården", kind=UnitKind.YOUTH_CENTRE)
    jarva_import = checked(cast["coordinator"], upload(cast["coordinator"], world["jarva"], csv_file(TEXT)))
    other_text = TEXT.replace("Biblioteket", "Södergården")
    other_import = checked(
        cast["coordinator_other"], upload(cast["coordinator_other"], sodermalm, csv_file(other_text))
    )
    assert {jarva_import.state, other_import.state} == {ImportState.READY}
    jobs = [
        imports.request_import(actor=cast[who], import_id=imp.pk, lock_version=imp.lock_version)
        for who, imp in (("coordinator", jarva_import), ("coordinator_other", other_import))
    ]
    _at_once(
        [
            lambda job=job, imp=imp: imports.run_import(str(job.pk), imp.pk)
            for job, imp in zip(jobs, (jarva_import, other_import), strict=True)
        ]
    )
    done = {imp.pk: imp for imp in CompletionImport.objects.filter(pk__in=[jarva_import.pk, other_import.pk])}
    states = sorted(imp.state for imp in done.values())
    assert states == sorted([ImportState.DONE, ImportState.REJECTED])
    winner = next(imp for imp in done.values() if imp.state == ImportState.DONE)
    loser = next(imp for imp in done.values() if imp.state == ImportState.REJECTED)
    assert winner.created_count == ROWS and not Completion.objects.filter(batch=loser).exists()
    assert loser.error_count == ROWS and {e["message"] for e in loser.errors} == {
        "Personen kan inte läggas till här: e-postadressen eller anställningsnumret finns redan i registret, utanför era verksamheter. Ett byte av arbetsplats mellan organisationer går inte att göra med en import."
    }
    # Every person once, placed in the winner's organisation only.
    assert Learner.objects.count() == ROWS and Placement.objects.count() == ROWS
    assert set(Placement.objects.values_list("unit__organisation_id", flat=True)) == {winner.organisation_id}
