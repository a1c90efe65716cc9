"""URL × role entries for the criteria of the democracy condition: read by every reader of the actor
register, kept by the central coordinator."""

from __future__ import annotations

from tests.matrix import Entry, only
from vbe.collaboration.models import Criterion
from vbe.collaboration.tests.matrix_assessments import REGISTER_READERS

MATRIX = {
    "collaboration:criteria": Entry(lambda ctx: "/samverkan/kriterier/", only(*REGISTER_READERS)),
    "collaboration:criterion_create": Entry(lambda ctx: "/samverkan/kriterier/ny/", only("central_coordinator")),
    "collaboration:criterion_edit": Entry(
        lambda ctx: f"/samverkan/kriterier/{ctx['pk'](Criterion)}/andra/", only("central_coordinator")
    ),
}
