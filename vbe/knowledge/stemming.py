"""Swedish words and their stems, for SQLite's full-text index, the snippets and the suggestions.

PostgreSQL stems with its own ``swedish`` configuration; SQLite gets the same Snowball algorithm from
the maintained ``snowballstemmer`` package, applied to the text before it is indexed and to the query
before it is matched, so both databases find "utbildningar" for "utbildning". Nothing folds å, ä or ö
to a or o: "år" and "ar" are different words in Swedish, and stay different in the index.
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

# A word is a run of letters and digits in any script (\w without the underscore), so "é" in
# "idé", "å" in "år" and the digits of "2024" are parts of words and punctuation never is.
WORD = re.compile(r"[^\W_]+")

# PostgreSQL's swedish.stop (the Snowball list), so both databases pass over the same words: a query
# of these alone finds nothing on either.
_STOPWORDS = """och det att i en jag hon som han på den med var sig för så till är men ett om hade de av icke mig
    du henne då sin nu har inte hans honom skulle hennes där min man ej vid kunde något från ut när efter
    upp vi dem vara vad över än dig kan sina här ha mot alla under någon eller allt mycket sedan ju denna
    själv detta åt utan varit hur ingen mitt ni bli blev oss din dessa några deras blir mina samma vilken
    er sådan vår blivit dess inom mellan sådant varför varje vilka ditt vem vilket sitta sådana vart dina
    vars vårt våra ert era vilkas"""
STOPWORDS = frozenset(_STOPWORDS.split())

# A longer "word" is a pasted identifier or noise: it is not indexed and not searched for.
MAX_WORD_LENGTH = 60

_stemmer = snowballstemmer.stemmer("swedish")


def words(text: str) -> list[str]:
    """The text's words, lowercased, in order, stopwords and overlong runs left out."""
    return [w for w in WORD.findall(text.lower()) if w not in STOPWORDS and len(w) <= MAX_WORD_LENGTH]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball Swedish stem of one lowercased word (cached: texts repeat their words)."""
    return _stemmer.stemWord(word)


def stems(text: str) -> list[str]:
    return [stem(w) for w in words(text)]


def stemmed_text(text: str) -> str:
    """The text as the index holds it on SQLite: its stems, separated by spaces."""
    return " ".join(stems(text))
