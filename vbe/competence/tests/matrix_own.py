"""URL × role entries for one's own trainings and the keepers' list of learners.

The staff member of the cast is a learner placed at Järva's "Testfritidsgården" with one completion
that carries a certificate. They see their own record and certificate; Järva's coordinator, the unit
manager of that unit and the central coordinator keep its records; anyone else finds no certificate
(404) and may not open Järva's list (403).
"""

from __future__ import annotations

import datetime

from tests.matrix import FORBIDDEN, NOT_ALLOWED, NOT_FOUND, OK, Entry, expect, only
from vbe.competence import certificates
from vbe.competence.models import Completion, CompletionSource, Course, Learner, Placement, StaffGroup
from vbe.organisations.models import Unit

KEEPERS = ("unit_manager", "coordinator", "central_coordinator")
MATRIX_CERTIFICATE = "certificates/matrix-test-certificate.pdf"
PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def staff_completion(ctx: dict) -> Completion:
    staff = ctx["cast"]["staff"]
    group, _ = StaffGroup.objects.get_or_create(slug="matristest", defaults={"name": "Matristest"})
    course, _ = Course.objects.get_or_create(
        title="Matristest grundkurs", defaults={"provider": "Testanordnare", "level": "grund", "format": "digital"}
    )
    learner, _ = Learner.objects.get_or_create(user=staff, defaults={"email": staff.email.lower(), "name": "Test"})
    unit = Unit.objects.get(organisation__slug="jarva", name="Testfritidsgården")
    Placement.objects.get_or_create(learner=learner, unit=unit, defaults={"staff_group": group})
    completion, _ = Completion.objects.get_or_create(
        learner=learner,
        course=course,
        completed_on=datetime.date(2024, 3, 1),
        defaults={"source": CompletionSource.SELF, "certificate": MATRIX_CERTIFICATE, "certificate_name": "intyg.pdf"},
    )
    certificates.write_named(MATRIX_CERTIFICATE, PDF_BYTES)
    return completion


def _certificate(ctx: dict) -> str:
    return f"/utbildning/mina/{staff_completion(ctx).pk}/intyg/"


def _person(ctx: dict) -> str:
    return f"/utbildning/jarva/deltagare/{staff_completion(ctx).learner_id}/"


MATRIX = {
    "competence:own_list": Entry(lambda ctx: "/utbildning/mina/", expect(OK)),
    "competence:own_register": Entry(lambda ctx: "/utbildning/mina/ny/", expect(OK)),
    "competence:own_remove": Entry(
        lambda ctx: f"/utbildning/mina/{staff_completion(ctx).pk}/ta-bort/",
        expect(NOT_ALLOWED, anonymous=NOT_ALLOWED),
    ),
    "competence:own_certificate": Entry(_certificate, only("staff", *KEEPERS, others=NOT_FOUND)),
    "competence:people": Entry(lambda ctx: "/utbildning/jarva/deltagare/", only(*KEEPERS, others=FORBIDDEN)),
    "competence:person": Entry(_person, only(*KEEPERS, others=FORBIDDEN)),
}
