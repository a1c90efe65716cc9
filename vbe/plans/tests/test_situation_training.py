"""The training beside a plan's situation picture: the organisation's coverage per level against the
target, on 31 December of the plan's last year (or today, if earlier), exact for the organisation's
keepers and with small groups hidden for everyone else.

Counted by hand, for a plan of 2025 read on 1 March 2026 (so on 31 December 2025):
Södermalm, Söderfritids, fritid, headcount 4 for 2025: L1 CVE basic 2024, L2 digital basic 2021 (valid three
years: expired), L3 digital advanced November 2025. -> basic 1/4 = 25 %, advanced 1/4 = 25 %.
Järva has no headcount: "inga anställda registrerade".
"""

from __future__ import annotations

import datetime

from vbe.competence.models import (
    Completion,
    CompletionSource,
    Course,
    CourseFormat,
    CoverageTarget,
    Headcount,
    Learner,
    Level,
    Placement,
    StaffGroup,
)
from vbe.organisations.models import Organisation, Unit, UnitKind
from vbe.plans import situation
from vbe.plans.tests.conftest import make_plan

TODAY = datetime.date(2026, 3, 1)


def _course(title: str, level: str, validity: int | None) -> Course:
    return Course.objects.create(
        title=title, provider="Testanordnare", level=level, format=CourseFormat.DIGITAL, validity_years=validity
    )


def _world() -> Organisation:
    fritid = StaffGroup.objects.get(slug="fritid")
    sodermalm = Organisation.objects.get(slug="sodermalm")
    unit = Unit.objects.create(organisation=sodermalm, name="Söderfritids", kind=UnitKind.YOUTH_CENTRE)
    courses = {
        "cve": _course("Test: CVE grund", Level.BASIC, None),
        "digital": _course("Test: digital grund", Level.BASIC, 3),
        "advanced": _course("Test: digital fördjupning", Level.ADVANCED, 3),
    }
    for n, course, day in (
        (1, "cve", datetime.date(2024, 5, 1)),
        (2, "digital", datetime.date(2021, 5, 1)),
        (3, "advanced", datetime.date(2025, 11, 1)),
    ):
        learner = Learner.objects.create(email=f"l{n}@vbe.example")
        Placement.objects.create(learner=learner, unit=unit, staff_group=fritid)
        Completion.objects.create(
            learner=learner, course=courses[course], completed_on=day, source=CompletionSource.MANUAL
        )
    Headcount.objects.create(unit=unit, staff_group=fritid, year=2025, count=4)
    CoverageTarget.objects.create(level=Level.BASIC, percent=80)
    return sodermalm


def _facts(training) -> dict[str, tuple[str, str, bool]]:
    return {fact.level: (fact.value, fact.target_text, fact.below) for fact in training.facts}


def test_exact_for_the_organisations_coordinator_hidden_for_others(cast):
    sodermalm = _world()
    own = situation.situation_training(sodermalm, 2025, viewer=cast["coordinator_other"], today=TODAY)
    assert own.on == datetime.date(2025, 12, 31)
    assert _facts(own) == {Level.BASIC: ("25 %", "80 %", True), Level.ADVANCED: ("25 %", "inget mål satt", False)}
    central = situation.situation_training(sodermalm, 2025, viewer=cast["central_coordinator"], today=TODAY)
    assert _facts(central)[Level.BASIC] == ("25 %", "80 %", True)
    for outsider in (cast["coordinator"], cast["board_reader"], None):
        hidden = situation.situation_training(sodermalm, 2025, viewer=outsider, today=TODAY)
        assert _facts(hidden)[Level.BASIC] == ("färre än 5 anställda", "80 %", False)


def test_a_running_plan_year_is_read_today(cast):
    sodermalm = _world()
    training = situation.situation_training(sodermalm, 2026, viewer=cast["coordinator_other"], today=TODAY)
    assert training.on == TODAY
    # The 2025 headcount is still the latest; the digital basic course of 2021 stays expired.
    assert _facts(training)[Level.BASIC][0] == "25 %"


def test_an_organisation_without_headcounts(cast):
    _world()
    jarva = Organisation.objects.get(slug="jarva")
    training = situation.situation_training(jarva, 2025, viewer=cast["coordinator"], today=TODAY)
    assert _facts(training)[Level.BASIC] == ("inga anställda registrerade", "80 %", False)


def test_the_plan_page_shows_the_training_beside_the_figures(cast):
    _world()
    plan = make_plan(cast, organisation="sodermalm", coordinator="coordinator_other")
    html = cast.client("coordinator_other").get(f"/planer/{plan.pk}/").content.decode()
    table = html[html.index('data-figures="training"') :]
    table = table[: table.index("</table>")]
    assert "Grundläggande" in table and "Fördjupning" in table and "80 %" in table
    assert situation.situation_statistics(plan.organisation, plan.year, viewer=cast["coordinator_other"]).training
