"""Collaboration counts (vbe.collaboration.counts) against figures counted by hand.

The world, for 2025 (today 1 March 2026):

SSPF Järva (focus area 5): meetings 20 December 2024 (out), 10 February 2025, 15 September 2025,
  10 January 2026 (out) -> 2 held. Actions: from 10 February 2025 due 1 March 2025 followed up, due 1 June
  2025 not; from 20 December 2024 due 15 January 2025 followed up (due in the year: counted); from 15
  September 2025 due 1 February 2026 (out) -> 3 due, 2 followed up.
Dialogforum med civilsamhälle och trossamfund (area 3, and 5 added here): meetings 1 April and 1 October
  2025; one action due 1 November 2025, not followed up -> 2 held, 1 due, 0 followed up; under both areas.
Stadens nätverk för lokala samordnare (areas 4 and 5): one meeting 5 May 2025, no actions -> 1, 0, 0.
A forum laid down (inactive) with a meeting 3 March 2025 -> counted (1, 0, 0); another laid down with
  none -> left out.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vbe.collaboration.counts import focus_area_counts, forum_counts, year_span
from vbe.collaboration.models import Forum, ForumKind, Meeting, MeetingAction
from vbe.guidelines.models import FocusArea
from vbe.organisations.models import Organisation

TODAY = datetime.date(2026, 3, 1)
D = datetime.date


def meeting(user, forum: Forum, held_on: datetime.date) -> Meeting:
    return Meeting.objects.create(forum=forum, held_on=held_on, agenda="Lägesbild", created_by=user)


def action(user, on: Meeting, due_on: datetime.date, done_on: datetime.date | None = None) -> MeetingAction:
    return MeetingAction.objects.create(
        meeting=on,
        description="Följa upp läget i området",
        owner_organisation=Organisation.objects.get(slug="jarva"),
        due_on=due_on,
        done_on=done_on,
        follow_up="Klart" if done_on else "",
        created_by=user,
    )


def area(number: int) -> FocusArea:
    return FocusArea.objects.get(intervention_area__guideline__is_current=True, number=number)


def make_world(cast):
    """The world of the module's docstring; returns the user who recorded it."""
    user = cast["coordinator"]
    sspf = Forum.objects.get(name="SSPF Järva")
    dialogue = Forum.objects.get(name="Dialogforum med civilsamhälle och trossamfund")
    dialogue.focus_areas.add(area(5))
    network = Forum.objects.get(name="Stadens nätverk för lokala samordnare")
    old = meeting(user, sspf, D(2024, 12, 20))
    february, september = meeting(user, sspf, D(2025, 2, 10)), meeting(user, sspf, D(2025, 9, 15))
    meeting(user, sspf, D(2026, 1, 10))
    action(user, february, D(2025, 3, 1), D(2025, 3, 5))
    action(user, february, D(2025, 6, 1))
    action(user, old, D(2025, 1, 15), D(2025, 1, 20))
    action(user, september, D(2026, 2, 1), D(2026, 2, 1))
    meeting(user, dialogue, D(2025, 4, 1))
    action(user, meeting(user, dialogue, D(2025, 10, 1)), D(2025, 11, 1))
    meeting(user, network, D(2025, 5, 5))
    laid_down = Forum.objects.create(name="SSPF Testområde (nedlagt)", kind=ForumKind.SSPF, is_active=False)
    laid_down.focus_areas.add(area(5))
    meeting(user, laid_down, D(2025, 3, 3))
    Forum.objects.create(name="BUS Testområde (nedlagt)", kind=ForumKind.BUS, is_active=False).focus_areas.add(area(5))
    return user


@pytest.fixture
def world(cast):
    return make_world(cast)


def _figures(counts) -> dict[str, tuple[int, int, int]]:
    return {c.name: (c.meetings_held, c.actions_due, c.followed_up) for c in counts}


def test_per_forum_counts_match_the_hand_count(world):
    counts = forum_counts(2025, today=TODAY)
    figures = _figures(counts)
    assert figures["SSPF Järva"] == (2, 3, 2)
    assert figures["Dialogforum med civilsamhälle och trossamfund"] == (2, 1, 0)
    assert figures["Stadens nätverk för lokala samordnare"] == (1, 0, 0)
    assert figures["SSPF Testområde (nedlagt)"] == (1, 0, 0)
    assert "BUS Testområde (nedlagt)" not in figures  # inactive and nothing that year
    assert figures["BUS-gruppen Järva"] == (0, 0, 0)  # active, no meetings: a row of zeros
    by_name = {c.name: c for c in counts}
    assert by_name["SSPF Järva"].district == "Järva" and by_name["Stadens nätverk för lokala samordnare"].district == ""
    assert [c.name for c in counts] == sorted(c.name for c in counts)


def test_grouped_by_focus_area_a_forum_of_two_areas_is_in_both(world):
    grouped = focus_area_counts(2025, today=TODAY, numbers=(3, 5))
    three, five = _figures(grouped[3]), _figures(grouped[5])
    assert three == {"Dialogforum med civilsamhälle och trossamfund": (2, 1, 0)}
    assert five["Dialogforum med civilsamhälle och trossamfund"] == (2, 1, 0)
    assert five["SSPF Järva"] == (2, 3, 2)
    assert five["Stadens nätverk för lokala samordnare"] == (1, 0, 0)
    assert five["SSPF Testområde (nedlagt)"] == (1, 0, 0) and "BUS Testområde (nedlagt)" not in five
    assert sum(m for m, _due, _done in five.values()) == 6  # 2 + 2 + 1 + 1
    assert sum(due for _m, due, _done in five.values()) == 4 and sum(done for *_r, done in five.values()) == 2


def test_in_the_running_year_a_meeting_dated_after_today_is_not_held_yet(world):
    Meeting.objects.create(forum=Forum.objects.get(name="SSPF Järva"), held_on=D(2026, 5, 1), created_by=world)
    assert _figures(forum_counts(2026, today=TODAY))["SSPF Järva"] == (1, 1, 1)  # 10 January; due 1 February
    assert year_span(2026, TODAY) == (D(2026, 1, 1), TODAY)
    assert year_span(2025, TODAY) == (D(2025, 1, 1), D(2025, 12, 31))


def test_one_query_whatever_the_number_of_forums_meetings_and_actions(world):
    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as one:
            forum_counts(2025, today=TODAY)
        with CaptureQueriesContext(connection) as other:
            focus_area_counts(2025, today=TODAY, numbers=(3, 5))
        return len(one), len(other)

    assert queries() == (1, 1)
    for forum in Forum.objects.filter(is_active=True, name__startswith="SSPF")[:10]:  # SSPF Järva among them
        for month in range(1, 7):
            action(world, meeting(world, forum, D(2025, month, 1)), D(2025, month, 20), D(2025, month, 21))
    assert queries() == (1, 1)
    assert _figures(forum_counts(2025, today=TODAY))["SSPF Järva"][0] == 2 + 6
