"""Query counts stay bounded as the data grows: the pages aggregate in SQL, never a query per cell."""

from __future__ import annotations

import datetime
import secrets

from django.db import connection
from django.test.utils import CaptureQueriesContext

from vbe.guidelines.models import CoordinatorDuty, FocusArea
from vbe.guidelines.vocabulary import Environment
from vbe.incidents.models import Category, Incident
from vbe.organisations.models import Organisation, OrganisationKind
from vbe.plans.models import DutyReport, FollowUp, Measure, Plan, PlanKind, PlanState
from vbe.reports.models import StatusReport
from vbe.reports.tests.factories import make_plan

YEAR = 2025
PAGES = [
    f"/rapporter/efterlevnad/?ar={YEAR}",
    f"/rapporter/efterlevnad/{YEAR}/jarva/",
    f"/rapporter/efterlevnad/{YEAR}/utbildningsnamnden/",
    f"/rapporter/tackning/?ar={YEAR}",
    f"/rapporter/nulagesrapport/{YEAR}/",
    "/rapporter/nulagesrapport/",
]


def grow(user, *, measures_per_plan: int, incidents: int) -> None:
    """Plans for every district and board (current and old versions), measures in every focus area,
    follow-ups, self-reports and incidents, made in bulk."""
    areas = list(FocusArea.objects.all())
    duties = list(CoordinatorDuty.objects.all())
    organisations = Organisation.objects.filter(
        kind__in=[OrganisationKind.DISTRICT_COUNCIL, OrganisationKind.SPECIALIST_BOARD]
    ).select_related("district")
    for org in organisations:
        district = org.kind == OrganisationKind.DISTRICT_COUNCIL
        for year in (2022, 2023, 2024, 2025) if district else (2022, 2024):
            if Plan.objects.filter(organisation=org, year=year, is_current=True).exists():
                continue
            plan = Plan.objects.create(
                organisation=org,
                kind=PlanKind.DISTRICT if district else PlanKind.BOARD,
                year=year,
                end_year=year if district else year + 1,
                state=PlanState.DECIDED,
                decided_on=datetime.date(year, 3, 1),
                title=f"Plan {org.slug} {year}",
                created_by=user,
            )
            created = Measure.objects.bulk_create(
                Measure(plan=plan, title=f"Åtgärd {i}", focus_area=areas[i % len(areas)])
                for i in range(measures_per_plan)
            )
            FollowUp.objects.bulk_create(
                FollowUp(measure=m, year=y, status="done", recorded_by=user)
                for m in created
                for y in range(plan.year, plan.end_year + 1)
            )
        DutyReport.objects.bulk_create(
            (DutyReport(organisation=org, year=YEAR, duty=d, answer="done", reported_by=user) for d in duties),
            ignore_conflicts=True,
        )
    councils = list(organisations.filter(kind=OrganisationKind.DISTRICT_COUNCIL))
    Incident.objects.bulk_create(
        Incident(
            reference=f"HÄN-{YEAR}-{i:07d}",
            organisation=councils[i % len(councils)],
            district=councils[i % len(councils)].district,
            category=Category.values[i % len(Category.values)],
            environment=Environment.values[i % len(Environment.values)],
            occurred_on=datetime.date(YEAR - i % 2, 1 + i % 12, 1 + i % 28),
            description="Händelse",
            submission_token=secrets.token_hex(8),
        )
        for i in range(incidents)
    )


# The status report's draft compiles every section of the document, one aggregate or two each: the
# one page allowed more than a list's 20 (with the section on collaboration, 21).
BUDGET = {f"/rapporter/nulagesrapport/{YEAR}/": 21}


def count_queries(client) -> dict[str, int]:
    counts = {}
    for path in PAGES:
        client.get(path)  # warm-up: per-process caches (the statistics' snapshot) fill on the first read
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200, path
        counts[path] = len(ctx.captured_queries)
    return counts


def test_query_counts_are_bounded_and_do_not_grow_with_the_data(cast, central):
    actor = cast["central_coordinator"]
    StatusReport.objects.create(year=YEAR, created_by=actor, updated_by=actor)
    make_plan(actor=cast["coordinator"], slug="jarva", year=YEAR, measures=[1], state="decided")
    small = count_queries(central)
    grow(actor, measures_per_plan=25, incidents=600)
    assert Measure.objects.count() > 1000 and FollowUp.objects.count() > 1500
    large = count_queries(central)
    assert large == small, {p: (small[p], large[p]) for p in PAGES if small[p] != large[p]}
    over = {path: n for path, n in large.items() if n > BUDGET.get(path, 20)}
    assert not over, f"more queries than allowed: {over}"
