"""The periodic jobs: each app names its own in its ``AppConfig.ready`` with ``every``, and the
worker (``manage.py run_jobs``) puts each in the queue when it is due.

A run is claimed by moving the job's ``next_run_at`` forward with one conditional UPDATE, so with
several workers, on PostgreSQL or SQLite, each run is enqueued exactly once."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks.base import Task

from vbe.jobs.models import PeriodicRun


@dataclass(frozen=True)
class Periodic:
    name: str
    task: Task
    interval: datetime.timedelta


PERIODIC: dict[str, Periodic] = {}


def every(interval: datetime.timedelta, task: Task, *, name: str) -> None:
    PERIODIC[name] = Periodic(name=name, task=task, interval=interval)


def _row(name: str, now: datetime.datetime) -> None:
    """The job's row, made due at once the first time a worker sees it."""
    if PeriodicRun.objects.filter(name=name).exists():
        return
    try:
        with transaction.atomic():
            PeriodicRun.objects.create(name=name, next_run_at=now)
    except IntegrityError:  # another worker made it first
        pass


def enqueue_due(now: datetime.datetime | None = None) -> list[str]:
    """Puts every periodic job that is due in the queue; returns their names."""
    now = now or timezone.now()
    enqueued = []
    for periodic in PERIODIC.values():
        _row(periodic.name, now)
        with transaction.atomic():
            claimed = PeriodicRun.objects.filter(name=periodic.name, next_run_at__lte=now).update(
                next_run_at=now + periodic.interval, last_enqueued_at=now
            )
            if claimed:
                periodic.task.enqueue()
                enqueued.append(periodic.name)
    return enqueued
