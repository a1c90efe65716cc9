"""URL × role entries for the forums pages.

The list and a forum's page are read by everyone who works with the collaboration (coordinators,
caseworkers, unit managers, board readers, the central coordinator): not by staff, the auditor or the
administrator. Creating and changing a forum is the central coordinator's.
"""

from __future__ import annotations

from tests.matrix import OK, Entry, only
from vbe.collaboration.models import Forum

FORUM_READERS = (
    "coordinator",
    "coordinator_other",
    "coordinator_board",
    "caseworker",
    "unit_manager",
    "board_reader",
    "central_coordinator",
)


def sspf_jarva(ctx: dict) -> int:
    return Forum.objects.get(name="SSPF Järva").pk


MATRIX = {
    "collaboration:forums": Entry(lambda ctx: "/samverkan/forum/", only(*FORUM_READERS)),
    "collaboration:forum_create": Entry(lambda ctx: "/samverkan/forum/nytt/", only("central_coordinator")),
    "collaboration:forum": Entry(lambda ctx: f"/samverkan/forum/{sspf_jarva(ctx)}/", only(*FORUM_READERS, status=OK)),
    "collaboration:forum_edit": Entry(
        lambda ctx: f"/samverkan/forum/{sspf_jarva(ctx)}/andra/", only("central_coordinator")
    ),
}
