"""The figures shown beside a plan's situation picture: the organisation's incidents and concerns.

Aggregates only, counted and protected by ``vbe.statistics`` (a fixed number of queries, however many
rows): the same definition of "in a year" as the statistics pages and the status report, counts from
1 to 4 shown as "<5" unless the viewer coordinates the organisation, and a cell beside them hidden as
"x" when a total would give one away.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from vbe.concerns.models import State
from vbe.incidents.models import Category
from vbe.organisations.models import Organisation
from vbe.statistics import dating, organisation, suppression


@dataclass(frozen=True)
class StatRow:
    """One figure: ``group`` is the table it belongs in ("Händelser", "Oro för individer")."""

    group: str
    label: str
    value: str
    total: bool = False


class StatRows(list[StatRow]):
    """The rows, and what "x" means when one of them shows it."""

    secondary_note: str = ""


def situation_statistics(
    org: Organisation, year: int, *, end_year: int | None = None, viewer: suppression.Viewer = None
) -> StatRows:
    """The organisation's incident and concern figures for ``year`` (to ``end_year``), as rows.

    Two queries: incidents per category, concerns per step. Without a ``viewer`` every small count is
    suppressed."""
    period = dating.years(year, end_year or year)
    incidents = organisation.incident_tally(org, period, viewer=viewer)
    concerns = organisation.concern_tally(org, period, viewer=viewer)
    rows = StatRows()
    group = _("Händelser")
    rows.append(StatRow(group, _("Händelser totalt"), incidents.total.text, total=True))
    rows += [StatRow(group, str(label), incidents.get(value).text) for value, label in Category.choices]
    group = _("Oro för individer")  # received in the period, by the step each concern is in now
    rows.append(StatRow(group, _("Rapporter om oro totalt"), concerns.total.text, total=True))
    rows += [StatRow(group, str(label), concerns.get(value).text) for value, label in State.choices]
    if any(f.mark == suppression.Mark.SECONDARY for f in [*incidents.figures(), *concerns.figures()]):
        rows.secondary_note = str(suppression.SECONDARY_NOTE)
    return rows
