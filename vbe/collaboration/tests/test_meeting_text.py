"""No personal data in meeting records: the name of a person in a concern the writer may read brings a
warning, and the text is saved only when the writer confirms; the confirmation is logged without the
text. A writer who cannot read the concern gets no warning, so nothing about it is told. The names are
looked for before the service's transaction and row lock; the other checks are still answered first."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from vbe.collaboration import meeting_text, meetings
from vbe.collaboration.meeting_text import NAME_WARNING
from vbe.collaboration.models import Meeting, MeetingAction
from vbe.collaboration.tests.meetings_fixtures import (
    HELD_ON,
    SUBJECT,
    TODAY,
    add,
    concern_about,
    form_key,
    forum,
    log,
    org,
    page_key,
    record,
)

pytestmark = pytest.mark.django_db

TEXT = f"Skolan tog upp {SUBJECT} och läget på fritidsgården."
WARNING = str(NAME_WARNING)
CONFIRMED = "meeting_text_name_warning_confirmed"


def test_the_coordinator_who_reads_the_concern_is_warned_and_nothing_is_saved(cast):
    concern_about(cast)
    with pytest.raises(ValidationError) as warned:
        record(cast["coordinator"], agenda=TEXT)
    assert warned.value.messages == [WARNING]
    assert warned.value.error_list[0].code == "subject_name"
    assert not Meeting.objects.exists()


def test_a_coordinator_of_another_organisation_gets_no_warning_for_the_same_text(cast):
    concern_about(cast)
    # Södermalm's coordinator records in Södermalm's forum: nothing about Järva's concern is told.
    meeting = record(
        cast["coordinator_other"], name="SSPF Södermalm", participant_organisations=[org("sodermalm")], agenda=TEXT
    )
    assert meeting.agenda == TEXT
    assert not log(CONFIRMED).exists()


def test_confirming_saves_and_logs_the_override_without_the_text(cast):
    concern_about(cast)
    meeting = meetings.record_meeting(
        actor=cast["coordinator"],
        forum_id=forum().pk,
        content=meetings.MeetingContent(held_on=HELD_ON, decisions=TEXT),
        confirm_names=True,
        today=TODAY,
    )
    row = log(CONFIRMED).get()
    assert row.object_id == str(meeting.pk) and row.object_type == "collaboration.meeting"
    assert row.actor_id == cast["coordinator"].pk
    assert SUBJECT.lower() not in (row.detail + row.subject_ref).lower()


def test_a_confirmation_without_a_match_logs_nothing(cast):
    meetings.record_meeting(
        actor=cast["coordinator"],
        forum_id=forum().pk,
        content=meetings.MeetingContent(held_on=HELD_ON, agenda="Lägesbild"),
        confirm_names=True,
        today=TODAY,
    )
    assert not log(CONFIRMED).exists()


def test_actions_and_follow_ups_are_warned_about_too(cast):
    meeting = record(cast["coordinator"])
    concern_about(cast)
    with pytest.raises(ValidationError, match="namnet på en person"):
        add(cast["coordinator"], meeting, description=f"Prata med {SUBJECT}")
    action = add(cast["coordinator"], meeting)
    with pytest.raises(ValidationError, match="namnet på en person"):
        meetings.follow_up_action(
            actor=cast["coordinator"], action_id=action.pk, lock_version=1, done_on=TODAY, follow_up=TEXT, today=TODAY
        )
    meetings.follow_up_action(
        actor=cast["coordinator"],
        action_id=action.pk,
        lock_version=1,
        done_on=TODAY,
        follow_up=TEXT,
        confirm_names=True,
        today=TODAY,
    )
    assert MeetingAction.objects.get(pk=action.pk).follow_up == TEXT
    assert log(CONFIRMED).get().object_id == str(action.pk)


def _post(client, path: str, **extra):
    data = {
        "lock_version": "0",
        "held_on": HELD_ON.isoformat(),
        "participant_organisations": [str(org("jarva").pk)],
        "agenda": TEXT,
        "decisions": "",
        **extra,
    }
    return client.post(path, data)


def test_the_form_comes_back_with_the_warning_and_a_box_then_saves_when_ticked(cast):
    concern_about(cast)
    client = cast.client("coordinator")
    path = reverse("collaboration:meeting_create", args=[forum().pk])
    first = _post(client, path, submission_key=form_key(client, path))
    assert first.status_code == 400
    page = first.content.decode()
    assert WARNING in page and 'name="confirm_names"' in page
    assert TEXT in page  # what was typed is kept
    assert not Meeting.objects.exists()

    saved = _post(client, path, confirm_names="on", submission_key=page_key(first))
    meeting = Meeting.objects.get()
    assert saved.status_code == 302 and saved["Location"] == reverse("collaboration:meeting", args=[meeting.pk])
    assert log(CONFIRMED).count() == 1


def test_the_form_never_shows_the_box_to_a_writer_without_a_match(cast):
    concern_about(cast)
    client = cast.client("coordinator_other")
    response = client.get(reverse("collaboration:meeting_create", args=[forum("SSPF Södermalm").pk]))
    page = response.content.decode()
    assert 'name="confirm_names"' not in page
    assert "aldrig namn på enskilda personer" in page


def test_a_personnummer_in_a_form_is_refused_field_by_field(cast):
    client = cast.client("coordinator")
    response = _post(client, reverse("collaboration:meeting_create", args=[forum().pk]), agenda="Gäller 199001012385")
    assert response.status_code == 400
    assert "liknar ett personnummer" in response.content.decode()
    assert not Meeting.objects.exists()


def test_names_are_looked_for_before_the_services_transaction_and_row_lock(cast, monkeypatch):
    """The name check decrypts every readable concern's name: it runs before the service opens its
    transaction (no row lock, on SQLite no database write lock, is held while it runs)."""
    meeting = record(cast["coordinator"])
    action = add(cast["coordinator"], meeting)
    concern_about(cast)
    outside = len(connection.atomic_blocks)  # the test's own transaction, if any
    depths: list[int] = []

    def spy(user, *texts: str) -> bool:
        depths.append(len(connection.atomic_blocks))
        return real(user, *texts)

    real = meeting_text.mentions_concern_subject
    monkeypatch.setattr(meeting_text, "mentions_concern_subject", spy)
    with pytest.raises(ValidationError, match="namnet på en person"):
        record(cast["coordinator"], agenda=TEXT)
    with pytest.raises(ValidationError, match="namnet på en person"):
        meetings.update_meeting(
            actor=cast["coordinator"],
            meeting_id=meeting.pk,
            lock_version=1,
            content=meetings.MeetingContent(held_on=HELD_ON, agenda=TEXT),
            today=TODAY,
        )
    with pytest.raises(ValidationError, match="namnet på en person"):
        add(cast["coordinator"], meeting, description=f"Prata med {SUBJECT}")
    with pytest.raises(ValidationError, match="namnet på en person"):
        meetings.follow_up_action(
            actor=cast["coordinator"], action_id=action.pk, lock_version=1, done_on=TODAY, follow_up=TEXT, today=TODAY
        )
    assert depths == [outside] * 4


def test_the_checks_under_the_lock_are_still_answered_first(cast):
    """A stale form, a personnummer or a refused writer is told so before the name warning, as when the
    name check ran under the lock."""
    meeting = record(cast["coordinator"])
    meetings.update_meeting(
        actor=cast["coordinator"],
        meeting_id=meeting.pk,
        lock_version=1,
        content=meetings.MeetingContent(held_on=HELD_ON, agenda="Ny dagordning"),
        today=TODAY,
    )
    concern_about(cast)
    with pytest.raises(ValidationError, match="ändrats av någon annan"):
        meetings.update_meeting(
            actor=cast["coordinator"],
            meeting_id=meeting.pk,
            lock_version=1,
            content=meetings.MeetingContent(held_on=HELD_ON, agenda=TEXT),
            today=TODAY,
        )
    with pytest.raises(ValidationError, match="personnummer"):
        record(cast["coordinator"], agenda=TEXT, decisions="Gäller 199001012385")
    with pytest.raises(PermissionDenied):
        record(cast["unit_manager"], agenda=TEXT)
    assert Meeting.objects.count() == 1
