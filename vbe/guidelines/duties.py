"""What an organisation owes under the guideline in a given year, computed from the duty rules."""

from __future__ import annotations

import datetime
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


def duties_for(organisation: Organisation, year: int) -> list[DueDocument]:
    """Documents ``organisation`` owes in ``year`` under the current guideline, by due date."""
    duties = ReportingDuty.objects.filter(organisations=organisation, guideline__is_current=True)
    due = [DueDocument(d, year, d.due_date(year)) for d in duties if d.applies_in(year)]
    return sorted(due, key=lambda item: item.due)
