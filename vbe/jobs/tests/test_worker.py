"""The worker (``manage.py run_jobs``): a batch runs the periodic jobs that are due, and the
scheduler thread outlives a round that fails."""

from __future__ import annotations

import datetime
import logging
import threading
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from vbe.competence.models import TrainingReminderSent
from vbe.competence.tests.test_reminders import build_world
from vbe.guidelines.models import ReminderSent
from vbe.jobs import schedule
from vbe.jobs.management.commands import run_jobs
from vbe.notifications import outbox
from vbe.notifications.models import Notification
from vbe.notifications.tasks import retry_notifications

DAY = datetime.date(2026, 3, 1)  # 30 days before the situation pictures and plans due 31 March
FAILING = "vbe.notifications.tests.backends.FailingBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def frozen_day(monkeypatch):
    """The daily jobs ask for today's date; the worker's own clock (when a job is due) stays real."""
    monkeypatch.setattr("vbe.guidelines.tasks.timezone", SimpleNamespace(localdate=lambda: DAY))
    monkeypatch.setattr("vbe.competence.tasks.timezone", SimpleNamespace(localdate=lambda: DAY))


def test_a_batch_runs_every_periodic_job_once(cast, settings, frozen_day, django_capture_on_commit_callbacks):
    settings.REMINDER_DAYS_BEFORE = [30]
    settings.VBE_TRAINING_EXPIRY_NOTICE_DAYS = 60
    build_world(cast)
    # A message the mail server refused three days ago: due for its second attempt.
    settings.EMAIL_BACKEND = FAILING
    with django_capture_on_commit_callbacks(execute=True):
        failed = outbox.queue(recipients=[cast["auditor"]], kind="test", reference="T-1", subject="Ämne", body="Text")[
            0
        ]
    Notification.objects.filter(pk=failed.pk).update(last_attempt_at=timezone.now() - datetime.timedelta(days=3))
    settings.EMAIL_BACKEND = LOCMEM

    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_jobs", batch=True, verbosity=0)

    failed.refresh_from_db()
    assert failed.sent_at is not None and failed.attempts == 2
    assert ReminderSent.objects.count() == 2  # the deadline reminders of 1 March (guidelines' own test)
    assert {r.learner.name for r in TrainingReminderSent.objects.select_related("learner")} == {
        "Anna Andersson",
        "Bo Berg",
        "Dan Dahl",
    }
    to = sorted(m.to[0] for m in mail.outbox)
    assert to.count("auditor@test.example") == 1
    assert {"anna@staff.example", "dan@staff.example", "staff@test.example"} <= set(to)
    results = DBTaskResult.objects.all()
    assert sorted(r.task_path for r in results) == sorted(p.task.module_path for p in schedule.PERIODIC.values())
    assert {
        "vbe.notifications.tasks.retry_notifications",
        "vbe.guidelines.tasks.send_deadline_reminders",
        "vbe.competence.tasks.send_training_reminders",
    } <= {r.task_path for r in results}
    assert {r.status for r in results} == {"SUCCESSFUL"}

    # Straight after: nothing is due, nothing is queued or sent again.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_jobs", batch=True, verbosity=0)
    assert DBTaskResult.objects.count() == len(schedule.PERIODIC) and not mail.outbox


def test_the_retry_job_logs_an_error_for_a_message_it_gives_up(cast, settings, caplog):
    settings.EMAIL_BACKEND = FAILING
    notification = outbox.queue(recipients=[cast["auditor"]], kind="test", reference="T-2", subject="Ä", body="T")[0]
    Notification.objects.filter(pk=notification.pk).update(
        attempts=outbox.MAX_ATTEMPTS - 1, last_attempt_at=timezone.now() - datetime.timedelta(days=3)
    )
    with caplog.at_level(logging.ERROR, logger="vbe.notifications.tasks"):
        assert retry_notifications.call() == {"sent": 0, "failed": 0, "gave_up": 1}
    errors = [r.getMessage() for r in caplog.records if r.name == "vbe.notifications.tasks"]
    assert len(errors) == 1 and str(notification.pk) in errors[0] and "gav upp" in errors[0]


def test_the_retry_job_is_silent_when_all_goes_well(cast, caplog):
    with caplog.at_level(logging.ERROR, logger="vbe.notifications.tasks"):
        assert retry_notifications.call() == {"sent": 0, "failed": 0, "gave_up": 0}
    assert not caplog.records


def test_the_scheduler_thread_survives_a_failing_round(monkeypatch, caplog):
    rounds, stop = [], threading.Event()

    def flaky(now=None):
        rounds.append(now)
        if len(rounds) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        stop.set()  # the second round went well: enough
        return []

    monkeypatch.setattr(run_jobs, "enqueue_due", flaky)
    monkeypatch.setattr(run_jobs, "SCHEDULE_EVERY_SECONDS", 0.01)
    with caplog.at_level(logging.ERROR, logger=run_jobs.__name__):
        thread = threading.Thread(target=run_jobs.Command._schedule, args=(stop,))
        thread.start()
        thread.join(timeout=10)
    assert not thread.is_alive() and len(rounds) == 2
    assert [r.getMessage() for r in caplog.records] == ["De återkommande jobben kunde inte läggas i kön."]
