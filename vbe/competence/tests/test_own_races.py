"""A double click on "Registrera" (PostgreSQL: real row locks): two first registrations of the same
course and day at once make one learner and one completion, and neither fails."""

from __future__ import annotations

import datetime
from threading import Barrier, Thread

import pytest
from django.db import connection

from vbe.accounts.models import User
from vbe.audit.models import AccessLogEntry
from vbe.competence import own
from vbe.competence.models import Completion, Learner, Placement
from vbe.competence.tests.test_own import make_course, make_group, unit

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs row locks (PostgreSQL)"),
]


def test_two_first_registrations_at_once_make_one_learner_and_one_completion(cast):
    course, group, home = make_course(), make_group(), unit()
    barrier, results, errors = Barrier(2), [], []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(
                own.register_own_completion(
                    actor=User.objects.get(pk=cast["staff"].pk),
                    course_id=course.pk,
                    completed_on=datetime.date(2025, 3, 27),
                    today=datetime.date(2025, 6, 1),
                    unit_id=home.pk,
                    staff_group_id=group.pk,
                )
            )
        except Exception as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert sorted(r.created for r in results) == [False, True]
    assert Learner.objects.count() == 1
    assert Placement.objects.count() == 1
    assert Completion.objects.count() == 1
    assert AccessLogEntry.objects.filter(action="training_completion_registered").count() == 1
