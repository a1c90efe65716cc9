"""URL × role entries for the raising pages: the form of raising a concern in SSPF or BUS is for those
who handle the concern (Järva's coordinator and its assigned caseworker); everyone else gets 404, the
concern's existence not revealed, as on the case page."""

from __future__ import annotations

from tests.matrix import NOT_FOUND, OK, Entry, expect
from vbe.concerns.tests.matrix import jarva_concern

MATRIX: dict[str, Entry] = {
    "collaboration:concern_raise": Entry(
        lambda ctx: f"/samverkan/oro/{jarva_concern(ctx).reference}/lyft/",
        expect(NOT_FOUND, coordinator=OK, caseworker=OK),
    ),
}
