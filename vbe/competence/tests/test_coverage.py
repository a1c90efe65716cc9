"""Coverage figures against hand-computed expectations (vbe/competence/coverage.py)."""

from __future__ import annotations

import datetime
import itertools

import pytest

from vbe.competence import coverage
from vbe.competence.coverage import Share
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
from vbe.organisations.models import Organisation, OrganisationKind, Unit, UnitKind

BASIC, ADVANCED = Level.BASIC.value, Level.ADVANCED.value
D = datetime.date
_n = itertools.count()


def course(level: str = BASIC, validity: int | None = None, *, active: bool = True) -> Course:
    return Course.objects.create(
        title=f"Kurs {next(_n)}",
        provider="Staden",
        level=level,
        format=CourseFormat.DIGITAL,
        validity_years=validity,
        is_active=active,
    )


def learner() -> Learner:
    return Learner.objects.create(email=f"person{next(_n)}@example.test")


def place(person: Learner, unit: Unit, group: StaffGroup) -> Placement:
    return Placement.objects.create(learner=person, unit=unit, staff_group=group)


def done(person: Learner, c: Course, on: datetime.date) -> Completion:
    return Completion.objects.create(learner=person, course=c, completed_on=on, source=CompletionSource.IMPORT)


def staff(unit: Unit, group: StaffGroup, n: int, year: int = 2025) -> Headcount:
    return Headcount.objects.create(unit=unit, staff_group=group, year=year, count=n)


@pytest.fixture
def org(db):
    return Organisation.objects.create(name="Provnämnden", slug="provnamnden", kind=OrganisationKind.SPECIALIST_BOARD)


@pytest.fixture
def units(org):
    return [Unit.objects.create(organisation=org, name=f"Enhet {c}", kind=UnitKind.SCHOOL) for c in "AB"]


@pytest.fixture
def groups(db):
    a = StaffGroup.objects.create(name="Provgrupp ett", slug="prov-ett", position=900)
    b = StaffGroup.objects.create(name="Provgrupp två", slug="prov-tva", position=901)
    return [a, b]


# --- Share ----------------------------------------------------------------------------------------


def test_share_texts():
    assert Share(trained=5, headcount=8, suppressed=False).percent == 63  # 62.5 rounds half up
    assert Share(trained=5, headcount=8, suppressed=False).text == "63 %"
    assert Share(trained=9, headcount=8, suppressed=False).percent == 100  # HR lags: capped
    assert Share(trained=0, headcount=0, suppressed=False).percent is None
    assert Share(trained=0, headcount=0, suppressed=False).text == "inga anställda registrerade"
    assert Share(trained=2, headcount=3, suppressed=True).percent is None
    assert Share(trained=2, headcount=3, suppressed=True).text == "färre än 5 anställda"
    assert coverage.make_share(2, 3, exact=True) == Share(2, 3, False)
    assert coverage.make_share(2, 3, exact=False) == Share(2, 3, True)
    assert coverage.make_share(2, 5, exact=False) == Share(2, 5, False)
    assert coverage.make_share(0, 0, exact=False) == Share(0, 0, False)


def test_earliest_valid_agrees_with_valid_until_every_day_over_leap_years():
    probe_days = [D(2023, 1, 1) + datetime.timedelta(days=i) for i in range(0, 1200, 1)]
    for years in (1, 3, 4):
        probe = Course(validity_years=years)
        for on in probe_days[::7] + [D(2024, 2, 28), D(2024, 2, 29), D(2024, 3, 1), D(2025, 2, 28), D(2025, 3, 1)]:
            first = probe.earliest_valid(on)
            assert probe.valid_until(first) >= on
            assert probe.valid_until(first - datetime.timedelta(days=1)) < on


# --- Validity ---------------------------------------------------------------------------------------


def test_three_year_course_expires_on_the_third_anniversary(units, groups):
    three_years = course(validity=3)
    person = learner()
    place(person, units[0], groups[0])
    done(person, three_years, D(2022, 3, 1))
    staff(units[0], groups[0], 10, year=2024)
    # valid_until(2022-03-01) = 2025-02-28
    on_last_day = coverage.unit_shares([units[0].pk], on=D(2025, 2, 28), exact=True)
    after = coverage.unit_shares([units[0].pk], on=D(2025, 3, 1), exact=True)
    assert on_last_day[BASIC] == Share(trained=1, headcount=10, suppressed=False)
    assert on_last_day[BASIC].text == "10 %"
    assert after[BASIC] == Share(trained=0, headcount=10, suppressed=False)
    # Not yet valid the day before it was taken.
    assert coverage.unit_shares([units[0].pk], on=D(2022, 2, 28), exact=True)[BASIC].trained == 0


def test_inactive_course_still_counts_and_a_person_with_both_levels_counts_in_both(units, groups):
    old = course(BASIC, active=False)
    deep = course(ADVANCED, validity=2)
    first, second = learner(), learner()
    for p in (first, second):
        place(p, units[0], groups[0])
    done(first, old, D(2019, 5, 5))
    done(first, deep, D(2024, 6, 1))
    done(second, deep, D(2020, 6, 1))  # expired 2022-05-31
    staff(units[0], groups[0], 5)
    shares = coverage.unit_shares([units[0].pk], on=D(2025, 6, 1), exact=False)
    assert shares[BASIC] == Share(1, 5, False)  # 20 %
    assert shares[ADVANCED] == Share(1, 5, False)
    assert (shares[BASIC].text, shares[ADVANCED].text) == ("20 %", "20 %")


# --- Posts, headcounts, aggregation -----------------------------------------------------------------


def test_person_in_two_units_counts_in_both_and_the_org_share_is_posts_over_summed_headcounts(org, units, groups):
    a, b = units
    c = course(BASIC)
    both = learner()
    place(both, a, groups[0])
    place(both, b, groups[1])
    done(both, c, D(2024, 1, 10))
    only_a = learner()
    place(only_a, a, groups[0])
    done(only_a, c, D(2024, 1, 10))
    untrained = learner()
    place(untrained, b, groups[1])
    staff(a, groups[0], 8)
    staff(b, groups[1], 12)
    on = D(2025, 1, 1)
    by_unit = dict(coverage.shares_by_unit(org.pk, on=on, exact=True))
    assert by_unit[a][BASIC] == Share(2, 8, False)  # 25 %
    assert by_unit[b][BASIC] == Share(1, 12, False)  # 8 %
    assert by_unit[b][BASIC].percent == 8
    # Three trained posts (two people) over 8 + 12.
    assert coverage.organisation_shares(org.pk, on=on, exact=True)[BASIC] == Share(3, 20, False)
    assert coverage.organisation_shares(org.pk, on=on, exact=True)[BASIC].percent == 15
    by_group = dict(coverage.shares_by_staff_group(org.pk, on=on, exact=True))
    assert by_group[groups[0]][BASIC] == Share(2, 8, False)
    assert by_group[groups[1]][BASIC] == Share(1, 12, False)
    city = dict(coverage.shares_by_organisation(on=on, exact=True))
    assert city[org][BASIC] == Share(3, 20, False)
    assert coverage.unit_shares([a.pk, b.pk], on=on, exact=True)[BASIC] == Share(3, 20, False)


def test_headcount_zero_and_missing(org, units, groups):
    a, b = units
    c = course(BASIC)
    person = learner()
    place(person, a, groups[0])
    place(person, b, groups[0])
    done(person, c, D(2024, 1, 10))
    staff(a, groups[0], 0)  # b: no headcount at all
    on = D(2025, 1, 1)
    by_unit = dict(coverage.shares_by_unit(org.pk, on=on, exact=True))
    for unit in (a, b):
        assert by_unit[unit][BASIC].headcount == 0
        assert by_unit[unit][BASIC].percent is None
        assert by_unit[unit][BASIC].text == "inga anställda registrerade"
    # A cell without headcount adds neither posts nor people to the organisation.
    staff(b, groups[1], 10)
    assert coverage.organisation_shares(org.pk, on=on, exact=True)[BASIC] == Share(0, 10, False)


def test_latest_headcount_up_to_the_year_is_used(units, groups):
    a = units[0]
    staff(a, groups[0], 10, year=2022)
    staff(a, groups[0], 20, year=2024)
    staff(a, groups[0], 40, year=2026)
    assert coverage.unit_shares([a.pk], on=D(2021, 6, 1), exact=True)[BASIC].headcount == 0
    assert coverage.unit_shares([a.pk], on=D(2023, 6, 1), exact=True)[BASIC].headcount == 10
    assert coverage.unit_shares([a.pk], on=D(2025, 6, 1), exact=True)[BASIC].headcount == 20
    assert coverage.unit_shares([a.pk], on=D(2026, 1, 1), exact=True)[BASIC].headcount == 40


def test_small_groups_suppressed_unless_exact(org, units, groups):
    a = units[0]
    c = course(BASIC)
    person = learner()
    place(person, a, groups[0])
    done(person, c, D(2024, 1, 10))
    staff(a, groups[0], 3)
    on = D(2025, 1, 1)
    assert coverage.organisation_shares(org.pk, on=on, exact=True)[BASIC].text == "33 %"
    hidden = coverage.organisation_shares(org.pk, on=on, exact=False)[BASIC]
    assert hidden.suppressed and hidden.percent is None
    assert hidden.text == "färre än 5 anställda"
    # Together with a bigger group the organisation is shown, the small unit is not.
    staff(units[1], groups[0], 7)
    assert coverage.organisation_shares(org.pk, on=on, exact=False)[BASIC] == Share(1, 10, False)
    assert dict(coverage.shares_by_unit(org.pk, on=on, exact=False))[a][BASIC].suppressed


def test_trend_takes_each_31_december_and_that_years_headcount(org, units, groups, monkeypatch):
    monkeypatch.setattr(coverage.timezone, "localdate", lambda: D(2025, 5, 1))
    a = units[0]
    c = course(BASIC, validity=1)
    person, other = learner(), learner()
    place(person, a, groups[0])
    place(other, a, groups[0])
    done(person, c, D(2023, 3, 1))  # valid 2023-03-01 .. 2024-02-29
    done(other, c, D(2024, 12, 31))  # valid 2024-12-31 .. 2025-12-30
    staff(a, groups[0], 10, year=2023)
    staff(a, groups[0], 5, year=2025)
    result = coverage.trend(org.pk, years=[2025, 2022, 2023, 2024], exact=True)
    assert [year for year, _ in result] == [2022, 2023, 2024, 2025]
    assert [s[BASIC] for _, s in result] == [
        Share(0, 0, False),  # no headcount yet
        Share(1, 10, False),  # 31 Dec 2023: person valid
        Share(1, 10, False),  # 31 Dec 2024: person expired, other valid; 2023's headcount
        Share(1, 5, False),  # today (1 May 2025): other still valid; 2025's headcount
    ]
    assert coverage.trend(org.pk, years=[2024], exact=True, unit_ids=[units[1].pk]) == [
        (2024, {BASIC: Share(0, 0, False), ADVANCED: Share(0, 0, False)})
    ]


def test_targets(db):
    CoverageTarget.objects.filter(level=BASIC).delete()
    CoverageTarget.objects.filter(level=ADVANCED).delete()
    assert coverage.targets() == {BASIC: None, ADVANCED: None}
    CoverageTarget.objects.create(level=BASIC, percent=80)
    assert coverage.targets() == {BASIC: 80, ADVANCED: None}
