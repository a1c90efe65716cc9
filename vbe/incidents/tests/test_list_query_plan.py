"""The incident list's query, as PostgreSQL plans it over thousands of incidents: the page is read along
the list's own index (newest first) and stops after one page, for a district council's coordinator and
for a unit manager, on the first page and deep in the list, without a sort of the scope's rows and
without DISTINCT. The plan is asked of the query the page really sends."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vbe.guidelines.vocabulary import Environment
from vbe.incidents.models import Category, Incident, Status
from vbe.organisations.models import Organisation, Unit

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="query plans and the planner's choice of index are PostgreSQL's"
)

ROWS = 6000


@pytest.fixture
def many_incidents(cast):
    """ROWS incidents in every council, a third reported by Järva and a quarter at the unit manager's
    unit, created in no particular order over a few years, the newest still open."""
    councils = list(Organisation.objects.filter(district__isnull=False).select_related("district"))
    jarva = Organisation.objects.get(slug="jarva")
    unit = Unit.objects.get(name="Testfritidsgården")
    now = timezone.now()
    rows = []
    for i in range(ROWS):
        council = councils[i % len(councils)]
        age = (i * 7919) % ROWS  # a permutation: insertion order is not the list's order
        rows.append(
            Incident(
                reference=f"PLAN-{i:05d}",
                reporter_organisation=jarva if i % 3 == 0 else council,
                organisation=council,
                district=council.district,
                unit=unit if i % 4 == 0 else None,
                category=Category.values[i % len(Category.values)],
                environment=Environment.values[i % len(Environment.values)],
                occurred_on=(now - timedelta(hours=age * 5)).date(),
                description="Genererad för planens test.",
                status=Status.NEW if age < 300 else Status.CLOSED,
                created_at=now - timedelta(hours=age * 5),
                submission_token=secrets.token_hex(8),
            )
        )
    Incident.objects.bulk_create(rows, batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE incidents_incident")


def _list_plan(client, params=None) -> tuple[str, object]:
    """EXPLAIN of the page query the list sends (the one fetching a page and one row more)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/handelser/", params or {})
    assert response.status_code == 200
    (sql,) = [
        q["sql"] for q in ctx.captured_queries if 'FROM "incidents_incident"' in q["sql"] and "LIMIT 26" in q["sql"]
    ]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall()), response


def _reads_along(plan: str, index: str) -> None:
    assert f"Index Scan Backward using {index} on incidents_incident" in plan, plan
    assert "Sort Key: incidents_incident.created_at" not in plan, plan  # no sort of the scope's rows
    assert "Unique" not in plan and "DISTINCT" not in plan.upper(), plan


@pytest.mark.parametrize(
    ("role", "index"), [("coordinator", "incident_newest_first"), ("unit_manager", "incident_unit_newest_first")]
)
def test_the_list_reads_one_page_along_its_index(cast, many_incidents, role, index):
    client = cast.client(role)
    plan, response = _list_plan(client)
    _reads_along(plan, index)
    assert len(response.context["page"]) == 25
    # Deep in the list: the index is entered at the position, nothing before it is read.
    deep, _ = _list_plan(client, {"efter": str(response.context["page"].older)})
    _reads_along(deep, index)
    assert "Index Cond: " in deep and "created_at <=" in deep, deep


def test_the_count_stops_at_the_cap(cast, many_incidents):
    with CaptureQueriesContext(connection) as ctx:
        page = cast.client("coordinator").get("/handelser/").context["page"]
    (count,) = [q["sql"] for q in ctx.captured_queries if "COUNT(*)" in q["sql"] and "incidents_incident" in q["sql"]]
    assert "LIMIT 1001" in count and "JOIN" not in count
    assert page.count == 1001 and page.more_than_cap
