"""Two people following up one action at the same moment with the same version (PostgreSQL: real row
locks): one follow-up is saved, the other is told someone else changed it; one log row."""

from __future__ import annotations

from collections.abc import Callable
from threading import Barrier, Thread

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from vbe.accounts.models import User
from vbe.collaboration import meetings
from vbe.collaboration.models import MeetingAction
from vbe.collaboration.tests.meetings_fixtures import TODAY, add, log, record

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs row locks (PostgreSQL)"),
]


def _race(work: Callable[[int], object], n: int = 2) -> tuple[list[object], list[str]]:
    barrier, results, refused, errors = Barrier(n), [], [], []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(work(i))
        except ValidationError as exc:
            refused.extend(exc.messages)
        except Exception as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results, refused


def test_two_follow_ups_of_one_action_with_the_same_version_save_once(cast):
    action = add(cast["coordinator"], record(cast["coordinator"]))
    writers = [cast["coordinator"], cast["caseworker"]]

    def follow_up(i: int) -> MeetingAction:
        return meetings.follow_up_action(
            actor=User.objects.get(pk=writers[i].pk),
            action_id=action.pk,
            lock_version=1,
            done_on=TODAY,
            follow_up=f"Uppföljning {i}",
            today=TODAY,
        )

    results, refused = _race(follow_up)
    assert len(results) == 1 and len(refused) == 1 and "någon annan" in refused[0]
    action.refresh_from_db()
    assert action.lock_version == 2 and action.follow_up == results[0].follow_up
    assert log("meeting_action_followed_up").count() == 1


def test_two_changes_of_one_meeting_with_the_same_version_save_once(cast):
    meeting = record(cast["coordinator"])
    writers = [cast["coordinator"], cast["central_coordinator"]]

    def change(i: int):
        return meetings.update_meeting(
            actor=User.objects.get(pk=writers[i].pk),
            meeting_id=meeting.pk,
            lock_version=1,
            content=meetings.MeetingContent(held_on=meeting.held_on, agenda=f"Dagordning {i}"),
            today=TODAY,
        )

    results, refused = _race(change)
    assert len(results) == 1 and len(refused) == 1
    assert log("meeting_changed").count() == 1
