"""The search index on SQLite: an FTS5 table of stems, ranked by bm25 with the title weighted highest.

FTS5 knows no Swedish, so the text is stemmed in Python (stemming.py) before it is stored and the
query's words before they are matched; the table's own tokenizer (unicode61, diacritics kept) only
splits the stems apart again. The rowid is the resource's id.
"""

from __future__ import annotations

import math

from django.db import connection

from vbe.knowledge.search_query import Query
from vbe.knowledge.stemming import stemmed_text

# bm25's column weights: title, summary, body (with the attachments' text).
WEIGHTS = "10.0, 4.0, 1.0"


def holds_rank(rank: float) -> bool:
    """Whether the rank fits the REAL (float64) that bm25 gives: any finite value does."""
    return math.isfinite(rank)


def write(resource_id: int, *, title: str, summary: str, body: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM knowledge_search_fts WHERE rowid = %s", [resource_id])
        cursor.execute(
            "INSERT INTO knowledge_search_fts (rowid, title, summary, body) VALUES (%s, %s, %s, %s)",
            [resource_id, stemmed_text(title), stemmed_text(summary), stemmed_text(body)],
        )


def delete(resource_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM knowledge_search_fts WHERE rowid = %s", [resource_id])


def clear() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM knowledge_search_fts")


def ranked(
    query: Query, *, within: tuple[str, tuple], after: tuple[float, int] | None, limit: int
) -> list[tuple[int, float]]:
    """(id, rank) of the best matches among the resources ``within`` selects, best first, after the
    cursor. bm25 is smaller for a better match, so the rank is its negation: higher is better on both
    databases."""
    subquery, subparams = within
    # MATERIALIZED: the matches are ranked once; flattened, SQLite would run the full-text query again
    # for each resource the filter lets through (seconds for 5,000 resources).
    sql = f"""
        WITH m AS MATERIALIZED (
            SELECT rowid AS id, -bm25(knowledge_search_fts, {WEIGHTS}) AS rank
            FROM knowledge_search_fts WHERE knowledge_search_fts MATCH %s
        )
        SELECT m.id, m.rank FROM m
        WHERE m.id IN ({subquery})"""  # noqa: S608 - the subquery is Django's, its values bound
    params: list = [query.fts5(), *subparams]
    if after is not None:
        sql += " AND (m.rank < %s OR (m.rank = %s AND m.id > %s))"
        params += [after[0], after[0], after[1]]
    sql += " ORDER BY m.rank DESC, m.id LIMIT %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return [(int(pk), float(rank)) for pk, rank in cursor.fetchall()]


def count_upto(query: Query, *, within: tuple[str, tuple], cap: int) -> int:
    """The number of matches, counted no further than ``cap``."""
    subquery, subparams = within
    sql = f"""SELECT count(*) FROM (
        SELECT 1 FROM knowledge_search_fts WHERE knowledge_search_fts MATCH %s AND rowid IN ({subquery}) LIMIT %s
    )"""  # noqa: S608 - the subquery is Django's, its values bound
    with connection.cursor() as cursor:
        cursor.execute(sql, [query.fts5(), *subparams, cap])
        return cursor.fetchone()[0]
