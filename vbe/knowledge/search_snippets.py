"""The passage shown under a hit, with the matched words marked.

Built here rather than with ts_headline so both databases show the same thing, and built safely:
every piece of the resource's text is escaped, and only the <mark> tags around a matched word are
markup. A word matches when its Snowball stem is one of the query's stems.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from vbe.knowledge import stemming

BEFORE, AFTER = 80, 160  # characters of context around the first matched word
FALLBACK = 200  # characters of the text shown when no word of it matches (a hit by its title)

_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MARKDOWN_MARKS = re.compile(r"^\s*(?:#+|>+|[-*+]|\d+\.)\s+|[*_`]+", re.MULTILINE)
_SPACE = re.compile(r"\s+")


def _plain(text: str) -> str:
    """Markdown as it reads: link texts without their addresses, no emphasis marks or headings."""
    return _SPACE.sub(" ", _MARKDOWN_MARKS.sub(" ", _MARKDOWN_LINK.sub(r"\1", text))).strip()


def _candidates(stems: set[str]) -> re.Pattern[str]:
    # A Swedish Snowball stem is the start of its word, so a word can only match if it begins with
    # one of the stems: finding those first keeps long attachments from being stemmed word by word.
    alternatives = "|".join(re.escape(s) for s in sorted(stems, key=len, reverse=True))
    return re.compile(rf"(?<![^\W_])(?:{alternatives})[^\W_]*", re.IGNORECASE)


def _matches(text: str, pattern: re.Pattern[str], stems: set[str]) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text) if stemming.stem(m.group().lower()) in stems]


def snippet(texts: Iterable[str], stems: set[str]) -> SafeString:
    """The first passage of ``texts`` (summary, body, attachments, in that order) with a matched word;
    else the beginning of the first text that has any."""
    pattern = _candidates(stems) if stems else None
    first = ""
    for raw in texts:
        text = _plain(raw)
        first = first or text
        if pattern is None or not text:
            continue
        found = pattern.search(text) and _matches(text, pattern, stems)
        if found:
            start = max(0, found[0][0] - BEFORE)
            end = min(len(text), found[0][1] + AFTER)
            return _marked(text, start, end, [(a, b) for a, b in found if a >= start and b <= end])
    return _marked(first, 0, min(len(first), FALLBACK), [])


def _marked(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> SafeString:
    # Cut at word boundaries so no word is shown in part.
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < (spans[0][0] if spans else end) else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > (spans[-1][1] if spans else start) else end
    pieces = ["… " if start > 0 else ""]
    position = start
    for a, b in spans:
        pieces += [escape(text[position:a]), "<mark>", escape(text[a:b]), "</mark>"]
        position = b
    pieces += [escape(text[position:end]), " …" if end < len(text) else ""]
    return mark_safe("".join(pieces))  # noqa: S308 - every piece of text above is escaped
