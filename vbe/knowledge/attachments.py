"""Files attached to a support resource: PDF, DOCX or XLSX, checked, stored privately and removed.

What a client sends is not trusted (docs/security.md, uploads): the type is read from the file's first
bytes and, for the two Office formats (both zip files), from the names of the zip's members
(``word/document.xml``, ``xl/workbook.xml``), never from the file's name or the browser's content
type. The size is bounded (``VBE_RESOURCE_ATTACHMENT_MAX_MB``). A zip's members are bounded by the
sizes and the count the zip declares before anything unpacks it, with the bounds of the training
imports (``vbe.competence.import_files``): python-docx reads every part whole as it opens a document,
and openpyxl every part but the worksheets, so every part is held to the bound of a part read whole
(which leaves that module's finer look at which large parts are worksheets nothing to do), and all of
them together to ``MAX_UNPACKED``. A PDF is kept as it came; pypdf bounds what one stream may unpack to when its
text is read.

Files go into the default storage (a directory the web server does not serve, or a private bucket)
under ``resources/`` and a random name; the client's file name is kept for display only, cleaned of
folders and control characters. A file is written before its row commits and removed again if the
transaction does not; a removed attachment's file is deleted once the removal has committed.
Every write is one access-log row and brings the resource's search entry up to date.
"""

from __future__ import annotations

import contextlib
import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from vbe.accounts.models import User
from vbe.audit.log import record
from vbe.competence import import_files
from vbe.core import private_files, zip_bounds
from vbe.core.private_files import PrivateFolder
from vbe.knowledge import access, search
from vbe.knowledge.models import Attachment, ExtractionState

MAX_ATTACHMENTS = 20  # per resource: the detail page lists them all
PREFIX = "resources"
# An Office document's parts unpacked, all together: a 10 MB document of text and pictures is rarely
# above 50 MB unpacked (pictures are stored as they are, text packs about 10:1).
MAX_UNPACKED = 100 * 1024 * 1024


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str
    label: str
    zip_member: str = ""  # the part that makes a zip this kind of document


PDF = FileType("application/pdf", "pdf", "PDF")
DOCX = FileType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "Word", "word/document.xml"
)
XLSX = FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "Excel", "xl/workbook.xml")
BY_CONTENT_TYPE = {t.content_type: t for t in (PDF, DOCX, XLSX)}


@dataclass(frozen=True)
class CleanAttachment:
    """A file ready to store: its bytes, its type and the name to show."""

    data: bytes
    kind: FileType
    display_name: str


def max_bytes() -> int:
    return settings.VBE_RESOURCE_ATTACHMENT_MAX_MB * 1024 * 1024


def _unreadable() -> ValidationError:
    return ValidationError(_("Filen går inte att läsa. Den kan vara skadad."), code="unreadable")


def _too_large_unpacked() -> ValidationError:
    return ValidationError(
        _("Filen är för stor uppackad. Dela upp dokumentet eller spara det som PDF."), code="too_large_unpacked"
    )


def zip_kind(fileobj: IO[bytes]) -> FileType:
    """DOCX or XLSX from a zip's member names, its declared sizes and count within bounds; nothing is
    unpacked here (Python's zipfile never unpacks more than a member's declared size, so a false size
    cuts the member short rather than getting past the bound). ValidationError in Swedish otherwise."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            kinds = [t for t in (DOCX, XLSX) if t.zip_member in names]
            if len(kinds) != 1:
                raise ValidationError(
                    _("Filen måste vara en PDF, ett Word-dokument (.docx) eller en Excel-fil (.xlsx)."),
                    code="bad_type",
                )
            kind = kinds[0]
            if not zip_bounds.within_bounds(
                entries,
                max_members=import_files.MAX_ZIP_ENTRIES,
                max_unpacked=MAX_UNPACKED,
                max_member=import_files.MAX_PART,
                max_ratio=import_files.MAX_RATIO,
                ratio_from=import_files.RATIO_FROM,
            ):
                raise _too_large_unpacked()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _unreadable() from None
    finally:
        fileobj.seek(0)
    return kind


def sniff(fileobj: IO[bytes]) -> FileType | None:
    """The type from the file's own bytes (a zip's members for the Office formats), or None."""
    fileobj.seek(0)
    head = fileobj.read(8)
    fileobj.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return zip_kind(fileobj)
    return None


def display_name(name: str | None, kind: FileType) -> str:
    """The client's file name cleaned for display (``private_files.display_name``), else "bilaga"."""
    return private_files.display_name(name, kind.extension, fallback=_("bilaga"))


def check(upload: UploadedFile) -> CleanAttachment:
    """Check one uploaded file and return what to store, or raise ValidationError in Swedish."""
    limit = max_bytes()
    too_large = ValidationError(
        _("Filen är för stor. Den får vara högst %(mb)s MB.") % {"mb": limit // (1024 * 1024)}, code="too_large"
    )
    if upload.size is None or upload.size > limit:
        raise too_large
    if upload.size == 0:
        raise ValidationError(_("Filen är tom."), code="empty")
    kind = sniff(upload)
    if kind is None:
        raise ValidationError(
            _("Filen måste vara en PDF, ett Word-dokument (.docx) eller en Excel-fil (.xlsx)."), code="bad_type"
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:  # the size the client declared was not the size it sent
        raise too_large
    return CleanAttachment(data, kind, display_name(upload.name, kind))


# --- Storage: vbe.core.private_files, under resources/ and a random name. ---

FILES = PrivateFolder(PREFIX, r"[0-9a-f]{32}\.(pdf|docx|xlsx)")
storage_name = FILES.storage_name


def write(clean: CleanAttachment) -> str:
    """Stores the file under a new random name and returns the name (what the Attachment keeps)."""
    return FILES.write_new(clean.data, clean.kind.extension)


def open_file(attachment: Attachment) -> File:
    """The stored file opened for reading; FileNotFoundError when it is gone, ValueError for a bad name."""
    return FILES.open(attachment.stored_name)


def remove_file(stored_name: str) -> None:
    with contextlib.suppress(ValueError):
        FILES.remove(stored_name)


# --- Services ---------------------------------------------------------------------------------------


@private_files.kept_only_if_committed
@transaction.atomic
def add_attachment(*, actor: User, resource_id: int, file: CleanAttachment) -> Attachment:
    """Attaches a checked file to the resource; its text is read for the search by a background job."""
    from vbe.knowledge.tasks import extract_attachment_text  # the task module imports the job's work

    resource = access.locked(actor, resource_id)
    if not resource.is_active:  # as for an edit: restored first, then changed
        raise ValidationError(
            _("Materialet är arkiverat. Återställ det innan du laddar upp en bilaga."), code="archived"
        )
    if resource.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError(
            _("Materialet har redan %(max)s bilagor. Ta bort en innan du laddar upp en ny.") % {"max": MAX_ATTACHMENTS},
            code="too_many",
        )
    attachment = Attachment.objects.create(
        resource=resource,
        filename=file.display_name,
        stored_name=write(file),
        content_type=file.kind.content_type,
        size=len(file.data),
        extraction=ExtractionState.PENDING,
        uploaded_by=actor,
    )
    record(
        action="resource_attachment_added",
        actor=actor,
        obj=attachment,
        organisation_id=resource.owner_id,
        detail=f"resurs {resource.pk}, {file.kind.extension}, {len(file.data)} byte",
    )
    search.reindex(resource)
    # In the same transaction: the queue is a table of this database, so the job exists exactly when
    # the attachment does, and the worker sees it only once both have committed.
    extract_attachment_text.enqueue(attachment.pk)
    return attachment


@transaction.atomic
def remove_attachment(*, actor: User, resource_id: int, attachment_id: int) -> Attachment:
    """Removes an attachment; its file is deleted once the removal has committed."""
    resource = access.locked(actor, resource_id)
    attachment = resource.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Attachment.DoesNotExist
    attachment_pk, stored_name = attachment.pk, attachment.stored_name
    attachment.delete()
    FILES.remove_after_commit(stored_name)
    record(
        action="resource_attachment_removed",
        actor=actor,
        object_type="knowledge.attachment",
        object_id=str(attachment_pk),
        organisation_id=resource.owner_id,
        detail=f"resurs {resource.pk}",
    )
    search.reindex(resource)
    attachment.pk = attachment_pk
    return attachment
