"""What someone typed in the search box, read once into words, for both databases.

The syntax is PostgreSQL's ``websearch_to_tsquery``, which is what people type into search engines:
words (all must occur), ``"a phrase"``, ``a OR b`` and ``-word`` (must not occur). Anything else is
just text: the query is cut into words (letters and digits) and nothing the user typed ever reaches
a database as query syntax. PostgreSQL gets the query back as a websearch string made only of those
words; SQLite gets an FTS5 expression made only of quoted stems. A negated word inside an OR group
counts as a plain word on both (FTS5 cannot say "a OR NOT b"); a query with no word that must occur
finds nothing on both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vbe.knowledge import stemming

# The page's field allows this many characters; the service cuts anything longer (a request made by
# hand) to the same, and reads at most MAX_TERMS words from it, so a query's cost is bounded.
MAX_QUERY_LENGTH = 200
MAX_TERMS = 10

# A quoted phrase (the closing quote may be missing), or a run of non-space characters.
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # lowercased, stopwords left out; more than one: a phrase
    negated: bool = False

    @property
    def stems(self) -> tuple[str, ...]:
        return tuple(stemming.stem(w) for w in self.words)

    def websearch(self) -> str:
        text = self.words[0] if len(self.words) == 1 else '"' + " ".join(self.words) + '"'
        return ("-" if self.negated else "") + text


@dataclass(frozen=True)
class Query:
    groups: tuple[tuple[Term, ...], ...]  # all groups must match; a group: any of its terms

    @property
    def positive(self) -> tuple[tuple[Term, ...], ...]:
        return tuple(g for g in self.groups if not (len(g) == 1 and g[0].negated))

    @property
    def negative(self) -> tuple[Term, ...]:
        return tuple(g[0] for g in self.groups if len(g) == 1 and g[0].negated)

    @property
    def is_empty(self) -> bool:
        return not self.positive

    def words(self) -> list[str]:
        """The words that must (or may) occur, for the snippets and the suggestions."""
        return [w for group in self.positive for term in group for w in term.words]

    def stems(self) -> set[str]:
        return {stemming.stem(w) for w in self.words()}

    def websearch(self) -> str:
        """The query for PostgreSQL's websearch_to_tsquery: words, quotes, OR and minus only."""
        return " ".join(" OR ".join(t.websearch() for t in group) for group in self.groups)

    def fts5(self) -> str:
        """The query for SQLite's FTS5 MATCH: every stem quoted, so it can never be FTS5 syntax."""

        def phrase(term: Term) -> str:
            return '"' + " ".join(term.stems) + '"'

        expression = " AND ".join("(" + " OR ".join(phrase(t) for t in group) + ")" for group in self.positive)
        for term in self.negative:
            expression = f"({expression}) NOT {phrase(term)}"
        return expression

    def replaced(self, corrections: dict[str, str]) -> Query:
        """The same query with some words replaced (the "did you mean" suggestion)."""
        return Query(
            tuple(
                tuple(Term(tuple(corrections.get(w, w) for w in t.words), t.negated) for t in group)
                for group in self.groups
            )
        )


def parse(text: str) -> Query:
    groups: list[list[Term]] = []
    join_next = False  # the previous token was OR
    count = 0
    for match in _TOKEN.finditer(text[:MAX_QUERY_LENGTH]):
        minus, quoted, bare = match.groups()
        if bare is not None and bare.lower() == "or" and groups:
            join_next = True
            continue
        negated = bool(minus) or (bare is not None and bare.startswith("-"))
        words = tuple(stemming.words(quoted if quoted is not None else bare))[: MAX_TERMS - count]
        if not words:
            continue
        count += len(words)
        term = Term(words, negated)
        if join_next:
            groups[-1] = [Term(t.words) for t in (*groups[-1], term)]  # no negation inside OR
        else:
            groups.append([term])
        join_next = False
        if count >= MAX_TERMS:
            break
    if join_next:  # an OR with nothing after it is a word, as PostgreSQL reads it
        groups.append([Term(("or",))])
    return Query(tuple(tuple(g) for g in groups))
