"""The training part's periodic job on the worker (``vbe.jobs.schedule``, registered in
``CompetenceConfig.ready``): reminders to staff and the coordinators' monthly summary, once a day."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from vbe.competence.reminders import run


@task()
def send_training_reminders() -> dict[str, int]:
    # Safe to run more than once a day and on several workers: each reminder and summary is recorded
    # once (unique constraints), in the transaction that queues its message.
    result = run(today=timezone.localdate())
    return {"reminded": result.reminded, "summaries": result.summaries}
