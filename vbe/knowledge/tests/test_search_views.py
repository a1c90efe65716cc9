"""/stod/: the list of support resources and their search, as a plain GET form (no JavaScript)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from vbe.guidelines.models import FocusArea
from vbe.knowledge.models import Kind, Resource
from vbe.knowledge.tests.search_fixtures import attach, resource

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def only_this_tests_resources(reference_data):
    """Resources shipped as reference data are archived here, so each test sees only its own."""
    Resource.objects.update(is_active=False)


def test_anonymous_visitors_are_sent_to_sign_in(cast):
    page = cast.client(None).get("/stod/?q=utbildning")
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("accounts:sign_in"))


def test_staff_search_and_see_marked_passages_and_links(cast):
    hit = resource("Utbildningar om oro", "Stadens utbildningar för skolpersonal.")
    owner = resource("Mall för anmälan", "Se bilagan.")
    attach(owner, "mall.docx", "Fyll i blanketten efter utbildningen.")
    page = cast.client("staff").get("/stod/", {"q": "utbildning"})
    assert page.status_code == 200
    text = page.content.decode()
    assert f'href="/stod/{hit.pk}/"' in text and f'href="/stod/{owner.pk}/"' in text
    assert "<mark>utbildningar</mark>" in text and "<mark>utbildningen</mark>" in text
    assert page.context["results"].count == 2
    assert "2 träffar" in text


def test_without_words_every_active_resource_is_listed_by_title(cast):
    late = resource("Åtgärdslista", "Text.", next_review_on=timezone.localdate() - datetime.timedelta(days=3))
    first = resource("Alfabetet", "Text.")
    resource("Gammal rutin", "Text.", is_active=False)
    page = cast.client("staff").get("/stod/")
    assert page.status_code == 200
    assert [h.id for h in page.context["results"].hits] == [first.pk, late.pk]
    assert [h.is_overdue for h in page.context["results"].hits] == [False, True]
    text = page.content.decode()
    assert "2 stödmaterial" in text and "Granskning försenad" in text


def test_an_overdue_resource_is_marked_among_the_hits(cast):
    resource("Rutin om koltrastar", "Koltrastar.", next_review_on=timezone.localdate() - datetime.timedelta(days=1))
    text = cast.client("staff").get("/stod/", {"q": "koltrastar"}).content.decode()
    assert "Granskning försenad" in text


def test_the_filters_work_as_a_plain_get_form(cast):
    area = FocusArea.objects.get(intervention_area__guideline__is_current=True, number=4)
    routine = resource("Rutin om sparvar", "Sparvar.", kind=Kind.ROUTINE)
    routine.focus_areas.add(area)
    article = resource("Artikel om sparvar", "Sparvar.", kind=Kind.ARTICLE)
    client = cast.client("coordinator")
    assert [h.id for h in client.get("/stod/", {"q": "sparv", "typ": "routine"}).context["results"].hits] == [
        routine.pk
    ]
    assert [h.id for h in client.get("/stod/", {"q": "sparv", "omrade": "4"}).context["results"].hits] == [routine.pk]
    both = client.get("/stod/", {"q": "sparv", "typ": "", "omrade": ""}).context["results"].hits
    assert {h.id for h in both} == {routine.pk, article.pk}


@pytest.mark.parametrize(
    "params",
    [
        {"typ": "poem"},
        {"omrade": "99"},
        {"metod": "x"},
        {"malgrupp": "ingen-sadan"},
        {"q": "a" * 2000},
        {"efter": "'; DROP TABLE x"},
        {"q": "sparv", "efter": "999999999999"},
        {"efter": "0.5_12"},
    ],
)
def test_bad_input_is_answered_400_with_a_swedish_error(cast, params):
    resource("Rutin om sparvar", "Sparvar.")
    page = cast.client("staff").get("/stod/", params)
    assert page.status_code == 400
    text = page.content.decode()
    assert "govuk-error-summary" in text
    if "q" in params and len(params["q"]) > 200:
        assert "Skriv högst 200 tecken" in text


@pytest.mark.parametrize("query", ['"', "NEAR(", "*", "-", "OR", "'; DROP TABLE knowledge_resource; --"])
def test_hostile_queries_are_answered_200(cast, query):
    page = cast.client("staff").get("/stod/", {"q": query})
    assert page.status_code == 200
    assert page.context["results"].hits == []


def test_did_you_mean_links_to_the_corrected_search(cast):
    resource("Utbildning i samtal", "Utbildningar för personal.")
    page = cast.client("staff").get("/stod/", {"q": "utbilning", "typ": "article"})
    text = page.content.decode()
    assert page.context["suggestion"] == "utbildning"
    assert "Menade du" in text and 'href="?q=utbildning&amp;typ=article"' in text


def test_pages_follow_by_position(cast):
    made = {resource(f"Om mesar {n}", "Mesar.").pk for n in range(30)}
    client = cast.client("staff")
    first = client.get("/stod/", {"q": "mes"})
    assert first.context["count_cap"] == 100 and first.context["results"].count == 30
    assert "efter=" in first.context["next_url"] and "offset" not in first.context["next_url"]
    second = client.get("/stod/" + first.context["next_url"])
    assert second.status_code == 200 and second.context["results"].next_after is None
    seen = [h.id for h in first.context["results"].hits] + [h.id for h in second.context["results"].hits]
    assert set(seen) == made and len(seen) == 30
    assert "Första sidan" in second.content.decode()


def test_more_than_the_cap_is_not_counted(cast, monkeypatch):
    from vbe.knowledge import search

    monkeypatch.setattr(search, "COUNT_CAP", 5)
    for n in range(8):
        resource(f"Om finkar {n}", "Finkar.")
    text = cast.client("staff").get("/stod/", {"q": "fink"}).content.decode()
    assert "Fler än 5 träffar" in text


def test_the_page_keeps_to_the_query_bound(cast, django_assert_max_num_queries):
    for n in range(60):
        owner = resource(f"Utbildning {n:02}", f"Utbildningar om oro, del {n}.", summary="Stöd för personal.")
        if n % 10 == 0:
            attach(owner, f"bilaga{n}.pdf", "Utbildningen beskrivs i bilagan.")
    client = cast.client("staff")
    client.get("/stod/")  # warm up: session, content types
    urls = [
        "/stod/",
        "/stod/?q=utbildning",
        "/stod/?q=utbilning+okänt+ordxyz+fler+felstavningar",
        "/stod/?q=oro&typ=article&omrade=4&malgrupp=skola",
    ]
    for url in urls:
        with django_assert_max_num_queries(20):
            assert client.get(url).status_code == 200
    with django_assert_max_num_queries(20):
        first = client.get("/stod/?q=utbildning")
        assert client.get("/stod/" + first.context["next_url"]).status_code == 200


@pytest.mark.parametrize("cursor", ["1.0_9999999999999999999", "9999999999999999999"])
def test_an_id_no_database_holds_is_answered_400(cast, cursor):
    resource("Rutin om sparvar", "Sparvar.")
    page = cast.client("staff").get("/stod/", {"q": "rutin" if "_" in cursor else "", "efter": cursor})
    assert page.status_code == 400
    assert "govuk-error-summary" in page.content.decode()


@pytest.mark.parametrize("cursor", ["1e39_1", "-1e39_1", "1e-50_1"])
def test_a_rank_beyond_a_real_is_answered_400_on_postgresql(cast, cursor):
    item = resource("Rutin om sparvar", "Sparvar.")
    page = cast.client("staff").get("/stod/", {"q": "rutin", "efter": cursor})
    if connection.vendor == "postgresql":
        assert page.status_code == 400
        assert "govuk-error-summary" in page.content.decode()
    else:  # a double holds it: a position above or below every hit
        assert page.status_code == 200
    assert Resource.objects.filter(pk=item.pk).exists()


def test_the_position_of_an_archived_resource_is_answered_like_a_missing_one(cast):
    resource("Alfa", "Text.")
    archived = resource("Beta", "Text.", is_active=False)
    later = resource("Gamma", "Text.")
    client = cast.client("staff")
    missing = later.pk + 1000
    for cursor in (archived.pk, missing):
        page = client.get("/stod/", {"efter": str(cursor)})
        assert page.status_code == 400
        assert "govuk-error-summary" in page.content.decode()
