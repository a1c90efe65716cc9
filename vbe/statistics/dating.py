"""When a record counts: the one definition of "in a year" (or a month, or a period) for each kind.

- An incident counts on the day it happened (``occurred_on``).
- A concern counts on the day it was received (``created_at``, in Swedish time), not the day the
  reporter says it happened (``observed_on``). The day of receipt is set by the portal and never
  changes, so a year's figures are final once the year is over: the situation picture a board has
  decided on and the status report sent to the city council keep their figures, and no concern
  reported late moves a published figure (comparing the two versions of a figure would single that
  concern out). The reporter's date is their answer to "När hände det?", sometimes long before.

Every page and document that counts concerns or incidents for a period goes through ``Dating``:
the plan page, the statistics pages and the status report count the same records for a year.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import DateTimeField, Max, Min, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive
    label: str
    months: tuple[datetime.date, ...]


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def last_twelve_months(today: datetime.date | None = None) -> Period:
    today = today or timezone.localdate()
    first = _add_months(today.replace(day=1), -11)
    months = tuple(_add_months(first, i) for i in range(12))
    return Period(first, today, _("de senaste tolv månaderna"), months)


def calendar_year(year: int) -> Period:
    months = tuple(datetime.date(year, m, 1) for m in range(1, 13))
    return Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31), str(year), months)


def years(first: int, last: int) -> Period:
    """Whole calendar years ``first`` to ``last`` (a plan's period)."""
    months = tuple(datetime.date(y, m, 1) for y in range(first, last + 1) for m in range(1, 13))
    label = str(first) if first == last else f"{first}–{last}"
    return Period(datetime.date(first, 1, 1), datetime.date(last, 12, 31), label, months)


def month_label(month: datetime.date, *, with_year: bool = True) -> str:
    """A chart's short month ("jan 2026", "feb"), in the language of the page (Django's own names)."""
    return date_format(month, "b Y" if with_year else "b")


def month_name(month: datetime.date) -> str:
    """A table's month ("januari 2026")."""
    return date_format(month, "F Y")


@dataclass(frozen=True)
class Dating:
    """The date field a kind of record is counted by; a date-and-time field counts by its Swedish day."""

    field: str

    def _is_moment(self, queryset: QuerySet) -> bool:
        return isinstance(queryset.model._meta.get_field(self.field), DateTimeField)

    def within(self, queryset: QuerySet, start: datetime.date, end: datetime.date) -> QuerySet:
        """The records of ``queryset`` dated ``start`` to ``end``, both included."""
        if not self._is_moment(queryset):
            return queryset.filter(**{f"{self.field}__gte": start, f"{self.field}__lte": end})
        tz = timezone.get_current_timezone()
        first = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
        after = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        return queryset.filter(**{f"{self.field}__gte": first, f"{self.field}__lt": after})

    def in_period(self, queryset: QuerySet, period: Period) -> QuerySet:
        return self.within(queryset, period.start, period.end)

    def in_year(self, queryset: QuerySet, year: int) -> QuerySet:
        return self.in_period(queryset, calendar_year(year))

    def month(self) -> TruncMonth:
        """The first of the month a record counts in (in Swedish time for a date-and-time field)."""
        return TruncMonth(self.field)

    def month_of(self, value: datetime.date | datetime.datetime) -> datetime.date:
        """``month`` of one record's value, in Python: the first of its (Swedish) month."""
        if isinstance(value, datetime.datetime):
            value = timezone.localtime(value).date()
        return value.replace(day=1)

    def years_spanned(self, queryset: QuerySet) -> range:
        """The years from the first record's to the last's (empty without records): one query of
        ``MIN`` and ``MAX``, which an index on the field answers without reading the rows. A year
        between them without records is in the range too, and shows zeros."""
        span = queryset.order_by().aggregate(first=Min(self.field), last=Max(self.field))
        first, last = span["first"], span["last"]
        if first is None or last is None:
            return range(0)
        if self._is_moment(queryset):  # the year of the Swedish day, as ``within`` counts it
            first, last = timezone.localtime(first), timezone.localtime(last)
        return range(first.year, last.year + 1)


INCIDENTS = Dating("occurred_on")
CONCERNS = Dating("created_at")


def as_date(month: datetime.date | datetime.datetime) -> datetime.date:
    """A truncated month as a date: SQLite gives a date, some backends a datetime at midnight."""
    return month.date() if isinstance(month, datetime.datetime) else month
