"""Two people following up one action at the same moment with the same version (PostgreSQL: real row
locks): one follow-up is saved, the other is told someone else changed it; one log row. The same
meeting or action form sent twice at the same moment creates one row: both answers lead to it."""

from __future__ import annotations

import uuid

from django.urls import reverse

from tests.races import POSTGRES_RACE, race
from vbe.accounts.models import User
from vbe.collaboration import meetings
from vbe.collaboration.models import Meeting, MeetingAction
from vbe.collaboration.tests.meetings_fixtures import HELD_ON, TODAY, add, forum, log, org, record

pytestmark = POSTGRES_RACE


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

    results, refused = race(follow_up)
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

    results, refused = race(change)
    assert len(results) == 1 and len(refused) == 1
    assert log("meeting_changed").count() == 1


def _post_twice(cast, path: str, data: dict) -> list[object]:
    """The same form sent by two requests of one writer at the same moment (a double click)."""
    clients = [cast.client("coordinator"), cast.client("coordinator")]
    results, refused = race(lambda i: clients[i].post(path, data))
    assert not refused
    return results


def test_the_same_meeting_form_sent_twice_at_once_records_one_meeting(cast):
    path = reverse("collaboration:meeting_create", args=[forum().pk])
    data = {
        "submission_key": str(uuid.uuid4()),
        "lock_version": "0",
        "held_on": HELD_ON.isoformat(),
        "participant_organisations": [str(org("jarva").pk)],
        "agenda": "Lägesbild",
    }
    responses = _post_twice(cast, path, data)
    meeting = Meeting.objects.get(forum=forum())
    assert [r.status_code for r in responses] == [302, 302]
    assert {r["Location"] for r in responses} == {reverse("collaboration:meeting", args=[meeting.pk])}
    assert log("meeting_recorded").count() == 1


def test_the_same_action_form_sent_twice_at_once_adds_one_action(cast):
    meeting = record(cast["coordinator"])
    path = reverse("collaboration:meeting_action_add", args=[meeting.pk])
    data = {
        "submission_key": str(uuid.uuid4()),
        "description": "Kartlägga lovaktiviteter",
        "owner": f"o{org('jarva').pk}",
        "due_on": TODAY.isoformat(),
    }
    responses = _post_twice(cast, path, data)
    assert [r.status_code for r in responses] == [302, 302]
    assert MeetingAction.objects.filter(meeting=meeting).count() == 1
    assert log("meeting_action_added").count() == 1


def test_the_unique_key_is_the_last_guard_when_two_saves_meet(cast):
    """Without the row lock's wait (here: two different forums, the same key), the database's unique
    key still lets only one row in; the other writer is told to reload, never a 500."""
    key = uuid.uuid4()
    names = ["SSPF Järva", "BUS-gruppen Järva"]

    def save(i: int) -> Meeting:
        return meetings.record_meeting(
            actor=User.objects.get(pk=cast["coordinator"].pk),
            forum_id=forum(names[i]).pk,
            content=meetings.MeetingContent(held_on=HELD_ON, agenda="Lägesbild"),
            today=TODAY,
            submission_key=key,
        )

    results, refused = race(save)
    assert len(results) == 1 and len(refused) == 1 and "Ladda om sidan" in refused[0]
    assert Meeting.objects.filter(submission_key=key).count() == 1
