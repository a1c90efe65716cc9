"""URL × role entries for the meetings and follow-up actions of a forum (here SSPF Järva: Järva's and
Utbildningsnämnden's).

Its meetings are read by the coordinators, caseworkers, unit managers and board readers of its member
organisations and by the central coordinator; recorded and followed up by the coordinators and
caseworkers of its members and by the central coordinator. A reader of forums who is not in this one
(Södermalm's coordinator) gets 404 for a meeting or an action, never 403, so their existence is not
told; the forum itself is public to forum readers, so recording a meeting there is a plain 403.
"""

from __future__ import annotations

import datetime

from tests.matrix import NOT_FOUND, OK, Entry, only
from vbe.collaboration.models import Forum, Meeting, MeetingAction
from vbe.collaboration.tests.matrix_forums import FORUM_READERS
from vbe.organisations.models import Organisation

MEMBER_READERS = (
    "coordinator",
    "caseworker",
    "unit_manager",
    "coordinator_board",
    "board_reader",
    "central_coordinator",
)
MEMBER_WRITERS = ("coordinator", "caseworker", "coordinator_board", "central_coordinator")
AGENDA = "Matrisens möte"


def _meeting(ctx: dict) -> Meeting:
    """A meeting of SSPF Järva with one open action, made once per test."""
    meeting = Meeting.objects.filter(agenda=AGENDA).first()
    if meeting is None:
        meeting = Meeting.objects.create(
            forum=Forum.objects.get(name="SSPF Järva"),
            held_on=datetime.date(2026, 1, 15),
            agenda=AGENDA,
            created_by=ctx["cast"]["coordinator"],
        )
        MeetingAction.objects.create(
            meeting=meeting,
            description="Kartlägga lovaktiviteter",
            owner_organisation=Organisation.objects.get(slug="jarva"),
            due_on=datetime.date(2026, 3, 1),
            created_by=ctx["cast"]["coordinator"],
        )
    return meeting


def _action(ctx: dict) -> int:
    return _meeting(ctx).actions.get().pk


def _writers() -> dict[str, int]:
    """Members who only read get 403; a forum reader outside the forum 404; other roles 403."""
    return {**only(*MEMBER_WRITERS), "coordinator_other": NOT_FOUND}


MATRIX = {
    "collaboration:meeting_create": Entry(
        lambda ctx: f"/samverkan/forum/{_meeting(ctx).forum_id}/moten/nytt/", only(*MEMBER_WRITERS)
    ),
    "collaboration:meeting": Entry(
        lambda ctx: f"/samverkan/moten/{_meeting(ctx).pk}/",
        {**only(*MEMBER_READERS), "coordinator_other": NOT_FOUND},
    ),
    "collaboration:meeting_edit": Entry(lambda ctx: f"/samverkan/moten/{_meeting(ctx).pk}/andra/", _writers()),
    "collaboration:meeting_action_add": Entry(
        lambda ctx: f"/samverkan/moten/{_meeting(ctx).pk}/atgarder/ny/", _writers()
    ),
    "collaboration:action_follow_up": Entry(lambda ctx: f"/samverkan/atgarder/{_action(ctx)}/uppfoljning/", _writers()),
    "collaboration:actions": Entry(lambda ctx: "/samverkan/atgarder/", only(*FORUM_READERS, status=OK)),
}
