"""The incident list is paged newest first by position (vbe.core.newest_first): every incident in scope
is shown exactly once, forwards and backwards, filters stay in the links, and no page of any depth
costs more queries than the first. The row loads no shapes and no descriptions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vbe.core import newest_first
from vbe.core.newest_first import Position
from vbe.incidents.models import Incident, Status
from vbe.incidents.tests.factories import JARVA, SODERMALM, make_incident

LINK = re.compile(r'href="\?([^"]*)" rel="(prev|next)"')


def _links(response) -> dict[str, dict[str, str]]:
    """The pagination links of a page: {"prev": {...query...}, "next": {...}}."""
    found = {}
    for query, rel in LINK.findall(response.content.decode()):
        found[rel] = dict(part.split("=", 1) for part in query.replace("&amp;", "&").split("&"))
    return found


@pytest.fixture
def sixty(cast):
    """60 incidents for Järva's coordinator, some sharing one timestamp (ties are broken by the id)."""
    now = timezone.now()
    incidents = [make_incident(reporter=cast["staff"]) for _ in range(60)]
    for i, incident in enumerate(incidents):
        incident.created_at = now - timedelta(hours=i // 3)  # three at a time share a moment
    Incident.objects.bulk_update(incidents, ["created_at"])
    return sorted(incidents, key=lambda i: (i.created_at, i.pk), reverse=True)


def test_walking_forwards_and_back_shows_every_incident_once_newest_first(cast, sixty):
    client = cast.client("coordinator")
    pages, params = [], {}
    while True:
        response = client.get("/handelser/", params)
        pages.append([i.pk for i in response.context["page"]])
        links = _links(response)
        if "next" not in links:
            break
        params = links["next"]
        assert set(params) == {newest_first.OLDER}
    assert [len(p) for p in pages] == [25, 25, 10]
    assert [pk for page in pages for pk in page] == [i.pk for i in sixty]
    # Back from the last page: the same pages again, and the first one has no previous link.
    backwards = []
    while "prev" in links:
        response = client.get("/handelser/", links["prev"])
        backwards.append([i.pk for i in response.context["page"]])
        links = _links(response)
    assert backwards == pages[-2::-1]


def test_filters_stay_in_the_links(cast, sixty):
    Incident.objects.filter(pk__in=[i.pk for i in sixty[:40]]).update(status=Status.CLOSED)
    client = cast.client("coordinator")
    first = client.get("/handelser/", {"status": "closed"})
    assert first.context["page"].count == 40
    following = _links(first)["next"]
    assert following["status"] == "closed"
    second = client.get("/handelser/", following)
    assert [i.pk for i in second.context["page"]] == [i.pk for i in sixty[25:40]]


def test_the_count_stops_at_the_cap(cast, sixty, monkeypatch):
    monkeypatch.setattr(newest_first, "COUNT_CAP", 50)
    page = cast.client("coordinator").get("/handelser/").content.decode()
    assert "Fler än 50 händelser" in page
    monkeypatch.setattr(newest_first, "COUNT_CAP", 60)
    assert "60 händelser" in cast.client("coordinator").get("/handelser/").content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"efter": "x"},
        {"efter": "1-2-3"},
        {"efter": "-5-1"},
        {"fore": "99999999999999999-1"},  # beyond the year 9999
        {"efter": "1-99999999999999999999"},  # beyond a bigint
        {"fore": "x", "efter": ""},
        {"fore": "32503680000000000-1"},  # newer than any incident (the year 3000): past the top
        {"efter": "1-1"},  # before any incident: past the end
    ],
)
def test_a_bad_or_stale_position_shows_the_first_page(cast, sixty, params):
    response = cast.client("coordinator").get("/handelser/", params)
    assert response.status_code == 200
    assert [i.pk for i in response.context["page"]] == [i.pk for i in sixty[:25]]
    assert response.context["page"].newer is None


def test_position_round_trips_to_the_microsecond():
    moment = timezone.now().replace(microsecond=123456)
    position = Position(moment, 42)
    assert Position.parse(str(position)) == position


def test_every_page_costs_the_same_queries_and_reads_no_shapes_or_descriptions(cast):
    make_incident(reporter=cast["staff"])
    client = cast.client("coordinator")
    client.get("/handelser/")  # the first request of a session fills caches

    def page_queries(params=None) -> list[str]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/handelser/", params or {})
        assert response.status_code == 200
        return [q["sql"] for q in ctx.captured_queries], response

    few, _ = page_queries()
    for i in range(60):
        make_incident(reporter=cast["staff"], district_code=[JARVA, SODERMALM][i % 2])
    many, response = page_queries()
    deep, _ = page_queries(_links(response)["next"])
    assert len(few) == len(many) == len(deep) <= 20
    listed = [sql for sql in many if 'FROM "incidents_incident"' in sql and "LIMIT 26" in sql]
    assert listed, many
    assert all('"geometry"' not in sql and '"description"' not in sql for sql in listed)


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "1899-12"])
def test_a_month_the_calendar_cannot_follow_is_a_form_error(cast, month):
    response = cast.client("coordinator").get("/handelser/", {"month": month})
    assert response.status_code == 200
    assert "Välj en månad mellan år 1900 och 9998." in response.content.decode()
