"""The search index on PostgreSQL: one weighted tsvector per resource (``swedish`` configuration,
title A, summary B, body and attachments C) under a GIN index, matched with websearch_to_tsquery
(which never fails on what people type) and ranked by ts_rank, whose default weights put a title
hit above a summary hit above a body hit.
"""

from __future__ import annotations

import math
import struct

from django.db import connection

from vbe.knowledge.search_query import Query

DOCUMENT = """setweight(to_tsvector('swedish', %s), 'A')
    || setweight(to_tsvector('swedish', %s), 'B')
    || setweight(to_tsvector('swedish', %s), 'C')"""


def holds_rank(rank: float) -> bool:
    """Whether the rank fits PostgreSQL's ``real`` (float32): a value beyond its range, or so small it
    would round to zero, makes the cast fail and aborts the transaction."""
    if not math.isfinite(rank):
        return False
    try:
        as_real = struct.unpack("f", struct.pack("f", rank))[0]
    except OverflowError:
        return False
    return math.isfinite(as_real) and (as_real != 0.0 or rank == 0.0)


def write(resource_id: int, *, title: str, summary: str, body: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO knowledge_search (resource_id, document) VALUES (%s, {DOCUMENT})
            ON CONFLICT (resource_id) DO UPDATE SET document = EXCLUDED.document""",  # noqa: S608 - a constant
            [resource_id, title, summary, body],
        )


def delete(resource_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM knowledge_search WHERE resource_id = %s", [resource_id])


def clear() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM knowledge_search")


def ranked(
    query: Query, *, within: tuple[str, tuple], after: tuple[float, int] | None, limit: int
) -> list[tuple[int, float]]:
    """(id, rank) of the best matches among the resources ``within`` selects, best first, after the
    cursor. ts_rank is a real; the cursor's value came from it, so comparing it again is exact."""
    subquery, subparams = within
    sql = f"""
        SELECT m.id, m.rank FROM (
            SELECT s.resource_id AS id, ts_rank(s.document, q) AS rank
            FROM knowledge_search s, websearch_to_tsquery('swedish', %s) q
            WHERE s.document @@ q
        ) m
        WHERE m.id IN ({subquery})"""  # noqa: S608 - the subquery is Django's, its values bound
    params: list = [query.websearch(), *subparams]
    if after is not None:
        sql += " AND (m.rank < %s::real OR (m.rank = %s::real AND m.id > %s))"
        params += [after[0], after[0], after[1]]
    sql += " ORDER BY m.rank DESC, m.id LIMIT %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return [(int(pk), float(rank)) for pk, rank in cursor.fetchall()]


def count_upto(query: Query, *, within: tuple[str, tuple], cap: int) -> int:
    """The number of matches, counted no further than ``cap``."""
    subquery, subparams = within
    sql = f"""SELECT count(*) FROM (
        SELECT 1 FROM knowledge_search s, websearch_to_tsquery('swedish', %s) q
        WHERE s.document @@ q AND s.resource_id IN ({subquery}) LIMIT %s
    ) c"""  # noqa: S608 - the subquery is Django's, its values bound
    with connection.cursor() as cursor:
        cursor.execute(sql, [query.websearch(), *subparams, cap])
        return cursor.fetchone()[0]
