"""The incident pages read a bounded number of queries, however many incidents there are; and send no
style attributes (the strict Content Security Policy). The statistics pages have their own tests in
``vbe.statistics``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vbe.guidelines.vocabulary import Environment
from vbe.incidents.models import Category
from vbe.incidents.tests.factories import JARVA, SODERMALM, attach_photo, make_incident


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("path", ["/handelser/", "/handelser/mina/", "/handelser/rapportera/"])
def test_query_count_is_bounded_and_does_not_grow_with_data(cast, path):
    client = cast.client("coordinator")
    make_incident(reporter=cast["coordinator"])
    _queries(client, path)  # the first request of a session fills caches
    small = _queries(client, path)
    today = timezone.localdate()
    for i in range(60):
        make_incident(
            reporter=cast["coordinator"],
            district_code=[JARVA, SODERMALM][i % 2],
            occurred_on=today - timedelta(days=i * 11),
            category=Category.values[i % len(Category.values)],
            environment=Environment.values[i % len(Environment.values)],
        )
    large = _queries(client, path)
    assert large == small
    assert large <= 20


def test_detail_query_count_is_bounded(cast):
    incident = make_incident(reporter=cast["staff"])
    client = cast.client("coordinator")
    _queries(client, f"/handelser/{incident.pk}/")  # the first request of a session fills caches
    small = _queries(client, f"/handelser/{incident.pk}/")
    for _ in range(3):
        attach_photo(incident)
    assert _queries(client, f"/handelser/{incident.pk}/") == small <= 20


def test_no_style_attributes_for_the_strict_csp(cast):
    make_incident(reporter=cast["staff"])
    assert " style=" not in cast.client("coordinator").get("/handelser/rapportera/").content.decode()
