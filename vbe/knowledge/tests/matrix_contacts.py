"""URL × role entries for the contacts page: every signed-in user reads it (Action.VIEW_SUPPORT)."""

from __future__ import annotations

from tests.matrix import OK, Entry, expect

MATRIX = {
    "knowledge:contacts": Entry(lambda ctx: "/stod/kontakter/", expect(OK)),
}
