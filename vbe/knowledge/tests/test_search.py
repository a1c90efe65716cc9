"""Search over support resources, on whichever database the suite runs (SQLite, and PostgreSQL in CI):
the issue's four cases, the index kept by reindex, the filters and the pages."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from vbe.competence.models import StaffGroup
from vbe.guidelines.models import FocusArea, Method
from vbe.knowledge import search
from vbe.knowledge.models import ExtractionState, Kind, Resource
from vbe.knowledge.tests.search_fixtures import attach, ids, resource

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def only_this_tests_resources(reference_data):
    """Resources shipped as reference data are archived here, so each test sees only its own."""
    Resource.objects.update(is_active=False)


def test_an_inflected_form_finds_the_resource(reference_data):
    plural = resource("Utbildningar för fältassistenter", "Grundkurs om hur man agerar vid oro.")
    in_body = resource("Kvällskurs", "Stadens utbildningar i samtalsmetodik ges varje termin.")
    found = ids(search.search("utbildning"))
    assert plural.pk in found and in_body.pk in found
    assert plural.pk in ids(search.search("Utbildningarna"))


def test_a_title_hit_ranks_above_a_body_hit(reference_data):
    # The body hit is made first, so the id does not decide the order.
    body = resource("Samverkan i skolan", "Om radikalisering bland unga och vad skolan kan göra åt den.")
    title = resource("Radikalisering", "Vad skolan kan göra åt den och hur samverkan går till.")
    assert ids(search.search("radikalisering"))[:2] == [title.pk, body.pk]


def test_år_and_ar_are_different_words(reference_data):
    year = resource("Planen för ett år", "Planen gäller i ett år från beslutet.")
    area = resource("Ytor för odling", "Odlingslotten är tio ar stor.")
    assert ids(search.search("år")) == [year.pk]
    assert ids(search.search("ar")) == [area.pk]


def test_the_text_of_attached_docx_and_pdf_files_is_found(reference_data):
    owner = resource("Mall för orosanmälan", "Se bilagorna.")
    attach(owner, "blankett.docx", "Blanketten fylls i av den som ser tecken på våldsbejakande trollsländor.")
    attach(owner, "riktlinje.pdf", "Kapitel 3 handlar om myrslokar och deras hantering.")
    docx, pdf = search.search("trollslända"), search.search("myrslokarna")
    assert ids(docx) == [owner.pk] and ids(pdf) == [owner.pk]
    assert "<mark>trollsländor</mark>" in docx.hits[0].snippet
    assert "<mark>myrslokar</mark>" in pdf.hits[0].snippet


def test_an_attachment_not_yet_read_is_not_searched(reference_data):
    owner = resource("Mall för rapport", "Se bilagan.")
    attach(owner, "rapport.pdf", "Ett ord som heter pelikanfjäder.", extraction=ExtractionState.PENDING)
    assert search.search("pelikanfjäder").hits == []


def test_a_change_replaces_the_entry_and_an_archived_resource_leaves_the_index(reference_data):
    item = resource("Guide om ekorrar", "Text om ekorrar.")
    item.title, item.body = "Guide om grävlingar", "Text om grävlingar."
    item.save()
    search.reindex(item)
    assert search.search("ekorre").hits == []
    assert ids(search.search("grävling")) == [item.pk]
    item.is_active = False
    item.save()
    search.reindex(item)
    assert search.search("grävling").hits == []
    assert item.pk not in ids(search.search("", limit=1000))
    assert item.pk in ids(search.search("", include_archived=True, limit=1000))


def test_the_passage_is_escaped_and_only_the_match_is_marked(reference_data):
    resource("Varning", 'Text <script>alert("x")</script> om <b>näbbmöss</b> & annat.')
    snippet = search.search("näbbmöss").hits[0].snippet
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    assert "&lt;b&gt;<mark>näbbmöss</mark>&lt;/b&gt;" in snippet


# (query, finds the resource about "illrar"): signs are not syntax, every other word must occur too.
HOSTILE = [
    ('"', False),
    ("*", False),
    ("NEAR(", False),
    ("OR", False),
    ("-", False),
    ("'", False),
    ("''", False),
    ('"illrar', True),
    ("illrar*", True),
    ("NEAR(illrar, 2)", False),
    ("illrar OR", False),
    ("OR illrar", False),
    ("-illrar", False),
    ("(illrar", True),
    ("illrar)", True),
    ("{illrar}", True),
    ("^illrar", True),
    ("illrar\x00", True),
    ("title:illrar", False),
    ("illrar & | ! <-> :*", True),
    ("'; DROP TABLE knowledge_resource; --", False),
    ('" OR 1=1 --', False),
    ("a" * 2000, False),
    ("illrar " * 400, True),
]


@pytest.mark.parametrize(("query", "finds"), HOSTILE)
def test_hostile_queries_never_fail(reference_data, query, finds):
    item = resource("Om illrar", "Illrar och deras skötsel.")
    results = search.search(query)
    assert ids(results) == ([item.pk] if finds else [])
    assert search.suggest(query) is None
    assert Resource.objects.filter(pk=item.pk).exists()


def test_a_query_of_only_words_that_must_not_occur_finds_nothing(reference_data):
    resource("Om bävrar", "Bävrar bygger dammar.")
    assert search.search("-bävrar").hits == []
    assert search.search("och det att").hits == []  # stopwords only


def test_or_and_minus_and_phrases(reference_data):
    hare = resource("Om harar", "Harar springer fort över fälten.")
    lynx = resource("Om lodjur", "Lodjur jagar harar i skogen.")
    assert set(ids(search.search("harar OR lodjur"))) == {hare.pk, lynx.pk}
    assert ids(search.search("harar -lodjur")) == [hare.pk]
    assert ids(search.search('"springer fort"')) == [hare.pk]
    assert search.search('"fort springer"').hits == []


def test_filters(reference_data):
    area = FocusArea.objects.get(intervention_area__guideline__is_current=True, number=4)
    method = Method.objects.filter(focus_area=area).first()
    group, other = StaffGroup.objects.order_by("position")[:2]
    routine = resource("Rutin om valrossar", "Valrossar.", kind=Kind.ROUTINE)
    routine.focus_areas.add(area)
    routine.methods.add(method)
    routine.audience_groups.add(group)
    article = resource("Artikel om valrossar", "Valrossar.", kind=Kind.ARTICLE)
    article.audience_groups.add(other)
    everyone = resource("Mall om valrossar", "Valrossar.", kind=Kind.TEMPLATE)
    assert ids(search.search("valross", kind=Kind.ROUTINE)) == [routine.pk]
    assert ids(search.search("valross", focus_area=area)) == [routine.pk]
    assert ids(search.search("valross", method=method)) == [routine.pk]
    # A resource meant for no group in particular is for every group.
    assert set(ids(search.search("valross", staff_group=group))) == {routine.pk, everyone.pk}
    assert set(ids(search.search("", staff_group=other, kind=Kind.ARTICLE, limit=1000))) >= {article.pk}
    assert routine.pk not in ids(search.search("", staff_group=other, limit=1000))


def _all_pages(query: str, limit: int) -> list[int]:
    seen, after = [], None
    while True:
        results = search.search(query, after=after, limit=limit)
        seen += ids(results)
        if results.next_after is None:
            return seen
        after = results.next_after


def test_pages_of_hits_follow_each_other_without_gaps_or_repeats(reference_data):
    made = [resource(f"Sälar del {n}", "sälar " * (n % 3 + 1) + "och annat") for n in range(8)]
    made += [resource(f"Annat {n}", "Text om sälar.") for n in range(3)]
    everything = ids(search.search("säl", limit=100))
    assert sorted(everything) == sorted(r.pk for r in made)
    assert _all_pages("säl", limit=3) == everything
    first = search.search("säl", limit=3)
    assert first.count == len(made) and first.next_after is not None


def test_pages_of_the_list_by_title(reference_data):
    for n in range(5):
        resource(f"Ö-listan {n}", "Text.")
    everything = ids(search.search("", limit=1000))
    assert _all_pages("", limit=2) == everything
    assert len(set(everything)) == len(everything)


@pytest.mark.parametrize("cursor", ["x", "1_x", "nan_3", "inf_3", "0.5_0", "999999999"])
def test_a_cursor_it_did_not_make_is_refused(reference_data, cursor):
    resource("Om uttrar", "Uttrar.")
    with pytest.raises(search.InvalidCursor):
        search.search("uttrar" if "_" in cursor else "", after=cursor)


def test_the_count_stops_at_the_cap(reference_data, monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    for n in range(6):
        resource(f"Om tumlare {n}", "Tumlare.")
    results = search.search("tumlare", limit=2)
    assert results.count == 4 and results.more_than_cap


def test_did_you_mean(reference_data):
    resource("Utbildning i samtalsmetodik", "Utbildningar för personal i skolan.")
    assert search.suggest("utbilning") == "utbildning"
    assert search.suggest("utbilning i skolan") == "utbildning skolan"
    assert search.suggest("utbildning") is None  # a known word
    assert search.suggest("utbildningarnas") is None  # known by its stem
    assert search.suggest("xqzvwk") is None  # nothing near


def test_rebuild_indexes_everything_afresh(reference_data):
    item = resource("Om sjöstjärnor", "Sjöstjärnor.")
    with connection.cursor() as cursor:  # an index emptied behind the portal's back
        table = "knowledge_search" if connection.vendor == "postgresql" else "knowledge_search_fts"
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - one of two names
    assert search.search("sjöstjärna").hits == []
    call_command("reindex_resources", verbosity=0)
    assert ids(search.search("sjöstjärna")) == [item.pk]
