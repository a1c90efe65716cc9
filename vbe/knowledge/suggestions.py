""" "Did you mean": a word of the query that the index has never seen is replaced by the nearest word
it has (trigram similarity on PostgreSQL, a small edit distance on SQLite).

The index's words are kept in knowledge_search_term (word, stem), made by migration 0002 and added to
by every reindex. Words are not removed when a text changes (counting each word's resources would
make every edit lock rows that other edits share); a replacement is therefore offered only when it
finds an active resource on its own, and ``manage.py reindex_resources`` starts the list afresh.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import connection

from vbe.knowledge import stemming
from vbe.knowledge.search_query import Query

MIN_LENGTH, MAX_LENGTH = 3, 30  # shorter words are rarely mistyped, longer ones are rarely words
TRIGRAM_CANDIDATES = 20
# Each unknown word costs a query for its neighbours: a page asks for at most this many.
MAX_CORRECTIONS = 3


def add_words(words: Iterable[str]) -> None:
    rows = sorted({w for w in words if MIN_LENGTH <= len(w) <= MAX_LENGTH and w.isalpha()})
    if not rows:
        return
    # Sorted, so two concurrent reindexes wait for each other rather than deadlock.
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO knowledge_search_term (word, stem) VALUES (%s, %s) ON CONFLICT (word) DO NOTHING",
            [(w, stemming.stem(w)) for w in rows],
        )


def clear() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM knowledge_search_term")


def distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, or limit + 1 as soon as it must exceed limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _limit(word: str) -> int:
    return 1 if len(word) <= 5 else 2


def _candidates(word: str) -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The % operator (similarity above pg_trgm.similarity_threshold) is answered by the GIN index.
            cursor.execute(
                "SELECT word FROM knowledge_search_term WHERE word %% %s ORDER BY similarity(word, %s) DESC, word "
                "LIMIT %s",
                [word, word, TRIGRAM_CANDIDATES],
            )
        else:
            # The words with the same first letter and a length within reach, read along the key.
            limit = _limit(word)
            cursor.execute(
                "SELECT word FROM knowledge_search_term WHERE word >= %s AND word < %s AND length(word) BETWEEN %s "
                "AND %s",
                [word[0], chr(ord(word[0]) + 1), len(word) - limit, len(word) + limit],
            )
        return [row[0] for row in cursor.fetchall()]


def nearest(word: str) -> str | None:
    """The nearest known word within the edit-distance limit; ties go to the closest length, then the
    alphabet, so both databases agree when they see the same candidates."""
    limit = _limit(word)
    scored = [(distance(word, c, limit), abs(len(c) - len(word)), c) for c in _candidates(word) if c != word]
    best = min((s for s in scored if s[0] <= limit), default=None)
    return best[2] if best else None


def correction(query: Query, *, finds: Callable[[str], bool]) -> Query | None:
    """The query with each unknown word replaced by its nearest known word, or None if no word of it
    is unknown or none has a near neighbour. A neighbour is offered only if ``finds`` it (on its own,
    among the active resources): the list may still hold words no active resource has."""
    words = [w for w in dict.fromkeys(query.words()) if MIN_LENGTH <= len(w) <= MAX_LENGTH and w.isalpha()]
    if not words:
        return None
    stems = [stemming.stem(w) for w in words]
    marks = ", ".join(["%s"] * len(words))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT word, stem FROM knowledge_search_term WHERE word IN ({marks}) OR stem IN ({marks})",  # noqa: S608
            [*words, *stems],
        )
        known_words, known_stems = set(), set()
        for word, stem in cursor.fetchall():
            known_words.add(word)
            known_stems.add(stem)
    corrections = {}
    unknown = [w for w, s in zip(words, stems, strict=True) if w not in known_words and s not in known_stems]
    for word in unknown[:MAX_CORRECTIONS]:
        replacement = nearest(word)
        if replacement and finds(replacement):
            corrections[word] = replacement
    return query.replaced(corrections) if corrections else None
