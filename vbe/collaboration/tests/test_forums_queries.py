"""The forum list, a forum's page and the actions list keep to the query bound (≤ 20) and do not grow
with the rows: 28 forums and more, a forum with 50 meetings, many open actions."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from vbe.collaboration.models import Forum, ForumKind, Meeting, MeetingAction
from vbe.collaboration.tests.meetings_fixtures import forum, org

pytestmark = pytest.mark.django_db
MAX_QUERIES = 20


def _count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def _meetings(cast, n: int, per_meeting: int = 2) -> None:
    today = timezone.localdate()
    sspf = forum()
    for i in range(n):
        meeting = Meeting.objects.create(
            forum=sspf, held_on=today - datetime.timedelta(days=7 * i), created_by=cast["coordinator"]
        )
        meeting.participant_organisations.set([org("jarva")])
        for j in range(per_meeting):
            MeetingAction.objects.create(
                meeting=meeting,
                description=f"Åtgärd {i}-{j}",
                owner_organisation=org("jarva") if j else org("utbildningsnamnden"),
                due_on=today + datetime.timedelta(days=i - 20),
                created_by=cast["coordinator"],
            )


@pytest.mark.parametrize("role", ["central_coordinator", "board_reader", "coordinator"])
def test_the_forum_list_of_28_forums_and_more_costs_the_same(cast, role):
    assert Forum.objects.count() >= 28
    client = cast.client(role)
    _meetings(cast, 5, per_meeting=0)
    before = _count(client, reverse("collaboration:forums"))
    assert before <= MAX_QUERIES
    for i in range(20):
        extra = Forum.objects.create(name=f"Extra forum {i}", kind=ForumKind.OTHER)
        extra.member_organisations.set([org("jarva")])
        Meeting.objects.create(forum=extra, held_on=timezone.localdate(), created_by=cast["coordinator"])
    assert _count(client, reverse("collaboration:forums")) == before


@pytest.mark.parametrize("role", ["coordinator", "central_coordinator", "coordinator_other"])
def test_the_forum_page_with_50_meetings_keeps_the_bound(cast, role):
    _meetings(cast, 50)
    client = cast.client(role)
    path = reverse("collaboration:forum", args=[forum().pk])
    count = _count(client, path)
    assert count <= MAX_QUERIES
    page = client.get(path)
    if role != "coordinator_other":
        assert len(page.context["page"].rows) == 20 and page.context["page"].after is not None
        older = client.get(path, {"efter": str(page.context["page"].after)})
        assert older.context["page"].rows[0].held_on < page.context["page"].rows[-1].held_on
        assert _count(client, f"{path}?efter={page.context['page'].after}") <= MAX_QUERIES


@pytest.mark.parametrize("role", ["coordinator", "central_coordinator", "board_reader"])
def test_the_actions_list_keeps_the_bound(cast, role):
    _meetings(cast, 10)
    client = cast.client(role)
    before = _count(client, reverse("collaboration:actions"))
    _meetings(cast, 30)
    assert _count(client, reverse("collaboration:actions")) == before <= MAX_QUERIES


def test_a_meeting_page_keeps_the_bound(cast):
    _meetings(cast, 1, per_meeting=15)
    meeting = Meeting.objects.get()
    assert _count(cast.client("coordinator"), reverse("collaboration:meeting", args=[meeting.pk])) <= MAX_QUERIES
