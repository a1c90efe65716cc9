"""Each kind of plan's cycle, as the reporting duties state it (``vbe.guidelines.cycle``): the years a
plan is made for and how many it covers, the years it is followed up for, and the rule in words."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.guidelines.cycle import Cycle, cycle_for
from vbe.guidelines.models import Document
from vbe.plans.models import Plan, PlanKind

# The reporting duty whose cadence is each kind of plan's cycle.
PLAN_DOCUMENT = {PlanKind.DISTRICT: Document.DISTRICT_PLAN, PlanKind.BOARD: Document.BOARD_PLAN}
# The rule of each kind of plan in a sentence, filled in from its cycle.
CYCLE_TEXT = {
    PlanKind.DISTRICT: gettext_lazy("En åtgärdsplan tas fram %(rule)s och gäller i %(period)s."),
    PlanKind.BOARD: gettext_lazy("En handlingsplan tas fram %(rule)s och gäller i %(period)s."),
}


def plan_cycle(kind: str) -> Cycle:
    """The cycle of a plan of ``kind`` as the reporting duties state it (one query)."""
    return cycle_for(PLAN_DOCUMENT[PlanKind(kind)])


def cycle_text(kind: str, cycle: Cycle) -> str:
    """The rule in a sentence, as the data states it ("En handlingsplan tas fram varje jämnt år …")."""
    return CYCLE_TEXT[PlanKind(kind)] % {"rule": cycle.rule, "period": cycle.period_text}


def off_cycle_error(kind: str, cycle: Cycle, year: int) -> str:
    """Why ``year`` is refused for a plan of ``kind``, with the nearest years the rule allows."""
    before, after = cycle.first_year_covering(year), cycle.next_year(year)
    return f"{cycle_text(kind, cycle)} " + _("Välj %(before)s eller %(after)s.") % {"before": before, "after": after}


def follow_up_years(plan: Plan, cycle: Cycle) -> list[int]:
    """The years ``plan`` is followed up for: those of its years the follow-up rule applies in."""
    return cycle.follow_up_years(plan.year, plan.end_year)
