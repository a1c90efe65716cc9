"""The plan cycle as the data states it: in which years a document is due, which years one covers, and
which of those years are followed up.

Every rule about years is read from the current guideline's ``ReportingDuty`` rows (their cadence) and
never written into code, so an administrator who changes a cadence (a handlingsplan in odd years instead
of even ones, say) changes everything that depends on it: the years a plan may be made for and how many
it covers, which plan covers a year, its follow-ups, the task list and the compliance overview. Help and
error texts name the rule as the data does (``Cycle.rule``: "varje jämnt år").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.guidelines.models import Cadence, Document, ReportingDuty

# The follow-up a document gets where the guideline makes it a duty of its own. A document without
# one is followed up for every year it covers.
FOLLOW_UP_OF: dict[str, str] = {Document.BOARD_PLAN: Document.BOARD_FOLLOW_UP}
PERIOD_TEXT = {1: gettext_lazy("ett år"), 2: gettext_lazy("två år")}


def _without_rule(document: str) -> ReportingDuty:
    """A document the current guideline sets no duty for has no rule about years: any year, one at a time."""
    return ReportingDuty(document=document, cadence=Cadence.YEARLY)


@dataclass(frozen=True)
class Cycle:
    """One document's cycle: its duty, and the duty of its follow-up if the guideline names one."""

    duty: ReportingDuty
    follow_up: ReportingDuty | None = None

    @property
    def document(self) -> str:
        return self.duty.document

    @property
    def period(self) -> int:
        """How many years one document covers: until the next one is due (two when every other year)."""
        return 1 if self.duty.cadence == Cadence.YEARLY else 2

    @property
    def rule(self) -> str:
        """The cadence as the data names it, for help and error texts: "varje jämnt år"."""
        return str(self.duty.get_cadence_display()).lower()

    @property
    def follow_up_rule(self) -> str:
        """How often the document is followed up, as the data names it: its follow-up duty's cadence, or
        every year when the guideline names no follow-up."""
        return str(self.follow_up.get_cadence_display() if self.follow_up else Cadence.YEARLY.label).lower()

    @property
    def period_text(self) -> str:
        if self.period in PERIOD_TEXT:
            return str(PERIOD_TEXT[self.period])
        return _("%(years)s år") % {"years": self.period}

    def applies_in(self, year: int) -> bool:
        """Whether a new document is due for ``year``."""
        return self.duty.applies_in(year)

    def years(self, first: int, last: int) -> list[int]:
        """The years from ``first`` to ``last`` (inclusive) a new document is due for."""
        return [year for year in range(first, last + 1) if self.applies_in(year)]

    def next_year(self, year: int) -> int:
        """The first year from ``year`` on that a new document is due for."""
        return next(y for y in range(year, year + self.period + 1) if self.applies_in(y))

    def first_year_covering(self, year: int) -> int:
        """The year of the document that covers ``year``: the latest year up to it a document is due for."""
        return next(y for y in range(year, year - self.period - 1, -1) if self.applies_in(y))

    def end_year(self, first_year: int) -> int:
        """The last year covered by the document made for ``first_year``."""
        return first_year + self.period - 1

    def period_label(self, first_year: int) -> str:
        last = self.end_year(first_year)
        return str(first_year) if last == first_year else f"{first_year}–{last}"

    def followed_up_in(self, year: int) -> bool:
        """Whether the documents covering ``year`` are followed up for it: in each year their follow-up
        duty applies in, or every year when the guideline names no follow-up."""
        return self.follow_up is None or self.follow_up.applies_in(year)

    def follow_up_years(self, first_year: int, end_year: int) -> list[int]:
        """The years of a document covering ``first_year``–``end_year`` that it is followed up for."""
        return [year for year in range(first_year, end_year + 1) if self.followed_up_in(year)]


def cycle_from(duties: Mapping[str, ReportingDuty], document: str) -> Cycle:
    """The cycle of ``document`` from duties already read ({document: duty}); no query."""
    follow_up = FOLLOW_UP_OF.get(document)
    return Cycle(duties.get(document) or _without_rule(document), duties.get(follow_up) if follow_up else None)


def cycle_for(document: str) -> Cycle:
    """The cycle of ``document`` under the current guideline (one query)."""
    wanted = [document, *([FOLLOW_UP_OF[document]] if document in FOLLOW_UP_OF else [])]
    duties = ReportingDuty.objects.filter(guideline__is_current=True, document__in=wanted)
    return cycle_from({duty.document: duty for duty in duties}, document)
