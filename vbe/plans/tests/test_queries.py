"""Pages use a bounded number of queries: at most 20, and no more with many plans and measures."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vbe.plans.models import PlanState
from vbe.plans.tests.conftest import LAST_YEAR, THIS_YEAR, follow_up, make_plan

LIMIT = 20


def _count(client, url: str) -> int:
    client.get(url)  # warm up: session, content types, the guideline
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _measures(n: int) -> list[dict]:
    return [
        {"title": f"Åtgärd {i:02}", "area": i % 7 + 1, "methods": 2, "indicators": [("Mått A", "1"), ("Mått B", "2")]}
        for i in range(n)
    ]


def _decided(cast, year: int, n: int, organisation: str = "jarva", coordinator: str = "coordinator"):
    plan = make_plan(
        cast,
        organisation=organisation,
        coordinator=coordinator,
        year=year,
        state=PlanState.DECIDED,
        measures=_measures(n),
    )
    follow_up(plan, cast[coordinator], year, {f"Åtgärd {i:02}": "done" for i in range(0, n, 2)})
    return plan


@pytest.mark.parametrize("role", ["coordinator", "central_coordinator"])
def test_plan_page_queries_do_not_grow_with_measures(cast, role):
    small = _decided(cast, LAST_YEAR, 1)
    large = _decided(cast, LAST_YEAR - 1, 14)
    client = cast.client(role)
    few, many = _count(client, f"/planer/{small.pk}/"), _count(client, f"/planer/{large.pk}/")
    assert many == few <= LIMIT


def test_follow_up_page_queries_do_not_grow_with_measures(cast):
    small = _decided(cast, LAST_YEAR, 1)
    large = _decided(cast, LAST_YEAR - 1, 14)
    client = cast.client("coordinator")
    few = _count(client, f"/planer/{small.pk}/uppfoljning/{LAST_YEAR}/")
    many = _count(client, f"/planer/{large.pk}/uppfoljning/{LAST_YEAR - 1}/")
    assert many == few <= LIMIT


def test_list_rollup_and_task_queries_do_not_grow_with_plans(cast):
    client = cast.client("central_coordinator")
    coordinator = cast.client("coordinator")
    _decided(cast, LAST_YEAR, 2)
    counts = {
        "list": _count(client, "/planer/"),
        "rollup": _count(client, f"/planer/uppfoljning/{LAST_YEAR}/"),
        "tasks": _count(coordinator, "/planer/att-gora/"),
        "own list": _count(coordinator, "/planer/"),
    }
    _decided(cast, LAST_YEAR, 6, organisation="sodermalm", coordinator="coordinator_other")
    _decided(cast, LAST_YEAR - LAST_YEAR % 2, 6, organisation="utbildningsnamnden", coordinator="coordinator_board")
    for year in range(LAST_YEAR - 8, LAST_YEAR):
        _decided(cast, year, 3)
    make_plan(cast, year=THIS_YEAR, measures=_measures(4))
    after = {
        "list": _count(client, "/planer/"),
        "rollup": _count(client, f"/planer/uppfoljning/{LAST_YEAR}/"),
        "tasks": _count(coordinator, "/planer/att-gora/"),
        "own list": _count(coordinator, "/planer/"),
    }
    assert after == counts
    assert max(after.values()) <= LIMIT


def test_form_pages_stay_within_the_limit(cast):
    plan = make_plan(cast, measures=_measures(5))
    measure = plan.measures.first()
    client = cast.client("coordinator")
    for url in (
        "/planer/ny/",
        f"/planer/{plan.pk}/andra/",
        f"/planer/{plan.pk}/atgarder/ny/",
        f"/planer/{plan.pk}/atgarder/{measure.pk}/",
        f"/planer/{plan.pk}/atgarder/{measure.pk}/ta-bort/",
        f"/planer/samordnaruppdrag/jarva/{THIS_YEAR}/",
    ):
        assert _count(client, url) <= LIMIT, url
