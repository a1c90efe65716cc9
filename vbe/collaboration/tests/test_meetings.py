"""Meetings and follow-up actions (vbe.collaboration.meetings): who records them, what is refused (a date
more than a year ahead, participants outside the forum, owners outside it, a due date before the
meeting, a follow-up in the future or before the meeting, personnummer and phone numbers), optimistic
locking, reopening, and one log row per write."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from vbe.collaboration import meetings
from vbe.collaboration.meetings import MeetingContent, one_year_after, open_actions_for
from vbe.collaboration.models import Forum, Meeting, MeetingAction
from vbe.collaboration.tests.meetings_fixtures import HELD_ON, TODAY, add, forum, log, org, partner, record

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["coordinator", "caseworker", "coordinator_board", "central_coordinator"])
def test_members_coordinators_caseworkers_and_the_central_coordinator_record_meetings(cast, role):
    meeting = record(cast[role], participant_partners=[partner()], decisions="Följa upp lovet")
    assert meeting.forum == forum() and meeting.created_by == cast[role] and meeting.lock_version == 1
    assert list(meeting.participant_organisations.all()) == [org("jarva")]
    assert list(meeting.participant_partners.all()) == [partner()]
    assert log("meeting_recorded").filter(object_id=str(meeting.pk)).count() == 1


@pytest.mark.parametrize("role", ["coordinator_other", "unit_manager", "board_reader", "staff", "admin", "auditor"])
def test_others_cannot_record_a_meeting(cast, role):
    with pytest.raises(PermissionDenied):
        record(cast[role])
    assert not Meeting.objects.exists()


def test_the_log_row_names_the_writers_member_organisation(cast):
    meeting = record(cast["coordinator_board"])
    row = log("meeting_recorded").get(object_id=str(meeting.pk))
    assert row.actor_organisation == org("utbildningsnamnden").name


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ({"held_on": datetime.date(2027, 6, 16)}, "högst ett år fram"),
        ({"agenda": "Ring 08-123 456 78"}, "telefonnummer"),
        ({"decisions": "Gäller 199001012385"}, "personnummer"),
    ],
)
def test_bad_meetings_are_refused(cast, content, words):
    with pytest.raises(ValidationError) as refused:
        record(cast["coordinator"], **content)
    assert words in " ".join(refused.value.messages)
    assert not Meeting.objects.exists()


def test_a_meeting_a_year_ahead_is_fine(cast):
    assert record(cast["coordinator"], held_on=one_year_after(TODAY)).held_on == datetime.date(2027, 6, 15)
    assert one_year_after(datetime.date(2028, 2, 29)) == datetime.date(2029, 2, 28)


def test_participants_must_be_members_of_the_forum(cast):
    with pytest.raises(ValidationError, match="Deltagarna ska vara med i forumet"):
        record(cast["coordinator"], participant_organisations=[org("sodermalm")])
    with pytest.raises(ValidationError, match="Deltagarna ska vara med i forumet"):
        record(cast["coordinator"], participant_partners=[partner("Säkerhetspolisen")])
    assert not Meeting.objects.exists()


def test_a_retired_forum_gets_no_new_meetings(cast):
    Forum.objects.filter(name="SSPF Järva").update(is_active=False)
    with pytest.raises(ValidationError, match="avslutat"):
        record(cast["coordinator"])


def test_a_change_bumps_the_version_and_a_stale_form_changes_nothing(cast):
    meeting = record(cast["coordinator"])
    changed = meetings.update_meeting(
        actor=cast["caseworker"],
        meeting_id=meeting.pk,
        lock_version=1,
        content=MeetingContent(held_on=HELD_ON, agenda="Ny dagordning"),
        today=TODAY,
    )
    assert changed.lock_version == 2 and changed.agenda == "Ny dagordning"
    assert not changed.participant_organisations.exists()
    with pytest.raises(ValidationError, match="ändrats av någon annan"):
        meetings.update_meeting(
            actor=cast["coordinator"],
            meeting_id=meeting.pk,
            lock_version=1,
            content=MeetingContent(held_on=HELD_ON, agenda="Gammal"),
            today=TODAY,
        )
    assert Meeting.objects.get(pk=meeting.pk).agenda == "Ny dagordning"
    assert log("meeting_changed").count() == 1


def test_a_participant_no_longer_a_member_stays_on_the_old_meeting(cast):
    meeting = record(cast["coordinator"], participant_organisations=[org("jarva"), org("utbildningsnamnden")])
    forum().member_organisations.remove(org("utbildningsnamnden"))
    changed = meetings.update_meeting(
        actor=cast["coordinator"],
        meeting_id=meeting.pk,
        lock_version=1,
        content=MeetingContent(held_on=HELD_ON, participant_organisations=[org("jarva"), org("utbildningsnamnden")]),
        today=TODAY,
    )
    assert changed.participant_organisations.count() == 2


def test_a_meeting_cannot_move_past_its_actions_due_dates(cast):
    meeting = record(cast["coordinator"])
    add(cast["coordinator"], meeting, due_on=datetime.date(2026, 6, 5))
    with pytest.raises(ValidationError, match="sista datum"):
        meetings.update_meeting(
            actor=cast["coordinator"],
            meeting_id=meeting.pk,
            lock_version=1,
            content=MeetingContent(held_on=datetime.date(2026, 6, 10)),
            today=TODAY,
        )


def test_an_action_is_owned_by_a_member_organisation_or_partner(cast):
    meeting = record(cast["coordinator"])
    by_org = add(cast["coordinator"], meeting)
    by_partner = add(cast["central_coordinator"], meeting, owner_organisation=None, owner_partner=partner())
    assert by_org.owner_organisation == org("jarva") and by_partner.owner_partner == partner()
    assert log("meeting_action_added").count() == 2


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ({"owner_organisation": "sodermalm"}, "vara med i forumet"),
        ({"owner_organisation": None, "owner_partner": "Säkerhetspolisen"}, "vara med i forumet"),
        ({"owner_organisation": None}, "Välj en ansvarig"),
        ({"owner_partner": "Lokalpolisområde Rinkeby"}, "Välj en ansvarig"),
        ({"due_on": datetime.date(2026, 5, 31)}, "före mötet"),
        ({"description": "   "}, "Skriv vad som ska göras"),
        ({"description": "Ring 0701234567"}, "telefonnummer"),
    ],
)
def test_bad_actions_are_refused(cast, content, words):
    meeting = record(cast["coordinator"])
    if isinstance(content.get("owner_organisation"), str):
        content["owner_organisation"] = org(content["owner_organisation"])
    if isinstance(content.get("owner_partner"), str):
        content["owner_partner"] = partner(content["owner_partner"])
    with pytest.raises(ValidationError) as refused:
        add(cast["coordinator"], meeting, **content)
    assert words in " ".join(refused.value.messages)
    assert not MeetingAction.objects.exists()


@pytest.mark.parametrize("role", ["unit_manager", "board_reader", "coordinator_other"])
def test_readers_and_outsiders_cannot_add_or_follow_up_actions(cast, role):
    meeting = record(cast["coordinator"])
    action = add(cast["coordinator"], meeting)
    with pytest.raises(PermissionDenied):
        add(cast[role], meeting)
    with pytest.raises(PermissionDenied):
        meetings.follow_up_action(
            actor=cast[role], action_id=action.pk, lock_version=1, done_on=TODAY, follow_up="Klart", today=TODAY
        )


def test_following_up_sets_the_date_and_text_and_reopening_keeps_the_text(cast):
    action = add(cast["coordinator"], record(cast["coordinator"]))
    done = meetings.follow_up_action(
        actor=cast["caseworker"], action_id=action.pk, lock_version=1, done_on=TODAY, follow_up=" Klart ", today=TODAY
    )
    assert done.done_on == TODAY and done.follow_up == "Klart" and done.lock_version == 2
    reopened = meetings.reopen_action(actor=cast["coordinator"], action_id=action.pk, lock_version=2)
    assert reopened.done_on is None and reopened.follow_up == "Klart" and reopened.lock_version == 3
    with pytest.raises(ValidationError, match="redan öppen"):
        meetings.reopen_action(actor=cast["coordinator"], action_id=action.pk, lock_version=3)
    assert log("meeting_action_followed_up").count() == 1 and log("meeting_action_reopened").count() == 1


@pytest.mark.parametrize(
    ("done_on", "text", "words"),
    [
        (TODAY + datetime.timedelta(days=1), "Klart", "framtiden"),
        (HELD_ON - datetime.timedelta(days=1), "Klart", "före mötet"),
        (TODAY, "  ", "Skriv vad som har gjorts"),
        (TODAY, "Se 19900101-2385", "personnummer"),
    ],
)
def test_bad_follow_ups_are_refused(cast, done_on, text, words):
    action = add(cast["coordinator"], record(cast["coordinator"]))
    with pytest.raises(ValidationError) as refused:
        meetings.follow_up_action(
            actor=cast["coordinator"], action_id=action.pk, lock_version=1, done_on=done_on, follow_up=text, today=TODAY
        )
    assert words in " ".join(refused.value.messages)
    action.refresh_from_db()
    assert action.done_on is None and action.lock_version == 1


def test_a_stale_follow_up_or_reopening_is_refused(cast):
    action = add(cast["coordinator"], record(cast["coordinator"]))
    meetings.follow_up_action(
        actor=cast["coordinator"], action_id=action.pk, lock_version=1, done_on=TODAY, follow_up="Först", today=TODAY
    )
    with pytest.raises(ValidationError, match="ändrats av någon annan"):
        meetings.follow_up_action(
            actor=cast["caseworker"], action_id=action.pk, lock_version=1, done_on=TODAY, follow_up="Sen", today=TODAY
        )
    with pytest.raises(ValidationError, match="ändrats av någon annan"):
        meetings.reopen_action(actor=cast["caseworker"], action_id=action.pk, lock_version=1)
    action.refresh_from_db()
    assert action.follow_up == "Först" and action.done_on == TODAY


def test_open_actions_are_those_of_the_users_organisations_and_all_for_the_central_coordinator(cast):
    meeting = record(cast["coordinator"])
    jarva = add(cast["coordinator"], meeting, due_on=datetime.date(2026, 8, 1))
    school = add(cast["coordinator"], meeting, owner_organisation=org("utbildningsnamnden"))
    police = add(cast["coordinator"], meeting, owner_organisation=None, owner_partner=partner())
    done = add(cast["coordinator"], meeting)
    meetings.follow_up_action(
        actor=cast["coordinator"], action_id=done.pk, lock_version=1, done_on=TODAY, follow_up="Klart", today=TODAY
    )

    def shown(role: str) -> set[int]:
        return set(open_actions_for(cast[role]).values_list("pk", flat=True))

    assert shown("coordinator") == shown("caseworker") == shown("unit_manager") == {jarva.pk}
    assert shown("board_reader") == shown("coordinator_board") == {school.pk}
    assert shown("coordinator_other") == shown("staff") == set()
    assert shown("central_coordinator") == {jarva.pk, school.pk, police.pk}
    # Järva leaves the forum: its actions there are no longer its coordinator's to read.
    forum().member_organisations.remove(org("jarva"))
    assert shown("coordinator") == set()
