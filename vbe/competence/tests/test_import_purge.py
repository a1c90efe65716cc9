"""Uploaded files left unimported are deleted 7 days after their upload (they hold names and e-mail
addresses): the import stays, says so, and can be neither checked nor imported. Dates are explicit:
``remove_stale_files(now=…)`` is given the moment it runs at."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from vbe.audit.models import AccessLogEntry
from vbe.competence import imports
from vbe.competence.import_jobs import purge_stale_uploads
from vbe.competence.models import CompletionImport, ImportState
from vbe.competence.tests.imports_fixtures import (  # noqa: F401  (fixtures)
    checked,
    csv_file,
    imported,
    upload,
    upload_dir_fixture,
    world_fixture,
)
from vbe.jobs import schedule
from vbe.jobs.models import Job

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
HEADER = "E-post;Kurs;Datum;Verksamhet;Personalgrupp\n"
GOOD = HEADER + "anna.a@example.invalid;TEST-GRUND;2025-03-14;Biblioteket;Bibliotek (test)\n"
BAD = HEADER + "anna.a@example.invalid;OKÄND-KURS;2025-03-14;Biblioteket;Bibliotek (test)\n"


def _uploaded_at(imp: CompletionImport, when: datetime.datetime) -> CompletionImport:
    CompletionImport.objects.filter(pk=imp.pk).update(created_at=when)
    imp.refresh_from_db()
    return imp


def _stored(imp: CompletionImport) -> bool:
    return imports.default_storage.exists(imp.file)


def test_files_left_unimported_for_more_than_7_days_are_removed_and_the_imports_kept(
    cast, world, django_capture_on_commit_callbacks
):
    coordinator, jarva = cast["coordinator"], world["jarva"]
    # Made first, dated after: the job queue run by ``checked`` runs the daily purge too, at today's date.
    uploaded = upload(coordinator, jarva, csv_file(GOOD))
    ready = checked(coordinator, upload(coordinator, jarva, csv_file(GOOD)))
    rejected = checked(coordinator, upload(coordinator, jarva, csv_file(BAD)))
    on_the_day = upload(coordinator, jarva, csv_file(GOOD))
    recent = upload(coordinator, jarva, csv_file(GOOD))
    for imp in (uploaded, ready, rejected):
        _uploaded_at(imp, NOW - datetime.timedelta(days=8))
    # Exactly 7 days old is not older than 7 days; 6 days 23 hours neither.
    _uploaded_at(on_the_day, NOW - datetime.timedelta(days=7))
    _uploaded_at(recent, NOW - datetime.timedelta(days=6, hours=23))
    assert (ready.state, rejected.state, len(rejected.errors)) == (ImportState.READY, ImportState.REJECTED, 1)
    stale = [uploaded, ready, rejected]
    stale_keys = [imp.file for imp in stale]
    assert all(_stored(imp) for imp in [*stale, on_the_day, recent])

    with django_capture_on_commit_callbacks(execute=True):
        assert imports.remove_stale_files(now=NOW) == 3

    assert CompletionImport.objects.count() == 5  # the imports stay
    for imp, key in zip(stale, stale_keys, strict=True):
        before = imp.lock_version
        imp.refresh_from_db()
        assert imp.file == "" and imports.file_removed(imp) and not imports.default_storage.exists(key)
        assert imp.lock_version == before + 1  # a page shown before cannot act on it
    assert (ready.state, ready.rows) == (ImportState.READY, 1)
    # The kept row errors could quote the file's values: they go with it; how many there were stays.
    assert (rejected.state, rejected.errors, rejected.error_count) == (ImportState.REJECTED, [], 1)
    for imp in (on_the_day, recent):
        imp.refresh_from_db()
        assert imp.file and _stored(imp)
    logged = AccessLogEntry.objects.filter(action="training_import_file_removed")
    assert sorted(int(entry.object_id) for entry in logged) == sorted(imp.pk for imp in stale)
    assert {entry.actor_id for entry in logged} == {None}

    # Run again at once (a second worker): nothing more to remove; an hour on, the one on the day goes.
    with django_capture_on_commit_callbacks(execute=True):
        assert imports.remove_stale_files(now=NOW) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert imports.remove_stale_files(now=NOW + datetime.timedelta(hours=1)) == 1
    on_the_day.refresh_from_db()
    recent.refresh_from_db()
    assert on_the_day.file == "" and recent.file != ""


def test_an_imported_file_and_one_being_checked_are_left(cast, world, django_capture_on_commit_callbacks):
    coordinator, jarva = cast["coordinator"], world["jarva"]
    long_ago = NOW - datetime.timedelta(days=30)
    done = _uploaded_at(
        imported(coordinator, checked(coordinator, upload(coordinator, jarva, csv_file(GOOD)))), long_ago
    )
    assert done.state == ImportState.DONE
    checking = upload(coordinator, jarva, csv_file(GOOD))
    imports.save_mapping(
        actor=coordinator, import_id=checking.pk, lock_version=checking.lock_version, mapping=checking.mapping
    )
    checking = _uploaded_at(checking, long_ago)
    assert checking.state == ImportState.CHECKING and checking.job is not None  # its job queued, not run

    with django_capture_on_commit_callbacks(execute=True):
        assert imports.remove_stale_files(now=NOW) == 0
    done.refresh_from_db()
    checking.refresh_from_db()
    assert done.file and checking.file and _stored(checking)

    # A job that died leaves the import free: its file goes at the next run.
    Job.objects.filter(pk=checking.job_id).update(finished_at=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        assert imports.remove_stale_files(now=NOW) == 1
    checking.refresh_from_db()
    assert checking.file == "" and done.file != ""


def test_an_import_without_its_file_can_be_neither_checked_nor_imported(cast, world):
    coordinator = cast["coordinator"]
    ready = _uploaded_at(
        checked(coordinator, upload(coordinator, world["jarva"], csv_file(GOOD))), NOW - datetime.timedelta(days=8)
    )
    imports.remove_stale_files(now=NOW)
    ready.refresh_from_db()
    jobs_before = Job.objects.count()

    with pytest.raises(ValidationError) as refused:
        imports.request_import(actor=coordinator, import_id=ready.pk, lock_version=ready.lock_version)
    assert refused.value.messages == [imports.FILE_REMOVED]
    with pytest.raises(ValidationError) as refused:
        imports.save_mapping(
            actor=coordinator, import_id=ready.pk, lock_version=ready.lock_version, mapping=ready.mapping
        )
    assert refused.value.messages == [imports.FILE_REMOVED]
    ready.refresh_from_db()
    assert ready.state == ImportState.READY and Job.objects.count() == jobs_before


def test_the_pages_say_the_file_was_removed_and_offer_no_way_on(cast, world):
    coordinator = cast["coordinator"]
    ready = _uploaded_at(
        checked(coordinator, upload(coordinator, world["jarva"], csv_file(GOOD))), NOW - datetime.timedelta(days=8)
    )
    imports.remove_stale_files(now=NOW)
    ready.refresh_from_db()
    client = cast.client("coordinator")
    url = f"/utbildning/jarva/import/{ready.pk}/"

    page = client.get(url).content.decode()
    assert "Den uppladdade filen togs bort eftersom den inte importerades inom 7 dagar" in page
    assert "Filen borttagen" in page  # the state tag
    assert ">Importera</button>" not in page and "/kolumner/" not in page
    assert "anna.a@example.invalid" not in page  # no preview of a file that is gone
    assert "Filen borttagen" in client.get("/utbildning/jarva/import/").content.decode()  # the list
    assert client.get(f"{url}kolumner/")["Location"] == url

    response = client.post(url, {"lock_version": ready.lock_version})  # a button kept from before
    assert response.status_code == 400
    assert "Den uppladdade filen är borttagen eftersom den inte importerades inom 7 dagar." in response.content.decode()
    assert not Job.objects.filter(kind="training_import").exists()


def test_the_daily_job_is_registered_and_removes_old_files_on_the_worker(
    cast, world, django_capture_on_commit_callbacks
):
    periodic = schedule.PERIODIC["competence.purge_stale_uploads"]
    assert (periodic.task.module_path, periodic.interval) == (
        "vbe.competence.import_jobs.purge_stale_uploads",
        datetime.timedelta(days=1),
    )
    coordinator = cast["coordinator"]
    old = _uploaded_at(
        upload(coordinator, world["jarva"], csv_file(GOOD)), datetime.datetime(2020, 1, 2, 12, 0, tzinfo=UTC)
    )
    new = upload(coordinator, world["jarva"], csv_file(GOOD))  # uploaded now: kept
    old_key = old.file

    purge_stale_uploads.enqueue()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_jobs", batch=True, verbosity=0)
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.file == "" and not imports.default_storage.exists(old_key)
    assert new.file and _stored(new)
