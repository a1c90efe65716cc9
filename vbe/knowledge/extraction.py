"""Reading an attachment's text for the search (the worker's ``vbe.knowledge.tasks.extract_attachment_text``).

PDF through pypdf (page by page), DOCX through python-docx (paragraphs and tables, in the document's
order), XLSX through openpyxl in read-only mode (each sheet's cell values, row by row). At most
``MAX_CHARS`` characters are kept: reading stops there, so a long file costs no more than a short one
past that point. Reading also stops after ``MAX_PARTS`` pages, paragraphs or rows, or ``MAX_SECONDS``
of reading, whichever comes first, keeping what was read: a crafted file (thousands of pages of
empty text operators, which pypdf parses again for every page) cannot hold the worker, which also
sends the mail and runs the imports. A file that cannot be read (damaged, encrypted, not what it claims) ends as
"failed" with no text, never as an error of the job; the file is read outside any transaction and the
result written under the attachment's lock, so a removal meanwhile wins.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction

from vbe.competence.import_files import cell_text
from vbe.knowledge import attachments, search
from vbe.knowledge.models import Attachment, ExtractionState

logger = logging.getLogger(__name__)

MAX_CHARS = 200_000
MAX_PARTS = 20_000
MAX_SECONDS = 30.0
clock = time.monotonic  # a name of its own, so a test can stand in for the clock of this module alone


class Unreadable(Exception):
    """The file's text cannot be read."""


def _pdf(fileobj: IO[bytes]) -> Iterator[str]:
    from pypdf import PdfReader  # only where a PDF is read

    reader = PdfReader(fileobj)
    if reader.is_encrypted and not reader.decrypt(""):
        raise Unreadable("encrypted")
    for page in reader.pages:
        yield page.extract_text() or ""


def _docx(fileobj: IO[bytes]) -> Iterator[str]:
    import docx  # only where a document is read
    from docx.table import Table

    document = docx.Document(fileobj)
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                seen: set[int] = set()
                cells = []
                for cell in row.cells:
                    # A merged cell is returned once for each grid column it spans: keep it once.
                    if id(cell._tc) not in seen:
                        seen.add(id(cell._tc))
                        cells.append(cell.text.strip())
                yield "\t".join(c for c in cells if c)
        else:
            yield block.text


def _xlsx(fileobj: IO[bytes]) -> Iterator[str]:
    import openpyxl  # only where a workbook is read

    workbook = openpyxl.load_workbook(fileobj, read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            yield sheet.title
            for values in sheet.iter_rows(values_only=True):
                cells = [cell_text(v) for v in values]
                if any(cells):
                    yield "\t".join(c for c in cells if c)
    finally:
        workbook.close()


READERS = {attachments.PDF: _pdf, attachments.DOCX: _docx, attachments.XLSX: _xlsx}


def extract_text(fileobj: IO[bytes], kind: attachments.FileType) -> str:
    """The file's text, at most MAX_CHARS characters; Unreadable when it cannot be read."""
    if kind is not attachments.PDF:
        try:
            # Checked on upload; again here, before python-docx or openpyxl open the stored file.
            if attachments.zip_kind(fileobj) is not kind:
                raise Unreadable("kind")
        except ValidationError:
            raise Unreadable("zip") from None
    parts: list[str] = []
    length = 0
    deadline = clock() + MAX_SECONDS
    try:
        for read, text in enumerate(READERS[kind](fileobj), start=1):
            if read > MAX_PARTS or clock() > deadline:
                logger.info("Bilagans text lästes bara delvis: %s delar", read - 1)
                break
            text = text.strip()
            if not text:
                continue
            parts.append(text[: MAX_CHARS - length])
            length += len(parts[-1]) + 1
            if length >= MAX_CHARS:
                break
    except Unreadable:
        raise
    except Exception as exc:  # the readers raise many kinds on a broken file
        raise Unreadable(type(exc).__name__) from exc
    return "\n".join(parts)[:MAX_CHARS]


def run(attachment_id: int) -> str:
    """Reads the attachment's text and records it; returns the state it ended in ("" when it is gone)."""
    attachment = Attachment.objects.filter(pk=attachment_id).first()
    if attachment is None:
        return ""
    kind = attachments.BY_CONTENT_TYPE.get(attachment.content_type)
    text, state = "", ExtractionState.FAILED
    if kind is not None:
        try:
            with attachments.open_file(attachment) as stored:
                text = extract_text(stored, kind)
            state = ExtractionState.DONE
        except (Unreadable, FileNotFoundError, ValueError, OSError) as exc:
            logger.info("Bilaga %s kunde inte läsas: %s", attachment_id, exc)
    with transaction.atomic():
        locked = Attachment.objects.select_for_update(of=("self",)).select_related("resource").filter(pk=attachment_id)
        attachment = locked.first()
        if attachment is None:  # removed while it was read
            return ""
        attachment.text = text
        attachment.extraction = state
        attachment.save(update_fields=["text", "extraction"])
        search.reindex(attachment.resource)
    return state
