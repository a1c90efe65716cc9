"""The names of concern subjects, looked for in a text (vbe.concerns.subject_names): whole words, any
case, full name or first and last name; only in concerns the user may read, purged ones never."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vbe.concerns import subject_names
from vbe.concerns.models import Concern, State
from vbe.concerns.subject_names import mentions_concern_subject, name_phrases
from vbe.concerns.tests.conftest import submit_test_concern

pytestmark = pytest.mark.django_db


def _named(cast, name: str, key: str = "n1", organisation: str = "jarva") -> Concern:
    concern = submit_test_concern(cast, key, organisation)
    Concern.objects.filter(pk=concern.pk).update(person_name=name)  # encrypted by the field, as on save
    return concern


def test_name_phrases_are_the_full_name_and_first_and_last():
    assert name_phrases("Anna Maria Svensson") == {" anna maria svensson ", " anna svensson "}
    assert name_phrases("  TEST   Testsson ") == {" test testsson "}
    assert name_phrases("Anna-Karin Ek") == {" anna karin ek "}
    # One word alone is no particular person; nothing to look for.
    assert name_phrases("Ali") == set()
    assert name_phrases("") == set()


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Vi pratade om Test Testsson i skolan.", True),
        ("TEST TESTSSON var inte med", True),
        ("test\ntestsson", True),
        ("Anna Testsson och Test Andersson", False),
        ("Testa Testssonska metoden", False),  # parts of longer words are not the name
        ("Testsson Test", False),  # the other order is not the name
        ("Test", False),
        ("", False),
    ],
)
def test_the_coordinator_reading_the_concern_gets_a_match(cast, text, found):
    _named(cast, "Test Testsson")
    assert mentions_concern_subject(cast["coordinator"], text) is found


def test_first_and_last_name_of_a_longer_name_match(cast):
    _named(cast, "Test Mellan Testsson")
    assert mentions_concern_subject(cast["coordinator"], "Möte om test testsson.")
    assert mentions_concern_subject(cast["coordinator"], "Test Mellan Testsson")
    assert not mentions_concern_subject(cast["coordinator"], "Mellan Testsson")


def test_any_of_several_texts_is_looked_in(cast):
    _named(cast, "Test Testsson")
    assert mentions_concern_subject(cast["coordinator"], "Dagordning", "Beslut om Test Testsson")


@pytest.mark.parametrize("role", ["coordinator_other", "staff", "board_reader", "unit_manager", "central_coordinator"])
def test_no_match_without_access_to_the_concern(cast, role):
    _named(cast, "Test Testsson")
    assert not mentions_concern_subject(cast[role], "Vi pratade om Test Testsson.")


def test_the_other_districts_coordinator_is_told_about_their_own_concern_only(cast):
    _named(cast, "Test Testsson", key="a")
    _named(cast, "Sara Södersson", key="b", organisation="sodermalm")
    other = cast["coordinator_other"]
    assert mentions_concern_subject(other, "Sara Södersson")
    assert not mentions_concern_subject(other, "Test Testsson")


def test_closed_concerns_count_and_purged_ones_do_not(cast):
    closed = _named(cast, "Test Testsson", key="a")
    Concern.objects.filter(pk=closed.pk).update(state=State.CLOSED, closed_at=timezone.now())
    assert mentions_concern_subject(cast["coordinator"], "Test Testsson")
    Concern.objects.filter(pk=closed.pk).update(purged_at=timezone.now())
    assert not mentions_concern_subject(cast["coordinator"], "Test Testsson")


def test_concerns_without_a_name_are_not_read(cast):
    _named(cast, "", key="utan")
    with CaptureQueriesContext(connection) as queries:
        assert not mentions_concern_subject(cast["coordinator"], "Test Testsson")
    # The user's memberships, then the names: the empty ones left out by the query, not in Python.
    assert len(queries) <= 2
    assert "person_name" in queries[-1]["sql"].split("WHERE", 1)[1]


def test_names_are_read_in_chunks(cast, monkeypatch):
    monkeypatch.setattr(subject_names, "CHUNK", 2)
    for i in range(5):
        _named(cast, f"Person{i} Efternamn{i}", key=f"c{i}")
    assert mentions_concern_subject(cast["coordinator"], "om person4 efternamn4")
    assert not mentions_concern_subject(cast["coordinator"], "om person4 efternamn3")


def test_a_text_of_one_word_asks_nothing(cast):
    _named(cast, "Test Testsson")
    with CaptureQueriesContext(connection) as queries:
        assert not mentions_concern_subject(cast["coordinator"], "Testsson")
    assert len(queries) == 0
