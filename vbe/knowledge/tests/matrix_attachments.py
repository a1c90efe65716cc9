"""URL × role entries for a resource's attachments.

The matrix resource is an active routine owned by Järva with one PDF attached. Everyone signed in
downloads it; Järva's coordinator and the central coordinator upload and remove files.
"""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tests.matrix import NOT_ALLOWED, OK, Entry, expect, only
from vbe.knowledge import attachments
from vbe.knowledge.models import Attachment, ExtractionState, Kind, Resource
from vbe.organisations.models import Organisation

KEEPERS = ("coordinator", "central_coordinator")
# A fixed name, replaced on every run: the matrix test has no per-test upload directory.
MATRIX_FILE = "0" * 31 + "1.pdf"
PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def matrix_resource(ctx: dict) -> Resource:
    resource, _ = Resource.objects.get_or_create(
        title="Matristest: rutin med bilaga",
        defaults={
            "kind": Kind.ROUTINE,
            "owner": Organisation.objects.get(slug="jarva"),
            "next_review_on": datetime.date.today() + datetime.timedelta(days=200),
        },
    )
    return resource


def matrix_attachment(ctx: dict) -> Attachment:
    resource = matrix_resource(ctx)
    attachment, _ = Attachment.objects.get_or_create(
        stored_name=MATRIX_FILE,
        defaults={
            "resource": resource,
            "filename": "rutin.pdf",
            "content_type": attachments.PDF.content_type,
            "size": len(PDF_BYTES),
            "extraction": ExtractionState.DONE,
        },
    )
    name = attachments.storage_name(MATRIX_FILE)
    attachments.remove_file(MATRIX_FILE)
    default_storage.save(name, ContentFile(PDF_BYTES))
    return attachment


def _download(ctx: dict) -> str:
    attachment = matrix_attachment(ctx)
    return f"/stod/{attachment.resource_id}/bilagor/{attachment.pk}/"


def _remove(ctx: dict) -> str:
    attachment = matrix_attachment(ctx)
    return f"/stod/{attachment.resource_id}/bilagor/{attachment.pk}/ta-bort/"


MATRIX = {
    "knowledge:attachment_upload": Entry(lambda ctx: f"/stod/{matrix_resource(ctx).pk}/bilagor/ny/", only(*KEEPERS)),
    # POST only: a GET is refused before anyone's role is asked.
    "knowledge:attachment_remove": Entry(_remove, expect(NOT_ALLOWED)),
    "knowledge:attachment": Entry(_download, expect(OK)),
}
