"""Imports at the same moment (PostgreSQL: real row locks and unique indexes): an import asked for
twice runs once, and two uploads of the same file imported at once leave each completion once."""

from __future__ import annotations

from collections.abc import Callable
from threading import Barrier, Thread

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from vbe.accounts.models import User
from vbe.competence import imports
from vbe.competence.models import Completion, CompletionImport, ImportState, Learner, Placement
from vbe.competence.tests.imports_fixtures import (  # noqa: F401  (fixtures)
    checked,
    csv_file,
    run_jobs,
    upload,
    upload_dir_fixture,
    world_fixture,
)
from vbe.jobs.models import Job

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
