"""The support resources' background jobs (django-tasks): reading an attachment's text for the search,
and, once a day (registered in ``KnowledgeConfig.ready``), the review reminders."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from vbe.knowledge import extraction, review_reminders


@task()
def extract_attachment_text(attachment_id: int) -> str:
    # A file that cannot be read ends as "failed" on the attachment, not as a failed task.
    return extraction.run(attachment_id)


@task()
def send_review_reminders() -> dict[str, int]:
    # Safe to run more than once a day and on several workers: each reminder is recorded once (unique
    # constraint), in the transaction that queues its message.
    result = review_reminders.run(today=timezone.localdate())
    return {"before": result.before, "overdue": result.overdue}
