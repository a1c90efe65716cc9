"""Pages of the meetings and actions lists, by position: a date and the id breaking ties.

A page starts where the last one ended (``?efter=2026-03-01.42``), so the database reads an index from
that point and stops after one page, never an OFFSET over the rows before it. A position that does not
parse shows the first page. The meetings of a forum run newest first (index ``meeting_forum_newest``),
the open actions by due date, oldest first, so overdue ones come first.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Model, Q, QuerySet

AFTER = "efter"
_POSITION = re.compile(r"(\d{4})-(\d{2})-(\d{2})\.(\d{1,18})", re.ASCII)
M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Position:
    day: datetime.date
    pk: int

    @classmethod
    def parse(cls, value: str | None) -> Position | None:
        match = _POSITION.fullmatch(value or "")
        if match is None:
            return None
        try:
            day = datetime.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
        return cls(day, int(match[4]))

    def __str__(self) -> str:
        return f"{self.day.isoformat()}.{self.pk}"


@dataclass
class Page(Generic[M]):
    rows: list[M]
    after: Position | None  # where the next page starts; None: this is the last
    is_first: bool


def page(rows: QuerySet[M], value: str | None, *, field: str, newest_first: bool, per_page: int) -> Page[M]:
    """One page of ``rows`` ordered by ``field`` (a date) and the id, starting after the position
    ``value``."""
    position = Position.parse(value)
    if position is not None:
        if newest_first:
            rows = rows.filter(Q(**{f"{field}__lt": position.day}) | Q(**{field: position.day, "pk__lt": position.pk}))
        else:
            rows = rows.filter(Q(**{f"{field}__gt": position.day}) | Q(**{field: position.day, "pk__gt": position.pk}))
    order = (f"-{field}", "-pk") if newest_first else (field, "pk")
    shown = list(rows.order_by(*order)[: per_page + 1])
    after = None
    if len(shown) > per_page:
        last = shown[per_page - 1]
        after = Position(getattr(last, field), last.pk)
    return Page(rows=shown[:per_page], after=after, is_first=position is None)
