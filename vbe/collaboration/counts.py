"""Collaboration in figures for a year, per forum: the meetings held and the follow-up actions due, with
how many of those were followed up. What the status report's section on collaboration shows
(``vbe.reports.collaboration``).

One aggregate query whatever the number of forums, meetings and actions: every count is made in SQL.
These count meetings and actions, never people, so no count is hidden as small.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Q

from vbe.collaboration.models import Forum


@dataclass(frozen=True)
class ForumCount:
    forum_id: int
    name: str
    district: str  # "" for a forum of the whole city
    is_active: bool
    meetings_held: int
    actions_due: int
    followed_up: int


def year_span(year: int, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """1 January to 31 December, or to today in the running year: a meeting dated later is not held yet."""
    return datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), today)


def _counts(forum: str, year: int, today: datetime.date) -> dict[str, Count]:
    """The three counts, from a row that reaches the forum by the path ``forum`` ("" for the forum itself).
    The join repeats a meeting once per action, so meetings are counted distinct; an action belongs to one
    meeting, so each is counted once."""
    meetings, actions = f"{forum}meetings", f"{forum}meetings__actions"
    due = Q(**{f"{actions}__due_on__range": (datetime.date(year, 1, 1), datetime.date(year, 12, 31))})
    return {
        "meetings_held": Count(
            meetings, filter=Q(**{f"{meetings}__held_on__range": year_span(year, today)}), distinct=True
        ),
        "actions_due": Count(actions, filter=due),
        "followed_up": Count(actions, filter=due & Q(**{f"{actions}__done_on__isnull": False})),
    }


def _row(row: dict, forum: str) -> ForumCount:
    return ForumCount(
        forum_id=row[f"{forum}id"],
        name=row[f"{forum}name"],
        district=row[f"{forum}district__name"] or "",
        is_active=row[f"{forum}is_active"],
        meetings_held=row["meetings_held"],
        actions_due=row["actions_due"],
        followed_up=row["followed_up"],
    )


def _counted(count: ForumCount) -> bool:
    """Worth a row in the year's figures: an active forum, or one with meetings or actions that year."""
    return count.is_active or bool(count.meetings_held or count.actions_due)


FIELDS = ("id", "name", "district__name", "is_active")


def forum_counts(year: int, *, today: datetime.date) -> list[ForumCount]:
    """Every active forum, and every other one with meetings or actions in ``year``, by name: its
    meetings held in ``year`` (up to ``today``), and the follow-up actions due in ``year`` (whenever
    their meeting was), in all and followed up (a follow-up date recorded). One query."""
    rows = Forum.objects.order_by("name", "id").values(*FIELDS).annotate(**_counts("", year, today))
    return [count for count in (_row(row, "") for row in rows) if _counted(count)]


def focus_area_counts(year: int, *, today: datetime.date, numbers: Sequence[int]) -> dict[int, list[ForumCount]]:
    """``forum_counts`` grouped by the focus areas of the current guideline the forums count for
    (``Forum.focus_areas``), for the areas ``numbers``: a forum of two areas is under both. One query,
    over the forums' links to their focus areas."""
    through = Forum.focus_areas.through
    rows = (
        through.objects.filter(
            focusarea__intervention_area__guideline__is_current=True, focusarea__number__in=list(numbers)
        )
        .order_by("focusarea__number", "forum__name", "forum__id")
        .values("focusarea__number", *(f"forum__{name}" for name in FIELDS))
        .annotate(**_counts("forum__", year, today))
    )
    grouped: dict[int, list[ForumCount]] = {number: [] for number in numbers}
    for row in rows:
        count = _row(row, "forum__")
        if _counted(count):
            grouped[row["focusarea__number"]].append(count)
    return grouped
