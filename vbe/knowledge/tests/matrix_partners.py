"""URL × role entries for the partners pages: every signed-in user reads them (Action.VIEW_SUPPORT);
editing is in the admin site (its own entries)."""

from __future__ import annotations

from tests.matrix import OK, Entry, expect
from vbe.organisations.models import Partner


def _partner(ctx: dict) -> int:
    return Partner.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True).first()


MATRIX = {
    "knowledge:partners": Entry(lambda ctx: "/stod/samverkanspartner/", expect(OK)),
    "knowledge:partner": Entry(lambda ctx: f"/stod/samverkanspartner/{_partner(ctx)}/", expect(OK)),
}
