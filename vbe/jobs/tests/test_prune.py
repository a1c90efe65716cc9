"""Finished work is pruned: the queue's task results after 30 days, the jobs after 90; nothing
unfinished, and nothing younger, is touched."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from vbe.jobs.models import Job, JobState
from vbe.jobs.tasks import prune_finished

pytestmark = pytest.mark.django_db


def _job(owner, *, finished_days_ago: int | None) -> Job:
    finished = None if finished_days_ago is None else timezone.now() - datetime.timedelta(days=finished_days_ago)
    return Job.objects.create(
        kind="test",
        title="Test",
        owner=owner,
        state=JobState.DONE if finished else JobState.RUNNING,
        finished_at=finished,
    )


def test_old_finished_work_goes_and_the_rest_stays(cast):
    owner = cast["coordinator"]
    old, recent, unfinished = (
        _job(owner, finished_days_ago=91),
        _job(owner, finished_days_ago=89),
        _job(owner, finished_days_ago=None),
    )
    old_result = prune_finished.enqueue()
    young_result = prune_finished.enqueue()
    DBTaskResult.objects.filter(id=old_result.id).update(
        status=TaskResultStatus.SUCCESSFUL, finished_at=timezone.now() - datetime.timedelta(days=31)
    )
    DBTaskResult.objects.filter(id=young_result.id).update(
        status=TaskResultStatus.SUCCESSFUL, finished_at=timezone.now() - datetime.timedelta(days=29)
    )

    outcome = prune_finished.call()

    assert outcome == {"task_results": 1, "jobs": 1}
    assert set(Job.objects.values_list("pk", flat=True)) == {recent.pk, unfinished.pk}
    assert not DBTaskResult.objects.filter(id=old_result.id).exists()
    assert DBTaskResult.objects.filter(id=young_result.id).exists()
    assert old.pk not in set(Job.objects.values_list("pk", flat=True))
