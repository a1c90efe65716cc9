"""On PostgreSQL, every query of the access-log page and the auditor's start page reads along an index.

The page's queries are taken as they ran (CaptureQueriesContext) and explained with sequential scans
switched off for the test's transaction, so the planner shows the index it would use on a long log.
A Sort is allowed only over rows an index condition has already bounded (a date range), never over
the table. Without dates the page walks one index in id order: at a test's size the planner would
rather sort the few dozen rows of a filter, so sorts are switched off too, which shows the index
gives the order by itself, as the planner chooses on a long log. (A filter matching a large share of
the rows, such as the commonest action, may walk the primary key and skip the rest: as cheap.)
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vbe.audit.models import Outcome
from vbe.portal import access_log
from vbe.portal.tests.log_rows import append_rows, at

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="query plans and index names are PostgreSQL's"
)

ACTIONS = ["concern_viewed", "concern_viewed", "sign_in", "incident_viewed", "plan_viewed", "sign_out"]


@pytest.fixture
def long_log(db):
    """3,000 rows an hour apart from 1 January 2024 (to early May), analysed, no sequential scans."""
    start = at(2024, 1, 1)
    append_rows(
        [
            {
                "created_at": start + datetime.timedelta(hours=n),
                "action": "personnummer_revealed" if n % 50 == 7 else ACTIONS[n % len(ACTIONS)],
                "outcome": Outcome.DENIED if n % 25 == 0 else Outcome.ALLOWED,
                "actor_id": 100 + n % 200,
                "subject_ref": f"ORO-2024-{n % 300:05d}" if n % 10 == 0 else "",
            }
            for n in range(3000)
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_accesslogentry")
        cursor.execute("SET LOCAL enable_seqscan = off")


def _nodes(node: dict) -> Iterator[dict]:
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def _plans_of_log_reads(queries) -> list[tuple[str, dict]]:
    plans = []
    for query in queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT") or '"audit_accesslogentry"' not in sql:
            continue  # the reading's own log row, the session, the user
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            plans.append((sql, cursor.fetchone()[0][0]["Plan"]))
    return plans


def _check(plans: list[tuple[str, dict]], *, index: str, sort_allowed: bool) -> None:
    assert plans, "the page read no rows"
    used = set()
    for sql, plan in plans:
        nodes = list(_nodes(plan))
        assert not [n for n in nodes if n["Node Type"] == "Seq Scan"], sql
        used |= {n["Index Name"] for n in nodes if "Index Name" in n}
        for sort in (n for n in nodes if n["Node Type"] in ("Sort", "Incremental Sort")):
            assert sort_allowed, f"a Sort where the index gives the order: {sql}"
            scans = [n for n in _nodes(sort) if "Index Name" in n]
            assert scans and all("Index Cond" in n for n in scans), f"a Sort over unbounded rows: {sql}"
    assert index in used, (index, used)


EQUALITY = [
    ({}, "audit_accesslogentry_pkey"),
    ({"aldre": "1500"}, "audit_accesslogentry_pkey"),
    ({"aldsta": "1"}, "audit_accesslogentry_pkey"),
    ({"action": "personnummer_revealed"}, "audit_log_action_id"),
    ({"action": "personnummer_revealed", "aldsta": "1"}, "audit_log_action_id"),
    ({"outcome": "denied", "aldre": "2000"}, "audit_log_outcome_id"),
    ({"actor_id": "117"}, "audit_log_actor_id"),
    ({"subject_ref": "ORO-2024-00030"}, "audit_log_subject_ref_id"),
]


@pytest.mark.parametrize(
    ("params", "index"),
    EQUALITY,
    ids=["newest", "older", "oldest", "action", "action-oldest", "outcome", "actor", "subject"],
)
def test_pages_without_dates_walk_one_index_in_id_order(long_log, cast, params, index):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
    client = cast.client("auditor")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/loggkontroll/", params)
    assert response.status_code == 200
    plans = _plans_of_log_reads(queries)
    assert len(plans) == 1  # one walk, no count
    _check(plans, index=index, sort_allowed=False)


# (filters, the index the range is read through, whether the range lies far from the page's edge)
DATED = [
    ({"date_from": "2024-01-10", "date_to": "2024-01-12"}, "audit_log_created_id", True),
    ({"date_from": "2024-04-20"}, "audit_accesslogentry_pkey", False),  # reaches the newest rows: read beside them
    ({"action": "sign_in", "date_from": "2024-01-10", "date_to": "2024-01-20"}, "audit_log_action_created_id", True),
    ({"action": "sign_in", "date_to": "2024-02-01", "aldsta": "1"}, "audit_log_action_created_id", False),
]


@pytest.mark.parametrize("walk_rows", [access_log.WALK_ROWS, 0], ids=["as-configured", "range-read"])
@pytest.mark.parametrize(("params", "index", "far"), DATED, ids=["days", "since", "action-days", "action-oldest"])
def test_pages_with_dates_read_the_range_through_its_index(long_log, cast, monkeypatch, params, index, far, walk_rows):
    """With ``walk_rows`` 0 every range far from the page's edge is read from its own index entries. The
    probe beside the edge is shortened in proportion to the test's log (1,000 rows of millions)."""
    monkeypatch.setattr(access_log, "PROBE_ROWS", 100)
    monkeypatch.setattr(access_log, "WALK_ROWS", walk_rows)
    client = cast.client("auditor")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/loggkontroll/", params)
    assert response.status_code == 200
    assert response.context["page"].rows
    plans = _plans_of_log_reads(queries)
    _check(plans, index=index, sort_allowed=True)
    assert any("COUNT(*) OVER ()" in sql for sql, _ in plans) == (far and walk_rows == 0)


def test_the_auditors_start_page_walks_the_outcome_index(long_log, cast):
    client = cast.client("auditor")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert len(response.context["recent_denials"]) == 5
    plans = _plans_of_log_reads(queries)
    assert len(plans) == 1
    _check(plans, index="audit_log_outcome_id", sort_allowed=False)
