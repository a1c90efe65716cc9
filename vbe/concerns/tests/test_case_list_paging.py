"""The case list is paged newest first by position (vbe.core.newest_first): every concern in scope is
shown exactly once, the step filter stays in the links, no page costs more queries than the first, and
the rows read no encrypted text but the personnummer (shown masked). A concern disclosed twice to the
reader's organisation is one row: the scope is a condition on the concern, not a join."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vbe.concerns import sharing
from vbe.concerns.models import Concern, State
from vbe.concerns.tests.conftest import TEST_PNR
from vbe.organisations.models import Organisation

LINK = re.compile(r'href="\?([^"]*)" rel="(prev|next)"')


def _links(response) -> dict[str, dict[str, str]]:
    found = {}
    for query, rel in LINK.findall(response.content.decode()):
        found[rel] = dict(part.split("=", 1) for part in query.replace("&amp;", "&").split("&"))
    return found


def _spread(concerns: list[Concern]) -> list[Concern]:
    """Back-dates the concerns an hour apart (two at a time share a moment), newest first."""
    now = timezone.now()
    for i, concern in enumerate(concerns):
        concern.created_at = now - timedelta(hours=i // 2)
    Concern.objects.bulk_update(concerns, ["created_at"])
    return sorted(concerns, key=lambda c: (c.created_at, c.pk), reverse=True)


def _listed(response) -> list[str]:
    return [row["concern"].reference for row in response.context["rows"]]


def test_walking_the_pages_shows_every_concern_once_newest_first(cast, make_concern):
    concerns = _spread([make_concern(key=f"k{i}") for i in range(30)])
    client = cast.client("coordinator")
    first = client.get("/oro/arenden/")
    assert first.context["page"].count == 30 and "30 ärenden" in first.content.decode()
    second = client.get("/oro/arenden/", _links(first)["next"])
    assert _listed(first) + _listed(second) == [c.reference for c in concerns]
    assert "next" not in _links(second)
    assert _listed(client.get("/oro/arenden/", _links(second)["prev"])) == _listed(first)


def test_the_step_filter_stays_in_the_links(cast, make_concern):
    concerns = _spread([make_concern(key=f"k{i}") for i in range(30)])
    Concern.objects.filter(pk__in=[c.pk for c in concerns[:28]]).update(state=State.ASSESSMENT)
    client = cast.client("coordinator")
    first = client.get("/oro/arenden/", {"steg": State.ASSESSMENT})
    following = _links(first)["next"]
    assert following["steg"] == State.ASSESSMENT
    assert _listed(client.get("/oro/arenden/", following)) == [c.reference for c in concerns[25:28]]


def test_a_bad_position_shows_the_first_page(cast, make_concern):
    make_concern()
    for params in ({"efter": "x"}, {"fore": "1-99999999999999999999"}, {"efter": "99999999999999999-1"}):
        response = cast.client("coordinator").get("/oro/arenden/", params)
        assert response.status_code == 200 and len(response.context["rows"]) == 1


def test_a_concern_disclosed_twice_is_listed_once(cast, make_concern):
    concern = make_concern()
    board = Organisation.objects.get(slug="utbildningsnamnden")
    for decided_by in ("Enhetschef A", "Enhetschef B"):
        sharing.disclose(
            concern_id=concern.pk,
            actor=cast["coordinator"],
            to_organisation=board,
            legal_ground="OSL 10 kap. 28 §",
            decided_by=decided_by,
        )
    response = cast.client("coordinator_board").get("/oro/arenden/")
    assert _listed(response) == [concern.reference]
    assert response.context["page"].count == 1


def test_a_personnummer_search_shows_its_hits_without_page_links(cast, make_concern):
    for i in range(30):
        make_concern(key=f"k{i}")
    response = cast.client("coordinator").post("/oro/arenden/", {"pnr": TEST_PNR})
    assert response.status_code == 200 and response.context["searched"]
    assert len(response.context["rows"]) == 30
    assert _links(response) == {}


def test_every_page_costs_the_same_queries_and_reads_no_encrypted_content(cast, make_concern):
    for i in range(5):
        make_concern(key=f"few{i}")
    client = cast.client("coordinator")
    client.get("/oro/arenden/")  # the first request of a session fills caches

    def page_queries(params=None):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/oro/arenden/", params or {})
        assert response.status_code == 200
        return [q["sql"] for q in ctx.captured_queries], response

    few, _ = page_queries()
    for i in range(55):
        make_concern(key=f"many{i}")
    many, response = page_queries()
    deep, _ = page_queries(_links(response)["next"])
    assert len(few) == len(many) == len(deep) <= 20
    listed = [sql for sql in many if 'FROM "concerns_concern"' in sql and "LIMIT 26" in sql]
    assert listed, many
    for column in ("observation", "person_name", "person_contact", "assessment", "closure_reason"):
        assert all(f'"{column}"' not in sql for sql in listed), column
    assert all("DISTINCT" not in sql for sql in many)


@pytest.mark.parametrize("role", ["coordinator", "caseworker", "central_coordinator"])
def test_each_handler_role_gets_the_list(cast, make_concern, role):
    make_concern()
    assert cast.client(role).get("/oro/arenden/").status_code == 200
