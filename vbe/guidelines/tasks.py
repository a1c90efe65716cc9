"""The reporting calendar's periodic job on the worker (``vbe.jobs.schedule``): the coordinators'
reminders before each deadline, once a day. ``manage.py send_reminders`` runs the same by hand."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from vbe.guidelines.calendar import send_reminders


@task()
def send_deadline_reminders() -> dict[str, int]:
    # Idempotent per (duty, organisation, year, days before): a second run the same day sends nothing.
    return {"sent": send_reminders(today=timezone.localdate(), days_before=settings.REMINDER_DAYS_BEFORE)}
