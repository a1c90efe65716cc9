"""Helpers of the forums' and meetings' tests: the reference data's forums, meetings and actions made
through the services, and the access-log rows they leave."""

from __future__ import annotations

import datetime
import re

from vbe.accounts.models import User
from vbe.audit.models import AccessLogEntry
from vbe.collaboration import meetings
from vbe.collaboration.meetings import ActionContent, MeetingContent
from vbe.collaboration.models import Forum, Meeting, MeetingAction
from vbe.concerns import intake
from vbe.concerns.models import Concern
from vbe.organisations.models import Organisation, Partner

TODAY = datetime.date(2026, 6, 15)
HELD_ON = datetime.date(2026, 6, 1)
SUBJECT = "Test Testsson"
_KEY = re.compile(r'<input type="hidden" name="submission_key" value="([0-9a-f-]{36})">')


def forum(name: str = "SSPF Järva") -> Forum:
    return Forum.objects.get(name=name)


def org(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def partner(name: str = "Lokalpolisområde Rinkeby") -> Partner:
    return Partner.objects.get(name=name)


def record(user: User, *, name: str = "SSPF Järva", held_on: datetime.date = HELD_ON, **content) -> Meeting:
    content = {"participant_organisations": [org("jarva")], "agenda": "Lägesbild", **content}
    return meetings.record_meeting(
        actor=user, forum_id=forum(name).pk, content=MeetingContent(held_on=held_on, **content), today=TODAY
    )


def add(user: User, meeting: Meeting, *, due_on: datetime.date = datetime.date(2026, 7, 1), **content) -> MeetingAction:
    content = {"description": "Kartlägga lovaktiviteter", "owner_organisation": org("jarva"), **content}
    return meetings.add_action(actor=user, meeting_id=meeting.pk, content=ActionContent(due_on=due_on, **content))


def log(action: str):
    return AccessLogEntry.objects.filter(action=action)


def concern_about(cast, name: str = SUBJECT, organisation: str = "jarva", key: str = "namn") -> Concern:
    """A concern at ``organisation`` naming ``name``: read by that organisation's coordinator."""
    return intake.submit_concern(
        reporter=cast["staff"],
        reporter_organisation=org("jarva"),
        organisation=org(organisation),
        idempotency_key=key,
        observation="Observerat beteende",
        observed_on=datetime.date(2026, 5, 1),
        concerns_child="no",
        child_report_made="unknown",
        person_name=name,
        notify=False,
    )


def page_key(response) -> str:
    """The one-time key of the form on a rendered page, as the browser sends it back."""
    match = _KEY.search(response.content.decode())
    assert match is not None, "the form has no submission key"
    return match[1]


def form_key(client, path: str) -> str:
    """The key of a freshly opened form page."""
    return page_key(client.get(path))
