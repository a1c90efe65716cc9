"""The statistics pages' years come from MIN and MAX (an index answers them, no row is read), in the
Swedish day as every count is dated; their counts are sums over the summary tables, down their indexes;
the city map's outlines are drawn once per process and follow a merge; the queries do not grow with
the number of districts."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vbe.concerns.models import Concern
from vbe.concerns.tests.conftest import submit_test_concern
from vbe.incidents.models import Incident
from vbe.incidents.tests.factories import JARVA, make_incident
from vbe.organisations.models import District, Neighbourhood
from vbe.organisations.services import merge_districts
from vbe.statistics import city, dating

STOCKHOLM = ZoneInfo("Europe/Stockholm")
THIS_YEAR = timezone.localdate().year
BROMMA = "80106"
CITY_PAGE = "/handelser/statistik/"
SQLITE_STAMP = re.compile(r'LENGTH\(CAST\("organisations_district"\."geometry" AS text\)\)')


def _received(cast, key: str, moment: datetime.datetime) -> Concern:
    concern = submit_test_concern(cast, key=key)
    Concern.objects.filter(pk=concern.pk).update(created_at=moment)
    return concern


# --- The years ----------------------------------------------------------------------------------------------


def test_concern_years_are_swedish_days_at_both_ends(cast):
    """Half an hour into 1 January in Stockholm is still the old year in UTC: it counts in the new one."""
    first_year, last_year = THIS_YEAR - 4, THIS_YEAR - 1
    first = datetime.datetime(first_year, 1, 1, 0, 30, tzinfo=STOCKHOLM)
    last = datetime.datetime(last_year, 1, 1, 0, 15, tzinfo=STOCKHOLM)
    assert (first.astimezone(datetime.UTC).year, last.astimezone(datetime.UTC).year) == (first_year - 1, last_year - 1)
    _received(cast, "first", first)
    _received(cast, "last", last)
    span = dating.CONCERNS.years_spanned(Concern.objects.all())
    assert span == range(first_year, last_year + 1)
    # The same years the counting finds: each end's record counts in its end year, none outside them.
    everything = Concern.objects.all()
    assert dating.CONCERNS.in_year(everything, first_year).count() == 1
    assert dating.CONCERNS.in_year(everything, last_year).count() == 1
    assert dating.CONCERNS.in_year(everything, first_year - 1).count() == 0
    assert dating.CONCERNS.in_year(everything, last_year + 1).count() == 0


def test_concern_received_on_new_years_eve_evening_counts_in_the_old_year(cast):
    """23:30 on 31 December in Stockholm is 22:30 UTC the same day; 23:59 in winter still the old year."""
    _received(cast, "eve", datetime.datetime(THIS_YEAR - 2, 12, 31, 23, 59, tzinfo=STOCKHOLM))
    assert dating.CONCERNS.years_spanned(Concern.objects.all()) == range(THIS_YEAR - 2, THIS_YEAR - 1)


def test_incident_years_are_the_days_they_happened(cast):
    make_incident(reporter=cast["staff"], occurred_on=datetime.date(THIS_YEAR - 3, 1, 1))
    make_incident(reporter=cast["staff"], occurred_on=datetime.date(THIS_YEAR - 1, 12, 31))
    assert dating.INCIDENTS.years_spanned(Incident.objects.all()) == range(THIS_YEAR - 3, THIS_YEAR)


def test_no_records_no_years(db):
    assert dating.INCIDENTS.years_spanned(Incident.objects.all()) == range(0)
    assert dating.CONCERNS.years_spanned(Concern.objects.all()) == range(0)


def test_the_years_are_one_query_of_min_and_max(cast):
    make_incident(reporter=cast["staff"], occurred_on=datetime.date(THIS_YEAR - 1, 6, 1))
    for dating_, model in ((dating.INCIDENTS, Incident), (dating.CONCERNS, Concern)):
        with CaptureQueriesContext(connection) as ctx:
            dating_.years_spanned(model.objects.all())
        [query] = ctx.captured_queries
        sql = query["sql"].upper()
        assert "MIN(" in sql and "MAX(" in sql
        assert "DISTINCT" not in sql and "GROUP BY" not in sql and "DATE_TRUNC" not in sql and "DJANGO_" not in sql


def test_the_period_list_runs_from_the_first_year_to_this_year(cast):
    make_incident(reporter=cast["staff"], occurred_on=datetime.date(THIS_YEAR - 3, 3, 1))
    page = cast.client("coordinator").get(CITY_PAGE).content.decode()
    select = page.split('name="ar"', 1)[1].split("</select>", 1)[0]
    assert re.findall(r'<option value="(\d*)"', select) == ["", *(str(y) for y in range(THIS_YEAR, THIS_YEAR - 4, -1))]


# --- The counting queries use the date indexes (PostgreSQL) -------------------------------------------------


def _date_indexes(table: str, column: str) -> set[str]:
    """The indexes of ``table`` whose first column is ``column``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return {name for name, definition in cursor.fetchall() if re.search(rf"USING btree \({column}\b", definition)}


def _plans(run) -> list[str]:
    """EXPLAIN of every query ``run`` makes, with sequential scans priced out (few rows in a test)."""
    with CaptureQueriesContext(connection) as ctx:
        run()
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for query in ctx.captured_queries:
            cursor.execute("EXPLAIN " + query["sql"])
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
        cursor.execute("SET LOCAL enable_seqscan = on")
    return plans


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's query plans")
def test_the_years_use_the_date_indexes(cast):
    make_incident(reporter=cast["staff"])
    submit_test_concern(cast, key="plan")
    incident_indexes = _date_indexes(Incident._meta.db_table, "occurred_on")
    concern_indexes = _date_indexes(Concern._meta.db_table, "created_at")
    assert incident_indexes and concern_indexes
    checks = [
        (lambda: dating.INCIDENTS.years_spanned(Incident.objects.all()), incident_indexes),
        (lambda: dating.CONCERNS.years_spanned(Concern.objects.all()), concern_indexes),
    ]
    for run, indexes in checks:
        [plan] = _plans(run)
        assert any(name in plan for name in indexes), plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's query plans")
@pytest.mark.parametrize("path", [CITY_PAGE, f"{CITY_PAGE}{JARVA}/", f"{CITY_PAGE}?ar={THIS_YEAR - 1}"])
def test_the_pages_count_from_the_summary_through_its_indexes(cast, path):
    """No query of a statistics page reads the incidents or concerns themselves, but for the first and last
    date (down their indexes, and only after a write): the counts are sums over the summary tables."""
    make_incident(reporter=cast["staff"])
    submit_test_concern(cast, key="plan")
    client = cast.client("central_coordinator")
    client.get(path)  # the session's first request
    city.forget()  # as after a write: everything is summed again
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test's few rows would be read whole anyway
        for query in ctx.captured_queries:
            if query["sql"].startswith("SELECT"):
                cursor.execute("EXPLAIN " + query["sql"])
                plans.append((query["sql"], "\n".join(row[0] for row in cursor.fetchall())))
        cursor.execute("SET LOCAL enable_seqscan = on")
    records = (Incident._meta.db_table, Concern._meta.db_table)
    sums = [plan for sql, plan in plans if "SUM(" in sql]
    assert len(sums) == 2
    assert any("incident_count_once" in plan for plan in sums) and any("concern_count_month" in plan for plan in sums)
    for sql, plan in plans:
        if any(f'"{table}"' in sql for table in records):
            assert "MIN(" in sql and "MAX(" in sql and "GROUP BY" not in sql, sql
            assert "Index" in plan and "Seq Scan" not in plan, plan


# --- The city map -------------------------------------------------------------------------------------------


def _queries(client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def _areas(page: str) -> list[str]:
    return re.findall(r'<g class="app-map__region"><path class="[^"]*" fill-rule="evenodd" d="([^"]+)"', page)


def test_the_pages_read_no_shape_once_the_map_is_drawn(cast):
    client = cast.client("coordinator")
    paths = (CITY_PAGE, f"{CITY_PAGE}{JARVA}/", f"{CITY_PAGE}?ar={THIS_YEAR}")
    for path in paths:
        client.get(path)
    for path in paths:
        for sql in _queries(client, path):
            assert '"geometry"' not in SQLITE_STAMP.sub("", sql), (path, sql)


def test_a_merge_shows_on_the_city_map_at_the_next_request(cast):
    client = cast.client("coordinator")
    before = _areas(client.get(CITY_PAGE).content.decode())
    assert len(before) == 11
    merge_districts(sources=[District.objects.get(code=BROMMA)], target=District.objects.get(code=JARVA), actor=None)
    after = _areas(client.get(CITY_PAGE).content.decode())
    assert len(after) == 10 and set(after) - set(before)  # one area fewer, and Järva's outline is new


def test_queries_do_not_grow_with_districts(cast):
    client = cast.client("coordinator")
    make_incident(reporter=cast["staff"])
    paths = (CITY_PAGE, f"{CITY_PAGE}{JARVA}/")
    for path in paths:
        client.get(path)
    before = {path: len(_queries(client, path)) for path in paths}
    square = {"type": "Polygon", "coordinates": [[[18.0, 59.2], [18.02, 59.2], [18.02, 59.21], [18.0, 59.2]]]}
    for i in range(3):
        district = District.objects.create(code=f"9990{i}", name=f"Testområde {i}", geometry=square)
        for j in range(4):
            Neighbourhood.objects.create(name=f"Teststadsdel {i}-{j}", district=district, geometry=square)
    assert len(_areas(client.get(CITY_PAGE).content.decode())) == 14  # drawn again, with the new ones
    after = {path: len(_queries(client, path)) for path in paths}
    assert after == before
    assert max(after.values()) <= 15
