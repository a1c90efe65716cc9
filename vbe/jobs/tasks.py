"""The job system's own housekeeping: finished work does not pile up in the queue's table."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from vbe.jobs.models import Job

# The queue's record of a finished task is only for the operator's debugging; a Job is what its owner
# reads (an import's outcome stays on the import itself), kept a while longer for the progress link.
KEEP_TASK_RESULTS = datetime.timedelta(days=30)
KEEP_JOBS = datetime.timedelta(days=90)


@task()
def prune_finished() -> dict[str, int]:
    now = timezone.now()
    tasks, _ = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED], finished_at__lt=now - KEEP_TASK_RESULTS
    ).delete()
    jobs, _ = Job.objects.filter(finished_at__lt=now - KEEP_JOBS).delete()
    return {"task_results": tasks, "jobs": jobs}
