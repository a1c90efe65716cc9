"""URL × role entries for the imports part.

Järva's imports are kept by Järva's coordinators, its unit managers and the central coordinator; a
unit manager sees only the imports they uploaded themselves, so the coordinator's import is 404 to
them. Anyone else is refused by the organisation's rule (403).
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tests.matrix import FORBIDDEN, NOT_FOUND, Entry, only
from vbe.competence.models import CompletionImport
from vbe.organisations.models import Organisation

JARVA_KEEPERS = ("coordinator", "unit_manager", "central_coordinator")
CSV = b"E-post;Kurs;Datum\nanna@example.invalid;GRUND-1;2026-01-15\n"


def coordinators_import(ctx: dict) -> CompletionImport:
    """An uploaded, not yet mapped file of Järva's coordinator."""
    imp = CompletionImport.objects.filter(file_name="matris.csv").first()
    if imp is None:
        key = default_storage.save("training-imports/matris-test.csv", ContentFile(CSV))
        imp = CompletionImport.objects.create(
            organisation=Organisation.objects.get(slug="jarva"),
            uploaded_by=ctx["cast"]["coordinator"],
            file=key,
            file_name="matris.csv",
            sha256="0" * 64,
            headers=["E-post", "Kurs", "Datum"],
            mapping={"email": 0, "course": 1, "completed_on": 2},
        )
    return imp


def _path(suffix: str = ""):
    return lambda ctx: f"/utbildning/jarva/import/{coordinators_import(ctx).pk}/{suffix}"


ONE_IMPORT = {
    **only("coordinator", "central_coordinator", others=FORBIDDEN),
    "unit_manager": NOT_FOUND,
}

MATRIX = {
    "competence:import_start": Entry(lambda ctx: "/utbildning/jarva/import/", only(*JARVA_KEEPERS)),
    "competence:import_mapping": Entry(_path("kolumner/"), ONE_IMPORT),
    "competence:import_status": Entry(_path(), ONE_IMPORT),
}
