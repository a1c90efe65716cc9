"""Pages of a list shown newest first (``created_at`` descending, the id breaking ties), by position.

A page is found from where the last one ended (keyset pagination), not by a page number: the database
reads an index from that point and stops after one page, however deep the page, where ``OFFSET`` would
read and throw away every row before it. The links carry the position of the first or last row shown
(``?efter=<position>`` for older rows, ``?fore=<position>`` for newer ones); the position says when a
row was created and its id, nothing about its content. A position that does not parse shows the first
page, as a bad page number did.

The total is counted only up to ``COUNT_CAP`` rows ("fler än 1 000"), so the count costs the same for a
scope of a thousand rows as for one of a hundred thousand. Lists that need page numbers keep Django's
``Paginator`` and ``includes/_pagination.html``; these pages use ``includes/_newest_first_pagination.html``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.formats import number_format

PER_PAGE = 25
COUNT_CAP = 1000
OLDER = "efter"  # rows created after this one in the list's order: older ones, the next page
NEWER = "fore"  # rows before it in the list's order: newer ones, the previous page
PARAMETERS = (OLDER, NEWER)

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_MICROSECOND = datetime.timedelta(microseconds=1)
_POSITION = re.compile(r"(\d{1,17})-(\d{1,19})", re.ASCII)
_LARGEST_ID = 2**63 - 1  # a bigint: a larger number would be refused by the database, not just miss


@dataclass(frozen=True)
class Position:
    """Where a row stands in the list: when it was created (to the microsecond) and its id."""

    created_at: datetime.datetime
    pk: int

    @classmethod
    def of(cls, row: Any) -> Position:
        return cls(row.created_at, row.pk)

    @classmethod
    def parse(cls, value: str | None) -> Position | None:
        match = _POSITION.fullmatch(value or "")
        if match is None or int(match[2]) > _LARGEST_ID:
            return None
        try:
            created_at = _EPOCH + int(match[1]) * _MICROSECOND
        except OverflowError:  # beyond the year 9999
            return None
        return cls(created_at, int(match[2]))

    def __str__(self) -> str:
        # Whole microseconds since 1970 (UTC): exact, unlike a float timestamp.
        return f"{(self.created_at - _EPOCH) // _MICROSECOND}-{self.pk}"

    def older(self) -> Q:
        """Rows after this one, newest first. The first condition alone bounds the index range."""
        return Q(created_at__lte=self.created_at) & (
            Q(created_at__lt=self.created_at) | Q(created_at=self.created_at, pk__lt=self.pk)
        )

    def newer(self) -> Q:
        return Q(created_at__gte=self.created_at) & (
            Q(created_at__gt=self.created_at) | Q(created_at=self.created_at, pk__gt=self.pk)
        )


@dataclass
class NewestFirstPage:
    object_list: list
    count: int  # rows in the whole list, counted up to COUNT_CAP + 1
    newer: Position | None  # the link to the previous page starts here (None: this is the first page)
    older: Position | None  # the link to the next page starts here (None: this is the last page)
    count_cap: int = COUNT_CAP

    @property
    def more_than_cap(self) -> bool:
        return self.count > self.count_cap

    @property
    def cap_label(self) -> str:
        """The cap as the language writes it ("1 000" in Swedish), for "fler än 1 000"."""
        return number_format(self.count_cap, force_grouping=True)

    def has_other_pages(self) -> bool:
        return self.newer is not None or self.older is not None

    def __iter__(self) -> Iterator:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def get_page(
    queryset: QuerySet, params: Mapping[str, str], per_page: int = PER_PAGE, count_cap: int | None = None
) -> NewestFirstPage:
    """The page of ``queryset`` that ``params`` (the request's query) points at. Two queries: the page
    (one row more than shown, to know whether there is a next one) and the capped count; a previous
    page that turns out to be the first costs one more."""
    count_cap = COUNT_CAP if count_cap is None else count_cap
    older_than = Position.parse(params.get(OLDER))
    newer_than = None if older_than else Position.parse(params.get(NEWER))
    ordered = queryset.order_by("-created_at", "-pk")
    rows: list = []
    if newer_than is not None:
        # The rows just above the position, nearest first. Fewer than a page means the top was reached:
        # the first page is shown in full instead of a short one.
        above = list(queryset.filter(newer_than.newer()).order_by("created_at", "pk")[: per_page + 1])
        if len(above) > per_page:
            rows = above[:per_page][::-1]
            page = NewestFirstPage(rows, 0, Position.of(rows[0]), Position.of(rows[-1]), count_cap)
    if older_than is not None:
        rows = list(ordered.filter(older_than.older())[: per_page + 1])
        # Past the end (the rows below were removed, or the position was made up): the first page.
        if rows:
            older = Position.of(rows[per_page - 1]) if len(rows) > per_page else None
            rows = rows[:per_page]
            page = NewestFirstPage(rows, 0, Position.of(rows[0]), older, count_cap)
    if not rows:
        rows = list(ordered[: per_page + 1])
        older = Position.of(rows[per_page - 1]) if len(rows) > per_page else None
        page = NewestFirstPage(rows[:per_page], 0, None, older, count_cap)
    # Only ids, without the page's joins and annotations, and never more than the cap and one.
    page.count = queryset.order_by().values("pk")[: count_cap + 1].count()
    return page
