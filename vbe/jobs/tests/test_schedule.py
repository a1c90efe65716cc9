"""The periodic jobs: registered by their apps, put in the queue once per interval, and once only
when several workers look at the same moment."""

from __future__ import annotations

import datetime
from threading import Barrier, Thread

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from vbe.jobs import schedule
from vbe.jobs.models import PeriodicRun

T0 = datetime.datetime(2026, 3, 2, 6, 0, tzinfo=datetime.UTC)


@task()
def tick() -> None:
    """A periodic job that does nothing (the queue stores its path)."""


@pytest.fixture
def only_tick(monkeypatch):
    monkeypatch.setattr(schedule, "PERIODIC", {})
    schedule.every(datetime.timedelta(minutes=5), tick, name="test.tick")


def _queued(path: str) -> int:
    return DBTaskResult.objects.filter(task_path=path).count()


def test_the_apps_register_their_periodic_jobs():
    registered = {name: (p.task.module_path, p.interval) for name, p in schedule.PERIODIC.items()}
    expected = {  # the reminders' and the outbox's, beside any other part's
        "notifications.retry": ("vbe.notifications.tasks.retry_notifications", datetime.timedelta(minutes=5)),
        "guidelines.deadline_reminders": ("vbe.guidelines.tasks.send_deadline_reminders", datetime.timedelta(days=1)),
        "competence.training_reminders": ("vbe.competence.tasks.send_training_reminders", datetime.timedelta(days=1)),
    }
    assert {name: registered.get(name) for name in expected} == expected


@pytest.mark.django_db
def test_a_job_is_enqueued_once_per_interval(only_tick):
    path = tick.module_path
    assert schedule.enqueue_due(T0) == ["test.tick"]  # due at once the first time a worker sees it
    assert schedule.enqueue_due(T0) == []
    assert schedule.enqueue_due(T0 + datetime.timedelta(minutes=4, seconds=59)) == []
    assert _queued(path) == 1
    assert schedule.enqueue_due(T0 + datetime.timedelta(minutes=5)) == ["test.tick"]
    assert _queued(path) == 2
    run = PeriodicRun.objects.get(name="test.tick")
    assert run.next_run_at == T0 + datetime.timedelta(minutes=10)
    assert run.last_enqueued_at == T0 + datetime.timedelta(minutes=5)


@pytest.mark.django_db
def test_a_worker_that_was_down_catches_up_with_one_run(only_tick):
    schedule.enqueue_due(T0)
    later = T0 + datetime.timedelta(hours=3)  # 36 intervals missed
    assert schedule.enqueue_due(later) == ["test.tick"]
    assert schedule.enqueue_due(later + datetime.timedelta(minutes=1)) == []
    assert _queued(tick.module_path) == 2
    assert PeriodicRun.objects.get(name="test.tick").next_run_at == later + datetime.timedelta(minutes=5)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs row locks (PostgreSQL)")
def test_four_workers_at_the_same_moment_enqueue_each_periodic_job_once():
    """The real registry (every job the apps register), four scheduler threads, one moment, no rows yet:
    the first creates each job's row, and the conditional UPDATE lets one of them claim each run."""
    now = timezone.now()
    barrier, errors, names = Barrier(4), [], []

    def look() -> None:
        try:
            barrier.wait(timeout=10)
            names.extend(schedule.enqueue_due(now))
        except Exception as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [Thread(target=look) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert sorted(names) == sorted(schedule.PERIODIC)
    for periodic in schedule.PERIODIC.values():
        assert _queued(periodic.task.module_path) == 1, periodic.name
    assert DBTaskResult.objects.count() == len(schedule.PERIODIC) >= 3
    assert PeriodicRun.objects.count() == len(schedule.PERIODIC)
