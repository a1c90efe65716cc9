"""The figures shown beside a plan's situation picture: the organisation's incidents and concerns, and
how many of its staff hold a valid training per level against the target (``StatRows.training``, counted
by ``vbe.competence.coverage``: exact for the organisation's keepers, small groups hidden for others).

Aggregates only, counted and protected by ``vbe.statistics`` (a fixed number of queries, however many
rows): the same definition of "in a year" as the statistics pages and the status report, counts from
1 to 4 shown as "<5" unless the viewer coordinates the organisation, and a cell beside them hidden as
"x" when a total would give one away.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from vbe.accounts import permissions
from vbe.accounts.permissions import Action
from vbe.competence import coverage
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


@dataclass(frozen=True)
class Training:
    on: datetime.date
    facts: list[coverage.LevelLine] = field(default_factory=list)


class StatRows(list[StatRow]):
    """The rows, and what "x" means when one of them shows it; beside them, the staff's training."""

    secondary_note: str = ""
    training: Training | None = None


def situation_training(
    org: Organisation, end_year: int, *, viewer: suppression.Viewer = None, today: datetime.date | None = None
) -> Training:
    """Coverage per level on 31 December of the plan's last year, or today if that is later (four
    queries). Exact for the organisation's coordinators and unit managers and the central coordinator."""
    on = min(datetime.date(end_year, 12, 31), today or timezone.localdate())
    exact = viewer is not None and permissions.can(viewer, Action.MANAGE_ORGANISATION_TRAINING, org)
    shares = coverage.organisation_shares(org.pk, on=on, exact=exact)
    facts = coverage.against_targets(shares, coverage.targets())
    return Training(on=on, facts=facts)


def situation_statistics(
    org: Organisation, year: int, *, end_year: int | None = None, viewer: suppression.Viewer = None
) -> StatRows:
    """The organisation's incident and concern figures for ``year`` (to ``end_year``), as rows.

    Six queries: incidents per category, concerns per step, and the training (``situation_training``).
    Without a ``viewer`` every small count is suppressed."""
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
    rows.training = situation_training(org, end_year or year, viewer=viewer)
    return rows
