"""The unit manager's start page shows the training of the staff at their units, per level, against the
target, exact (a unit manager keeps their own units' figures), with a link to the organisation's coverage.

Counted by hand, on today's date (every date below is relative to it): Testfritidsgården, fritid, headcount
10 for this year (last year's 50 is not the latest). Six posts:
  L1 CVE basic two years ago (never expires) and the digital advanced course 30 days ago;
  L2 digital basic 100 days ago; L3 digital basic three years and ten days ago (expired: valid three years);
  L4, L5, L6 nothing.
  -> basic 2/10 = 20 %, advanced 1/10 = 10 %. Another Järva unit's trained staff do not count.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

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
from vbe.organisations.models import Unit, UnitKind
from vbe.statistics import city

pytestmark = pytest.mark.django_db

MAX_QUERIES = 20


def _course(title: str, level: str, validity: int | None) -> Course:
    return Course.objects.create(
        title=title, provider="Testanordnare", level=level, format=CourseFormat.DIGITAL, validity_years=validity
    )


@pytest.fixture
def world(cast):
    today = timezone.localdate()
    fritid = StaffGroup.objects.get(slug="fritid")
    digital_basic = _course("Test: digital grund", Level.BASIC, 3)
    cve_basic = _course("Test: CVE grund", Level.BASIC, None)
    digital_advanced = _course("Test: digital fördjupning", Level.ADVANCED, 3)
    unit = Unit.objects.get(organisation__slug="jarva", name="Testfritidsgården")
    other = Unit.objects.create(organisation=unit.organisation, name="Annan fritidsgård", kind=UnitKind.YOUTH_CENTRE)
    people = [Learner.objects.create(email=f"l{n}@vbe.example") for n in range(1, 7)]
    for learner in people:
        Placement.objects.create(learner=learner, unit=unit, staff_group=fritid)
    days = datetime.timedelta
    done = [
        (people[0], cve_basic, today - days(730)),
        (people[0], digital_advanced, today - days(30)),
        (people[1], digital_basic, today - days(100)),
        (people[2], digital_basic, today.replace(year=today.year - 3) - days(10)),
    ]
    for learner, course, day in done:
        Completion.objects.create(learner=learner, course=course, completed_on=day, source=CompletionSource.MANUAL)
    elsewhere = Learner.objects.create(email="annan@vbe.example")
    Placement.objects.create(learner=elsewhere, unit=other, staff_group=fritid)
    Completion.objects.create(
        learner=elsewhere, course=cve_basic, completed_on=today - days(5), source=CompletionSource.MANUAL
    )
    Headcount.objects.create(unit=other, staff_group=fritid, year=today.year, count=1)
    Headcount.objects.create(unit=unit, staff_group=fritid, year=today.year - 1, count=50)
    Headcount.objects.create(unit=unit, staff_group=fritid, year=today.year, count=10)
    CoverageTarget.objects.create(level=Level.BASIC, percent=80)
    CoverageTarget.objects.create(level=Level.ADVANCED, percent=5)
    return {"unit": unit, "fritid": fritid, "cve_basic": cve_basic}


def _home(cast, django_assert_max_num_queries):
    city.forget()
    client = cast.client("unit_manager")
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get("/")
    assert response.status_code == 200
    return response


def test_unit_manager_sees_the_training_of_their_units_against_the_target(world, cast, django_assert_max_num_queries):
    response = _home(cast, django_assert_max_num_queries)
    lines = [(line.label, line.value, line.target_text, line.below) for line in response.context["training_lines"]]
    assert lines == [("Grundläggande", "20 %", "80 %", True), ("Fördjupning", "10 %", "5 %", False)]
    assert response.context["training_links"] == [("Järva stadsdelsnämnd", "/utbildning/tackning/jarva/")]
    html = response.content.decode()
    assert "Utbildad personal i dina verksamheter" in html
    assert 'href="/utbildning/tackning/jarva/"' in html
    assert "under målet" in html


def test_without_headcounts_the_start_page_says_the_share_cannot_be_counted(cast, django_assert_max_num_queries):
    response = _home(cast, django_assert_max_num_queries)
    assert response.context["training_counted"] is False
    html = response.content.decode()
    assert "Antalet anställda i dina verksamheter är inte registrerat ännu" in html
    assert 'href="/utbildning/tackning/jarva/"' in html


def test_the_start_page_makes_as_many_queries_with_many_learners(world, cast, django_assert_max_num_queries):
    client = cast.client("unit_manager")

    def count() -> int:
        city.forget()
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return len(queries)

    few = count()
    Learner.objects.bulk_create(Learner(email=f"extra{i}@vbe.example") for i in range(300))
    extra = list(Learner.objects.filter(email__startswith="extra"))
    Placement.objects.bulk_create(
        Placement(learner=le, unit=world["unit"], staff_group=world["fritid"]) for le in extra
    )
    Completion.objects.bulk_create(
        Completion(
            learner=le, course=world["cve_basic"], completed_on=timezone.localdate(), source=CompletionSource.IMPORT
        )
        for le in extra
    )
    many = count()
    assert many == few <= MAX_QUERIES
    # 302 trained posts of a headcount of 10: capped at 100 %.
    assert _home(cast, django_assert_max_num_queries).context["training_lines"][0].value == "100 %"
