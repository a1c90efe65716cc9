"""URL × role entries for the search page: every signed-in user browses and searches support resources."""

from __future__ import annotations

from tests.matrix import OK, Entry, expect

MATRIX = {
    "knowledge:index": Entry(lambda ctx: "/stod/", expect(OK)),
}
