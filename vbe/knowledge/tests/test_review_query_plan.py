"""The review overview's query, as PostgreSQL plans it over thousands of resources: read along the
index ``resource_review_due`` from where the last page ended, one page at a time, never sorted whole.
The plan is asked of the query the page really sends."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vbe.knowledge.models import Kind, Resource
from vbe.organisations.models import Organisation

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="query plans and the planner's choice of index are PostgreSQL's"
)

ROWS = 4000


@pytest.fixture
def many_resources(cast):
    """ROWS resources over ten owners, due over ten years around today; one in twenty archived."""
    owners = list(Organisation.objects.order_by("pk")[:10])
    today = timezone.localdate()
    Resource.objects.bulk_create(
        (
            Resource(
                kind=Kind.ARTICLE,
                title=f"Planens material {i:05d}",
                owner=owners[i % len(owners)],
                next_review_on=today + datetime.timedelta(days=(i * 7919) % 3650 - 1825),
                is_active=bool(i % 20),
            )
            for i in range(ROWS)
        ),
        batch_size=1000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE knowledge_resource")


def _plan(client, params=None) -> tuple[str, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/stod/granskning/", params or {})
    assert response.status_code == 200
    (sql,) = [
        q["sql"] for q in ctx.captured_queries if 'FROM "knowledge_resource"' in q["sql"] and "LIMIT 26" in q["sql"]
    ]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall()), response


def test_the_city_overview_reads_one_page_along_the_due_index(cast, many_resources):
    client = cast.client("central_coordinator")
    plan, response = _plan(client)
    assert "using resource_review_due on knowledge_resource" in plan, plan
    assert "Sort" not in plan, plan
    deep, _ = _plan(client, {"efter": str(response.context["page"].next)})
    assert "using resource_review_due on knowledge_resource" in deep and "Sort" not in deep, deep


def test_a_local_coordinators_overview_reads_the_same_index(cast, many_resources):
    plan, _response = _plan(cast.client("coordinator"))
    assert "resource_review_due" in plan and "Sort" not in plan, plan
