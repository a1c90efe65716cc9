"""A meeting or an action is created once per form: the form's one-time key is kept on the row, so the
same form sent twice (a double click, a reload after a lost answer) creates nothing new and leads to
the row the first sending created. A form without a valid key is asked to be reloaded; a key that
created another writer's row, or a row elsewhere, is refused rather than answered with that row."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from vbe.collaboration import meetings
from vbe.collaboration.meetings import KEY_USED, ActionContent, MeetingContent
from vbe.collaboration.models import Meeting, MeetingAction
from vbe.collaboration.tests.meetings_fixtures import HELD_ON, TODAY, form_key, forum, log, org, page_key, record

pytestmark = pytest.mark.django_db


def _record(user, key: uuid.UUID, name: str = "SSPF Järva", **content) -> Meeting:
    content = {"participant_organisations": [org("jarva")], "agenda": "Lägesbild", **content}
    return meetings.record_meeting(
        actor=user,
        forum_id=forum(name).pk,
        content=MeetingContent(held_on=HELD_ON, **content),
        today=TODAY,
        submission_key=key,
    )


def _add(user, meeting: Meeting, key: uuid.UUID) -> MeetingAction:
    content = ActionContent(description="Kartlägga lovaktiviteter", due_on=TODAY, owner_organisation=org("jarva"))
    return meetings.add_action(actor=user, meeting_id=meeting.pk, content=content, submission_key=key)


def test_the_same_meeting_form_twice_records_one_meeting_and_one_log_row(cast):
    key = uuid.uuid4()
    first = _record(cast["coordinator"], key)
    again = _record(cast["coordinator"], key, agenda="Något annat")
    assert again.pk == first.pk and getattr(again, "already_saved", False)
    assert not getattr(first, "already_saved", False)
    assert Meeting.objects.get().agenda == "Lägesbild" and Meeting.objects.get().submission_key == key
    assert log("meeting_recorded").count() == 1
    assert _record(cast["coordinator"], uuid.uuid4()).pk != first.pk  # a new form records a new meeting


def test_the_same_action_form_twice_adds_one_action(cast):
    meeting = record(cast["coordinator"])
    key = uuid.uuid4()
    first = _add(cast["coordinator"], meeting, key)
    again = _add(cast["coordinator"], meeting, key)
    assert again.pk == first.pk and getattr(again, "already_saved", False)
    assert MeetingAction.objects.count() == 1 and log("meeting_action_added").count() == 1


def test_a_key_of_another_writers_row_or_of_a_row_elsewhere_is_refused(cast):
    key = uuid.uuid4()
    meeting = _record(cast["coordinator"], key)
    with pytest.raises(ValidationError) as refused:
        _record(cast["caseworker"], key)
    assert refused.value.messages == [str(KEY_USED)]
    with pytest.raises(ValidationError, match="Ladda om sidan"):
        _record(cast["coordinator"], key, name="BUS-gruppen Järva")
    action_key = uuid.uuid4()
    _add(cast["coordinator"], meeting, action_key)
    with pytest.raises(ValidationError, match="Ladda om sidan"):
        _add(cast["coordinator"], record(cast["coordinator"]), action_key)
    assert Meeting.objects.count() == 2 and MeetingAction.objects.count() == 1


def test_a_row_saved_meanwhile_with_the_key_is_found_when_the_unique_key_refuses_the_save(cast, monkeypatch):
    """The unique key is the last guard: a look before the save that missed the other sending's row
    ends in that row, not in a database error."""
    key = uuid.uuid4()
    first = _record(cast["coordinator"], key)
    meeting = record(cast["coordinator"])
    action = _add(cast["coordinator"], meeting, key)
    real, looks = meetings._already_saved, []

    def missed_once(*args, **kwargs):
        looks.append(args[0])
        return None if len(looks) % 2 else real(*args, **kwargs)

    monkeypatch.setattr(meetings, "_already_saved", missed_once)
    again = _record(cast["coordinator"], key)
    assert again.pk == first.pk and getattr(again, "already_saved", False)
    assert _add(cast["coordinator"], meeting, key).pk == action.pk
    assert looks == [Meeting, Meeting, MeetingAction, MeetingAction]
    assert Meeting.objects.count() == 2 and MeetingAction.objects.count() == 1
    assert log("meeting_recorded").count() == 2 and log("meeting_action_added").count() == 1


def _meeting_data(key: str, **extra) -> dict:
    return {
        "submission_key": key,
        "lock_version": "0",
        "held_on": HELD_ON.isoformat(),
        "participant_organisations": [str(org("jarva").pk)],
        "agenda": "Lägesbild från skolan",
        "decisions": "",
        **extra,
    }


def test_the_meeting_form_sent_twice_leads_to_the_meeting_already_saved(cast):
    client = cast.client("coordinator")
    path = reverse("collaboration:meeting_create", args=[forum().pk])
    data = _meeting_data(form_key(client, path))
    first = client.post(path, data, follow=True)
    meeting = Meeting.objects.get()
    assert "Mötet är sparat." in first.content.decode()
    second = client.post(path, data, follow=True)
    assert second.redirect_chain == [(reverse("collaboration:meeting", args=[meeting.pk]), 302)]
    assert "Mötet var redan sparat." in second.content.decode()
    assert Meeting.objects.count() == 1 and log("meeting_recorded").count() == 1
    # Each showing of the form has its own key.
    assert form_key(client, path) != data["submission_key"]


def test_the_action_form_sent_twice_leads_to_the_meeting_with_the_action_already_saved(cast):
    meeting = record(cast["coordinator"])
    client = cast.client("coordinator")
    path = reverse("collaboration:meeting_action_add", args=[meeting.pk])
    data = {
        "submission_key": form_key(client, path),
        "description": "Kartlägga lovaktiviteter",
        "owner": f"o{org('jarva').pk}",
        "due_on": TODAY.isoformat(),
    }
    assert client.post(path, data).status_code == 302
    second = client.post(path, data, follow=True)
    assert second.redirect_chain == [(reverse("collaboration:meeting", args=[meeting.pk]), 302)]
    assert "Åtgärden var redan sparad." in second.content.decode()
    assert MeetingAction.objects.count() == 1


@pytest.mark.parametrize("key", [None, "", "inte-en-nyckel", "1" * 500])
def test_a_form_without_a_valid_key_is_asked_to_be_reloaded_and_keeps_what_was_typed(cast, key):
    client = cast.client("coordinator")
    path = reverse("collaboration:meeting_create", args=[forum().pk])
    data = _meeting_data(key or "")
    if key is None:
        del data["submission_key"]
    response = client.post(path, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Formuläret saknar sin kontrollkod. Ladda om sidan" in page and "Lägesbild från skolan" in page
    assert not Meeting.objects.exists()
    # The page shown again carries a new, valid key: sending it saves.
    assert client.post(path, {**data, "submission_key": page_key(response)}).status_code == 302
    assert Meeting.objects.count() == 1


def test_the_action_form_without_a_key_saves_nothing(cast):
    meeting = record(cast["coordinator"])
    response = cast.client("coordinator").post(
        reverse("collaboration:meeting_action_add", args=[meeting.pk]),
        {"description": "Kartlägga", "owner": f"o{org('jarva').pk}", "due_on": TODAY.isoformat()},
    )
    assert response.status_code == 400 and "Ladda om sidan" in response.content.decode()
    assert not MeetingAction.objects.exists()


def test_the_edit_form_has_no_key_and_needs_none(cast):
    meeting = record(cast["coordinator"])
    client = cast.client("coordinator")
    path = reverse("collaboration:meeting_edit", args=[meeting.pk])
    assert not re.search(r'name="submission_key"', client.get(path).content.decode())
    data = _meeting_data("", lock_version=str(meeting.lock_version), agenda="Ändrad")
    assert client.post(path, data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.agenda == "Ändrad" and meeting.submission_key is None
