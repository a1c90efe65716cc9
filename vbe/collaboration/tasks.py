"""The democracy condition's background job: once a day (registered in ``CollaborationConfig.ready``),
the renewal reminders."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from vbe.collaboration import renewal


@task()
def send_renewal_reminders() -> dict[str, int]:
    # Safe to run more than once a day and on several workers: each reminder is recorded on its
    # assessment, under the row's lock, in the transaction that queues its messages.
    result = renewal.run(today=timezone.localdate())
    return {"reminded": result.reminded}
