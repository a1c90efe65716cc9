"""The case list's query, as PostgreSQL plans it over thousands of concerns: no DISTINCT and no join to
the disclosures. A coordinator's large scope is read along the list's index (newest first) and stops
after one page; a caseworker's small one (assigned concerns and disclosures to their organisation) is
gathered from the indexes of its branches, the disclosures' by primary key, never by reading the table.
The plan is asked of the query the page really sends."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vbe.concerns.models import Concern, Disclosure, State
from vbe.organisations.models import Organisation

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="query plans and the planner's choice of index are PostgreSQL's"
)

ROWS = 3000


@pytest.fixture
def many_concerns(cast):
    """ROWS concerns, a third at Järva, twenty of them assigned to Järva's caseworker and ten of other
    organisations disclosed to Järva, created in no particular order over a few years."""
    jarva = Organisation.objects.get(slug="jarva")
    others = list(Organisation.objects.exclude(pk=jarva.pk).order_by("pk")[:10])
    rows = []
    for i in range(ROWS):
        organisation = jarva if i % 3 == 0 else others[i % len(others)]
        rows.append(
            Concern(
                reference=f"PLAN-{i:05d}",
                state=State.CLOSED if i % 10 else State.ASSESSMENT,
                reporter_organisation=organisation,
                reported_to=organisation,
                organisation=organisation,
                assigned_to=cast["caseworker"] if i % 150 == 0 else None,
                idempotency_key=f"plan-{i}",
                observation="Genererad för planens test.",
                observed_on=datetime.date(2025, 1, 1),
                concerns_child="no",
            )
        )
    concerns = Concern.objects.bulk_create(rows, batch_size=1000)
    with connection.cursor() as cursor:
        # created_at is set on insert: spread it over the years in an order unlike the insertion order.
        cursor.execute(
            "UPDATE concerns_concern SET created_at = now() - ((id * 7919) %% %s) * interval '9 hours'", [ROWS]
        )
    disclosed = [c for c in concerns if c.organisation_id != jarva.pk][:10]
    Disclosure.objects.bulk_create(
        Disclosure(
            concern=concern,
            to_organisation=jarva,
            legal_ground="OSL 10 kap. 28 §",
            decided_by="Enhetschef",
            decided_at=timezone.now(),
            recorded_by=cast["coordinator_other"],
        )
        for concern in disclosed
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE concerns_concern")
        cursor.execute("ANALYZE concerns_disclosure")


def _list_plan(client, params=None) -> tuple[str, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/oro/arenden/", params or {})
    assert response.status_code == 200
    queries = [q["sql"] for q in ctx.captured_queries if 'FROM "concerns_concern"' in q["sql"]]
    assert all("DISTINCT" not in sql and 'JOIN "concerns_disclosure"' not in sql for sql in queries), queries
    (sql,) = [sql for sql in queries if "LIMIT 26" in sql]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall()), response


def test_a_coordinators_list_reads_one_page_along_its_index(cast, many_concerns):
    client = cast.client("coordinator")
    plan, response = _list_plan(client)
    assert "Index Scan Backward using concern_newest_first on concerns_concern" in plan, plan
    assert "Sort Key: concerns_concern.created_at" not in plan, plan
    assert "Unique" not in plan, plan
    deep, _ = _list_plan(client, {"efter": str(response.context["page"].older)})
    assert "Index Scan Backward using concern_newest_first" in deep and "created_at <=" in deep, deep


def test_a_caseworkers_small_scope_is_gathered_from_indexes(cast, many_concerns):
    plan, response = _list_plan(cast.client("caseworker"))
    assert "BitmapOr" in plan and "Index Cond: (id = ANY" in plan, plan
    assert "Seq Scan on concerns_concern" not in plan and "Unique" not in plan, plan
    assert response.context["page"].count == 30  # twenty assigned, ten disclosed
