"""The background jobs of an import (django-tasks): checking a file, and importing it; and, once a
day, deleting the files uploaded and left unimported (``purge_stale_uploads``).

Each receives its ``Job``'s id first (``vbe.jobs.progress.start``) and the import's id. The work is
in ``vbe.competence.imports``; here an unexpected error ends the job as failed and leaves the import
free to be checked again, with nothing written (the import's writes are one transaction).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from vbe.competence import imports
from vbe.competence.models import CompletionImport, ImportState
from vbe.jobs import progress


def _failed(import_id: int, state: str) -> None:
    CompletionImport.objects.filter(pk=import_id, state=state).update(state=ImportState.FAILED)


@task()
def check_import(job_id: str, import_id: int) -> None:
    try:
        with progress.running(job_id, stage=_("Kontrollerar raderna")):
            imports.run_check(job_id, import_id)
    except Exception:
        _failed(import_id, ImportState.CHECKING)
        raise


@task()
def import_file(job_id: str, import_id: int) -> None:
    try:
        with progress.running(job_id, stage=_("Importerar")):
            imports.run_import(job_id, import_id)
    except Exception:
        _failed(import_id, ImportState.IMPORTING)
        raise


@task()
def purge_stale_uploads() -> dict[str, int]:
    # Periodic (registered in CompetenceConfig.ready): safe to run twice or on two workers at once,
    # each import's file is removed under the import's lock, once.
    return {"removed": imports.remove_stale_files(now=timezone.now())}
