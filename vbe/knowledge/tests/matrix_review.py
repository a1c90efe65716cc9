"""URL × role entries for the review duty.

The overview is the central coordinator's for the whole city and each local coordinator's for their
own organisations; the matrix resource (owned by Järva) is marked reviewed by Järva's coordinator and
the central coordinator.
"""

from __future__ import annotations

from tests.matrix import OK, Entry, only
from vbe.knowledge.tests.matrix_attachments import matrix_resource

KEEPERS = ("coordinator", "central_coordinator")
COORDINATORS = ("coordinator", "coordinator_other", "coordinator_board", "central_coordinator")

MATRIX = {
    "knowledge:review": Entry(lambda ctx: "/stod/granskning/", only(*COORDINATORS, status=OK)),
    "knowledge:resource_reviewed": Entry(lambda ctx: f"/stod/{matrix_resource(ctx).pk}/granskad/", only(*KEEPERS)),
}
