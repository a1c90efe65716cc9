"""Two writes that reindex at once (PostgreSQL: real locks): the same resource twice, and two resources
that bring the same new words to the list behind "did you mean". Neither fails, nothing is doubled."""

from __future__ import annotations

from threading import Barrier, Thread

import pytest
from django.db import connection, transaction

from vbe.knowledge import search
from vbe.knowledge.models import Resource
from vbe.knowledge.tests.search_fixtures import ids, resource
from vbe.organisations.models import Organisation

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs row locks (PostgreSQL)"),
]

WORDS = " ".join(f"kanelbullar{chr(97 + n)}x" for n in range(20))


def _at_once(*resource_ids: int) -> list[Exception]:
    barrier, errors = Barrier(len(resource_ids)), []

    def run(pk: int) -> None:
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():  # as the writing services do: the row locked, then reindexed
                search.reindex(Resource.objects.select_for_update().get(pk=pk))
        except Exception as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [Thread(target=run, args=(pk,)) for pk in resource_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def _entries(pk: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM knowledge_search WHERE resource_id = %s", [pk])
        return cursor.fetchone()[0]


def test_the_same_resource_reindexed_twice_at_once_has_one_entry(reference_data):
    item = resource("Om kardemumma", "Kardemumma i bullar.")
    assert not _at_once(item.pk, item.pk)
    assert _entries(item.pk) == 1
    assert ids(search.search("kardemumma")) == [item.pk]


def test_two_resources_with_the_same_new_words_reindexed_at_once(reference_data):
    owner = Organisation.objects.get(slug="ks")
    first, second = (
        Resource.objects.create(title=title, body=WORDS, kind="article", owner=owner, next_review_on="2030-01-01")
        for title in ("Första", "Andra")
    )
    assert not _at_once(first.pk, second.pk)
    assert set(ids(search.search("kanelbullarax"))) == {first.pk, second.pk}
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM knowledge_search_term WHERE word LIKE 'kanelbullar%%'")
        assert cursor.fetchone()[0] == 20
