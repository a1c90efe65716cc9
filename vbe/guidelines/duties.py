"""What an organisation owes under the guideline in a given year, computed from the duty rules."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from vbe.guidelines.models import ReportingDuty
from vbe.organisations.models import Organisation


@dataclass(frozen=True)
class DueDocument:
    duty: ReportingDuty
    year: int
    due: datetime.date

    @property
    def label(self) -> str:
        return self.duty.get_document_display()


def _due(duties: Iterable[ReportingDuty], years: Iterable[int]) -> list[DueDocument]:
    """The documents ``duties`` call for in ``years``, by due date."""
    due = [DueDocument(d, year, d.due_date(year)) for year in years for d in duties if d.applies_in(year)]
    return sorted(due, key=lambda item: (item.due, item.label))


def duties_for(organisation: Organisation, year: int) -> list[DueDocument]:
    """Documents ``organisation`` owes in ``year`` under the current guideline, by due date."""
    return _due(ReportingDuty.objects.filter(organisations=organisation, guideline__is_current=True), [year])


def next_due(organisations: Iterable[Organisation], today: datetime.date) -> list[DueDocument]:
    """What ``organisations`` owe from ``today`` on, this year and next, by due date: one query for all of
    them (a document two of them owe under one duty is listed once)."""
    duties = list(
        ReportingDuty.objects.filter(organisations__in=list(organisations), guideline__is_current=True)
        .order_by("pk")
        .distinct()
    )
    return [item for item in _due(duties, [today.year, today.year + 1]) if item.due >= today]
