"""Whether a text names a person in a concern the user may read: the warning that keeps the names of
concern subjects out of texts that are not a concern's own (meeting records of the collaboration forums).

Names are encrypted, so they cannot be searched in the database: the readable concerns' names are
decrypted here, in chunks, and looked for in the text. Only what the user may read is looked at
(``permissions.concerns_visible_to``, the case list's own scope), so the answer never tells anyone about
a concern they cannot read: a user without access to concerns never gets a match. Purged concerns have
no name left; open concerns and closed ones still kept count.

A name matches as whole words, without regard to case: the full name as written in the concern, or its
first and last name next to each other ("Anna Maria Svensson" also matches "anna svensson"). A name of
one word alone is not looked for: a single given name is too common to mean a particular person.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from vbe.accounts import permissions
from vbe.accounts.guarded import Person
from vbe.concerns.models import Concern

# Names are decrypted this many at a time: memory stays flat however many concerns the user reads.
CHUNK = 500
_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def _phrase(words: Iterable[str]) -> str:
    # Spaces around, so "in" matching is by whole words only.
    return f" {' '.join(words)} "


def name_phrases(name: str) -> set[str]:
    """The phrases a name is looked for as: the full name, and the first and last parts together."""
    parts = [_words(part) for part in name.split()]
    parts = [part for part in parts if part]
    if sum(len(part) for part in parts) < 2:
        return set()
    phrases = {_phrase(word for part in parts for word in part)}
    if len(parts) > 2:
        phrases.add(_phrase([*parts[0], *parts[-1]]))
    return phrases


def mentions_concern_subject(user: Person, *texts: str) -> bool:
    """True if any of ``texts`` holds the name of a person in a concern ``user`` may read."""
    haystacks = [_phrase(words) for words in map(_words, texts) if len(words) >= 2]
    if not haystacks:
        return False
    names = (
        permissions.concerns_visible_to(user, Concern.objects.all())
        .filter(purged_at__isnull=True)
        .exclude(person_name="")  # empty stays empty when encrypted, so this is a plain comparison
        .order_by()
        .values_list("person_name", flat=True)
    )
    for name in names.iterator(chunk_size=CHUNK):
        for phrase in name_phrases(name):
            if any(phrase in haystack for haystack in haystacks):
                return True
    return False
