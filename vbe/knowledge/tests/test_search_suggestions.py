""" "Menade du …?" offers only words that active resources have: the list of known words keeps those of
archived resources and old texts, and a query that finds something through another word (an OR)
must not carry a stale word along."""

from __future__ import annotations

import pytest

from vbe.knowledge import search
from vbe.knowledge.models import Resource
from vbe.knowledge.tests.search_fixtures import resource

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def only_this_tests_resources(reference_data):
    """Resources shipped as reference data are archived here, so each test sees only its own."""
    Resource.objects.update(is_active=False)


def _archive(item: Resource) -> None:
    item.is_active = False
    item.save()
    search.reindex(item)


def test_a_word_of_an_active_resource_is_offered_within_an_or():
    resource("Rutin vid oro", "Så gör du.")
    resource("Om vårblommor", "Blåsippan blommar i mars.")
    assert search.suggest("rutin OR blåsipan") == "rutin OR blåsippan"


def test_a_word_only_an_archived_resource_has_is_not_offered():
    resource("Rutin vid oro", "Så gör du.")
    flowers = resource("Om vårblommor", "Blåsippan blommar i mars.")
    _archive(flowers)
    assert search.suggest("rutin OR blåsipan") is None
    assert search.suggest("blåsipan") is None


def test_a_word_only_an_old_text_had_is_not_offered():
    resource("Rutin vid oro", "Så gör du.")
    flowers = resource("Om vårblommor", "Blåsippan blommar i mars.")
    flowers.body = "Vitsippan blommar i april."
    flowers.save()
    search.reindex(flowers)
    assert search.suggest("rutin OR blåsipan") is None
    assert search.suggest("rutin OR vitsipan") == "rutin OR vitsippan"


def test_only_the_stale_word_is_left_uncorrected():
    resource("Rutin vid oro", "Så gör du.")
    _archive(resource("Om vårblommor", "Blåsippan blommar i mars."))
    # "rutn" still has an active neighbour; "blåsipan" is left as typed, not replaced.
    assert search.suggest("rutn OR blåsipan") == "rutin OR blåsipan"


def test_the_page_offers_no_stale_word(cast):
    resource("Rutin vid oro", "Så gör du.")
    _archive(resource("Om vårblommor", "Blåsippan blommar i mars."))
    page = cast.client("staff").get("/stod/", {"q": "rutin OR blåsipan"})
    assert page.status_code == 200
    assert page.context["suggestion"] is None
    assert "blåsippan" not in page.content.decode()


def test_the_page_keeps_to_the_query_bound_with_corrections(cast, django_assert_max_num_queries):
    resource("Rutin vid oro", "Så gör du.")
    resource("Utbildning för personal", "Samtalsmetodik.")
    _archive(resource("Om vårblommor", "Blåsippan blommar i mars."))
    client = cast.client("staff")
    client.get("/stod/")  # warm up: session, content types
    with django_assert_max_num_queries(20):
        page = client.get("/stod/", {"q": "rutn OR blåsipan OR utbilning OR samtalsmetodk OR persnal"})
    assert page.status_code == 200
