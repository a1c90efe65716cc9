"""The status report's cycle, as its reporting duty states it (``vbe.guidelines.cycle``): the years a
nulägesrapport is made for, the years one covers, and the rule in words for help and error texts.
An administrator who changes the duty's cadence changes all of them."""

from __future__ import annotations

from django.utils.translation import gettext as _

from vbe.guidelines.cycle import Cycle, cycle_for
from vbe.guidelines.models import Document


def status_report_cycle() -> Cycle:
    """The status report's cycle under the current guideline (one query)."""
    return cycle_for(Document.STATUS_REPORT)


def cycle_text(cycle: Cycle) -> str:
    """The rule in a sentence: "Nulägesrapporten tas fram varje ojämnt år."."""
    return _("Nulägesrapporten tas fram %(rule)s.") % {"rule": cycle.rule}


def year_hint(cycle: Cycle, this_year: int) -> str:
    """The rule with the next two years it names, for the year field's help text."""
    first = cycle.next_year(this_year)
    return _("Nulägesrapporten tas fram %(rule)s (till exempel %(first)s eller %(second)s).") % {
        "rule": cycle.rule,
        "first": first,
        "second": cycle.next_year(first + 1),
    }


def off_cycle_error(cycle: Cycle, year: int) -> str:
    """Why ``year`` is refused, with the nearest years the rule allows."""
    choose = _("Välj %(before)s eller %(after)s.") % {
        "before": cycle.first_year_covering(year),
        "after": cycle.next_year(year),
    }
    return f"{cycle_text(cycle)} {choose}"


def covered_years(cycle: Cycle, year: int) -> tuple[int, ...]:
    """The years the report for ``year`` covers: those since the previous report, ``year`` included."""
    return tuple(range(year - cycle.period + 1, year + 1))
