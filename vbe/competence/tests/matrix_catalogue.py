"""URL × role entries for the catalogue part: the home page, the catalogue, staff groups, targets and
the headcount grid.

Everyone signed in reads the catalogue and the home page; only the central coordinator keeps the
catalogue, staff groups and targets. Järva's headcounts are kept by Järva's coordinator, its unit
manager (their own units) and the central coordinator.
"""

from __future__ import annotations

from django.utils import timezone

from tests.matrix import NOT_ALLOWED, OK, Entry, expect, only
from vbe.competence.models import Course, StaffGroup

CATALOGUE_KEEPER = ("central_coordinator",)
JARVA_KEEPERS = ("coordinator", "unit_manager", "central_coordinator")


def _course(ctx: dict) -> int:
    return Course.objects.order_by("pk").values_list("pk", flat=True).first()


def _group(ctx: dict) -> int:
    return StaffGroup.objects.order_by("pk").values_list("pk", flat=True).first()


MATRIX = {
    "competence:home": Entry(lambda ctx: "/utbildning/", expect(OK)),
    "competence:catalogue": Entry(lambda ctx: "/utbildning/katalog/", expect(OK)),
    "competence:course_create": Entry(lambda ctx: "/utbildning/katalog/ny/", only(*CATALOGUE_KEEPER)),
    "competence:course_detail": Entry(lambda ctx: f"/utbildning/katalog/{_course(ctx)}/", expect(OK)),
    "competence:course_edit": Entry(lambda ctx: f"/utbildning/katalog/{_course(ctx)}/andra/", only(*CATALOGUE_KEEPER)),
    # POST only: a GET is refused before anyone's role is asked.
    "competence:course_active": Entry(lambda ctx: f"/utbildning/katalog/{_course(ctx)}/aktiv/", expect(NOT_ALLOWED)),
    "competence:staff_groups": Entry(lambda ctx: "/utbildning/personalgrupper/", only(*CATALOGUE_KEEPER)),
    "competence:staff_group_create": Entry(lambda ctx: "/utbildning/personalgrupper/ny/", only(*CATALOGUE_KEEPER)),
    "competence:staff_group_edit": Entry(
        lambda ctx: f"/utbildning/personalgrupper/{_group(ctx)}/andra/", only(*CATALOGUE_KEEPER)
    ),
    "competence:targets": Entry(lambda ctx: "/utbildning/mal/", only(*CATALOGUE_KEEPER)),
    "competence:headcounts": Entry(
        lambda ctx: f"/utbildning/jarva/anstallda/{timezone.localdate().year}/", only(*JARVA_KEEPERS)
    ),
}
