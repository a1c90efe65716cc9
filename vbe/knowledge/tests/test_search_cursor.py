"""Page positions (``efter``) made by hand: an id or a rank no database column holds, and the position
of a resource the list does not show. Each is refused as a position the search did not make (the
page's 400), never a database error, and never an answer that tells an archived resource exists."""

from __future__ import annotations

import math

import pytest
from django.db import connection

from vbe.knowledge import search, search_postgres, search_sqlite
from vbe.knowledge.models import Kind, Resource
from vbe.knowledge.tests.search_fixtures import ids, resource

pytestmark = pytest.mark.django_db

ON_POSTGRES = connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def only_this_tests_resources(reference_data):
    """Resources shipped as reference data are archived here, so each test sees only its own."""
    Resource.objects.update(is_active=False)


def _archived(title: str) -> Resource:
    item = resource(title, "Text.")
    item.is_active = False
    item.save()
    search.reindex(item)
    return item


# No database holds these ids (a bigint ends at 2**63 - 1), on either kind of page.
@pytest.mark.parametrize(
    "cursor",
    ["1.0_9999999999999999999", f"1.0_{2**63}", "1.0_0", "1.0_", "1.0_٣", "9999999999999999999", str(2**63), "0", "٣"],
)
def test_an_id_out_of_range_is_refused(cursor):
    resource("Rutin om uttrar", "Uttrar.")
    with pytest.raises(search.InvalidCursor):
        search.search("rutin" if "_" in cursor else "", after=cursor)
    assert ids(search.search("rutin")) != []  # the transaction goes on


def test_the_largest_id_is_a_position():
    item = resource("Rutin om uttrar", "Uttrar.")
    assert search.search("rutin", after=f"0_{2**63 - 1}").hits == []
    assert ids(search.search("rutin", after=f"1e30_{item.pk}")) == [item.pk]


# A real (float32) on PostgreSQL: beyond its range, or rounding to zero, the cast fails.
BEYOND_A_REAL = ["1e39_1", "-1e39_1", "1e-50_1", "3.5e38_1"]


@pytest.mark.parametrize("cursor", BEYOND_A_REAL)
def test_a_rank_the_rank_type_cannot_hold_is_refused_and_the_page_goes_on(cursor):
    item = resource("Rutin om uttrar", "Uttrar.")
    if ON_POSTGRES:
        with pytest.raises(search.InvalidCursor):
            search.search("rutin", after=cursor)
    else:  # SQLite's rank is a double: these are positions above or below every hit
        expected = [item.pk] if not cursor.startswith("-") and not cursor.startswith("1e-50") else []
        assert ids(search.search("rutin", after=cursor)) == expected
    assert ids(search.search("rutin")) == [item.pk]  # the transaction was not aborted


@pytest.mark.parametrize(
    ("rank", "holds"),
    [
        (0.0, True),
        (0.0607927, True),
        (3.4028234663852886e38, True),
        (-3.4028234663852886e38, True),
        (1e-40, True),  # a subnormal real
        (1e39, False),
        (-1e39, False),
        (3.5e38, False),
        (1e-50, False),
        (-1e-50, False),
        (math.inf, False),
        (math.nan, False),
    ],
)
def test_which_ranks_a_real_holds(rank, holds):
    assert search_postgres.holds_rank(rank) is holds
    assert search_sqlite.holds_rank(rank) is math.isfinite(rank)


def test_a_rank_at_the_edge_of_a_real_is_a_position():
    item = resource("Rutin om uttrar", "Uttrar.")
    assert ids(search.search("rutin", after="3.4028234663852886e38_1")) == [item.pk]
    assert ids(search.search("rutin", after="1e-40_1")) == []


def test_the_position_of_an_archived_resource_is_refused_like_a_missing_one():
    resource("Alfa", "Text.")
    archived = _archived("Beta")
    resource("Gamma", "Text.")
    with pytest.raises(search.InvalidCursor):
        search.search("", after=str(archived.pk))
    missing = Resource.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    with pytest.raises(search.InvalidCursor):
        search.search("", after=str(missing))


def test_the_position_of_a_resource_the_filters_leave_out_is_refused():
    routine = resource("Alfa", "Text.", kind=Kind.ROUTINE)
    article = resource("Beta", "Text.", kind=Kind.ARTICLE)
    later = resource("Gamma", "Text.", kind=Kind.ROUTINE)
    with pytest.raises(search.InvalidCursor):
        search.search("", kind=Kind.ROUTINE, after=str(article.pk))
    assert ids(search.search("", kind=Kind.ROUTINE, after=str(routine.pk))) == [later.pk]


def test_with_archived_resources_included_their_position_is_one():
    archived = _archived("Beta")
    later = resource("Gamma", "Text.")
    after = search.search("", include_archived=True, after=str(archived.pk), limit=1000)
    assert later.pk in ids(after) and archived.pk not in ids(after)
