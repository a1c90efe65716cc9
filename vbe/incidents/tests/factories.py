"""Incidents for tests, made directly (the report form has its own tests)."""

from __future__ import annotations

import io
import secrets
from datetime import date

from django.utils import timezone
from PIL import Image

from vbe.accounts.models import User
from vbe.guidelines.vocabulary import Environment
from vbe.incidents import uploads
from vbe.incidents.models import Category, Incident, IncidentPhoto
from vbe.incidents.services import allocate_references
from vbe.organisations.models import District, Organisation, Unit

JARVA = "80132"
SODERMALM = "80127"


def make_incident(
    *,
    reporter: User,
    district_code: str = JARVA,
    occurred_on: date | None = None,
    category: str = Category.PROPAGANDA,
    environment: str = Environment.RIGHT_WING,
    unit: Unit | None = None,
    description: str = "Klistermärken med extremistiska symboler på en busskur.",
    **fields,
) -> Incident:
    district = District.objects.get(code=district_code)
    membership = reporter.memberships.select_related("organisation").first()
    council = Organisation.objects.get(district=district)
    return Incident.objects.create(
        reference=allocate_references(year=timezone.localdate().year)[0],
        reporter=reporter,
        reporter_organisation=membership.organisation if membership else None,
        organisation=council,
        district=district,
        unit=unit,
        category=category,
        environment=environment,
        occurred_on=occurred_on or timezone.localdate(),
        description=description,
        submission_token=secrets.token_hex(16),
        **fields,
    )


def image_bytes(kind: str = "JPEG", size: tuple[int, int] = (40, 30), **save_args) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, kind, **save_args)
    return buffer.getvalue()


def attach_photo(incident: Incident, data: bytes | None = None, stored_name: str | None = None) -> IncidentPhoto:
    """A stored photo, written where the photo view reads it."""
    data = data or image_bytes()
    name = stored_name or uploads.new_stored_name(uploads.JPEG)
    uploads.remove(name)
    uploads.write(name, data)
    return IncidentPhoto.objects.create(
        incident=incident, stored_name=name, content_type="image/jpeg", size=len(data), width=40, height=30
    )
