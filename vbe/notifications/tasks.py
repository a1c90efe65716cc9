"""The outbox's periodic job on the worker (``vbe.jobs.schedule``): send again what failed.

``manage.py retry_notifications`` runs the same ``retry_pending`` by hand."""

from __future__ import annotations

import logging

from django_tasks import task

from vbe.notifications.outbox import MAX_ATTEMPTS, retry_pending

logger = logging.getLogger(__name__)


@task()
def retry_notifications() -> dict[str, int]:
    outcome = retry_pending()
    if outcome.gave_up:
        # What the command's non-zero exit told cron's mail: these are never tried again, so an operator
        # must hear of it (the log's ERROR level is what the operators alert on).
        logger.error(
            "%s meddelanden gav upp efter %s försök och skickas inte igen: %s. Kontrollera e-postinställningarna.",
            len(outcome.gave_up),
            MAX_ATTEMPTS,
            ", ".join(str(pk) for pk in outcome.gave_up),
        )
    return {"sent": len(outcome.sent), "failed": len(outcome.failed), "gave_up": len(outcome.gave_up)}
