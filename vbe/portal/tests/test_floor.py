"""The floor page (the base layout, nothing else) and the benchmark's query-count header."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from vbe.core.query_count import HEADER, KEY_HEADER

KEY = "k" * 40  # what make bench generates at random


def test_floor_renders_the_base_layout_without_a_single_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/golv/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="main-content"' in page and "Grundsida" in page
    assert "govuk-template__body" in page  # the base template's body, header and footer


def test_floor_refuses_writes(db):
    assert Client().post("/golv/").status_code == 405


def test_floor_signed_in_shows_the_navigation(cast):
    response = cast.client("staff").get("/golv/")
    assert response.status_code == 200
    assert "/logga-ut/" in response.content.decode()  # the signed-in header, so the layout is the full one


def test_query_count_header_is_off_by_default(cast, monkeypatch):
    monkeypatch.delenv("VBE_BENCH_QUERIES", raising=False)
    assert settings.BENCH_QUERY_HEADER == ""
    for client, path in ((Client(), "/golv/"), (cast.client("coordinator"), "/oro/arenden/")):
        response = client.get(path)
        assert response.status_code == 200
        assert HEADER not in response


@override_settings(BENCH_QUERY_HEADER=KEY)
@pytest.mark.parametrize("path", ["/golv/", "/oro/arenden/", "/handelser/"])
def test_query_count_header_counts_every_query_of_the_request(cast, path):
    client = cast.client("coordinator")  # a new client loads the middleware with the setting on
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, headers={KEY_HEADER: KEY})
    assert response.status_code == 200
    # The test client's own session load happens outside the request; everything inside is counted.
    assert int(response[HEADER]) == len(queries) > 0


@override_settings(BENCH_QUERY_HEADER=KEY)
def test_query_count_header_is_zero_on_the_anonymous_floor(db):
    assert Client().get("/golv/", headers={KEY_HEADER: KEY})[HEADER] == "0"


@override_settings(BENCH_QUERY_HEADER=KEY)
@pytest.mark.parametrize("sent", [None, "", "fel", KEY[:-1]])
def test_query_count_header_only_for_requests_with_the_key(cast, sent):
    headers = {} if sent is None else {KEY_HEADER: sent}
    response = cast.client("coordinator").get("/oro/arenden/", headers=headers)
    assert response.status_code == 200
    assert HEADER not in response
