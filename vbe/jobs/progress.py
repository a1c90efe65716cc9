"""Starting a background job and telling its owner how it goes.

``start`` writes the ``Job`` and puts its task in the queue in the caller's transaction, so there is
never a job without its task nor a task without its job. The task receives the job's id as its first
argument and reports between its steps with ``report``; ``finish`` and ``fail`` end it. Each report
is its own short write: call it outside the transaction of the work itself, or the progress page
would see nothing until the work commits.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models.functions import Coalesce, Now
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks.base import Task

from vbe.jobs.models import Job, JobState

logger = logging.getLogger(__name__)


def start(
    *, kind: str, title: str, owner: AbstractBaseUser, task: Task, args: Sequence[object] = (), stage: str = ""
) -> Job:
    with transaction.atomic():
        job = Job.objects.create(kind=kind, title=title, owner_id=owner.pk, stage=stage or _("Väntar på att starta"))
        result = task.enqueue(str(job.pk), *args)
        job.task_id = str(result.id)
        job.save(update_fields=["task_id"])
    return job


def report(job_id: str, *, stage: str | None = None, done: int | None = None, total: int | None = None) -> None:
    """Where the job stands now. ``total`` None keeps the total already known."""
    changes: dict[str, object] = {
        "state": JobState.RUNNING,
        "updated_at": timezone.now(),
        "started_at": Coalesce("started_at", Now()),
    }
    if stage is not None:
        changes["stage"] = stage[:120]
    if done is not None:
        changes["done"] = done
    if total is not None:
        changes["total"] = total
    Job.objects.filter(pk=job_id).update(**changes)


def finish(job_id: str, *, message: str, result_url: str = "") -> None:
    now = timezone.now()
    Job.objects.filter(pk=job_id).update(
        state=JobState.DONE,
        stage=_("Klart"),
        message=message,
        result_url=result_url,
        finished_at=now,
        updated_at=now,
        started_at=Coalesce("started_at", Now()),
    )


def fail(job_id: str, *, message: str) -> None:
    now = timezone.now()
    Job.objects.filter(pk=job_id).update(state=JobState.FAILED, message=message, finished_at=now, updated_at=now)


@contextmanager
def running(job_id: str, *, stage: str) -> Iterator[None]:
    """Around a job's work: an error nobody expected ends the job as failed, with a message for its
    owner that promises nothing about what the work did (the work's own transaction decides that),
    and goes on to the queue, which records the task as failed."""
    report(job_id, stage=stage)
    try:
        yield
    except Exception:
        logger.exception("Bakgrundsjobb %s avbröts av ett fel.", job_id)
        fail(
            job_id,
            message=_(
                "Jobbet avbröts av ett oväntat fel, som har loggats. Försök igen; kvarstår felet, "
                "kontakta portalens förvaltning."
            ),
        )
        raise
