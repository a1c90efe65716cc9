"""URL × role entries for the coverage pages (gathered by tests/test_url_role_matrix.py).

The city view is the central coordinator's alone. Järva's view: its coordinator, its unit manager
(their units only) and the central coordinator; the education board's board reader reads only that
board's, so Järva's is forbidden to them.
"""

from __future__ import annotations

from tests.matrix import Entry, only

ORG_READERS = ("coordinator", "unit_manager", "central_coordinator")

MATRIX = {
    "competence:coverage_city": Entry(lambda ctx: "/utbildning/tackning/", only("central_coordinator")),
    "competence:coverage_city_xlsx": Entry(lambda ctx: "/utbildning/tackning.xlsx", only("central_coordinator")),
    "competence:coverage_organisation": Entry(lambda ctx: "/utbildning/tackning/jarva/", only(*ORG_READERS)),
    "competence:coverage_organisation_xlsx": Entry(lambda ctx: "/utbildning/tackning/jarva.xlsx", only(*ORG_READERS)),
}
