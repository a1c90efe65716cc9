"""The coverage pages and exports run a bounded number of queries, whatever the number of rows."""

from __future__ import annotations

import datetime
import random

import pytest

from vbe.competence.models import (
    Completion,
    CompletionSource,
    Course,
    CourseFormat,
    Headcount,
    Learner,
    Level,
    Placement,
    StaffGroup,
)
from vbe.organisations.models import Organisation, Unit, UnitKind

UNITS, LEARNERS, COMPLETIONS = 300, 5_000, 20_000


@pytest.fixture
def big_city(cast):
    rng = random.Random(11)
    jarva = Organisation.objects.get(slug="jarva")
    others = list(Organisation.objects.exclude(pk=jarva.pk).order_by("pk")[:5])
    Unit.objects.bulk_create(
        Unit(organisation=jarva if i % 2 else others[i % len(others)], name=f"Enhet {i}", kind=UnitKind.SCHOOL)
        for i in range(UNITS)
    )
    units = list(Unit.objects.values_list("pk", flat=True))
    groups = list(StaffGroup.objects.values_list("pk", flat=True))
    groups += [
        g.pk
        for g in StaffGroup.objects.bulk_create(
            StaffGroup(name=f"Grupp {i}", slug=f"grupp-{i}", position=100 + i) for i in range(max(0, 9 - len(groups)))
        )
    ]
    groups = groups[:9]
    Headcount.objects.bulk_create(
        Headcount(unit_id=u, staff_group_id=g, year=y, count=rng.randint(0, 40))
        for u in units
        for g in groups
        for y in (2023, 2025)
    )
    courses = Course.objects.bulk_create(
        Course(
            title=f"Skalkurs {i}",
            provider="Staden",
            level=Level.BASIC if i % 2 else Level.ADVANCED,
            format=CourseFormat.DIGITAL,
            validity_years=(None, 1, 2, 3)[i % 4],
        )
        for i in range(12)
    )
    learners = Learner.objects.bulk_create(Learner(email=f"skala{i}@example.test") for i in range(LEARNERS))
    Placement.objects.bulk_create(
        Placement(learner=learner, unit_id=u, staff_group_id=rng.choice(groups))
        for learner in learners
        for u in rng.sample(units, rng.choice((1, 1, 1, 2)))
    )
    seen = set()
    rows = []
    while len(rows) < COMPLETIONS:
        key = (
            rng.choice(learners).pk,
            rng.choice(courses).pk,
            datetime.date(2018, 1, 1) + datetime.timedelta(rng.randrange(2900)),
        )
        if key not in seen:
            seen.add(key)
            rows.append(
                Completion(learner_id=key[0], course_id=key[1], completed_on=key[2], source=CompletionSource.IMPORT)
            )
    Completion.objects.bulk_create(rows, batch_size=2000)
    return jarva


@pytest.mark.django_db
def test_pages_and_exports_stay_within_the_query_bound(big_city, cast, django_assert_max_num_queries):
    central = cast.client("central_coordinator")
    coordinator = cast.client("coordinator")
    for client, url in (
        (central, "/utbildning/tackning/"),
        (central, "/utbildning/tackning.xlsx"),
        (coordinator, "/utbildning/tackning/jarva/"),
        (coordinator, "/utbildning/tackning/jarva.xlsx"),
        (cast.client("unit_manager"), "/utbildning/tackning/jarva/"),
    ):
        with django_assert_max_num_queries(20):
            response = client.get(url, {"per": "2025-06-30"})
        assert response.status_code == 200, url
    # The figures are really there: 150 Järva units (and the cast's own), each listed.
    html = coordinator.get("/utbildning/tackning/jarva/", {"per": "2025-06-30"}).content.decode()
    assert html.count("Enhet ") >= 150
