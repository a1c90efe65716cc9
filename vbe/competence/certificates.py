"""Certificates that staff upload with a training they completed: checked, cleaned and stored privately.

The rules are those of docs/security.md and of the incident photos (``vbe.incidents.uploads``, whose
checks and re-encoding the images reuse): the type is read from the file's first bytes, never from
its name or the browser's content type, and only PDF, JPEG and PNG pass; at most ``MAX_BYTES``. A
JPEG or PNG is decoded and encoded again, so EXIF (GPS position, camera serial) and anything hidden
after the picture are gone. A PDF is kept as it came (a certificate is a document the learning
platform made), but only if it starts and ends like one, so an HTML page named ``intyg.pdf`` is
refused; it is only ever handed out as an attachment with ``nosniff``, never rendered by the portal.

Files go into Django's default storage (a directory the web server does not serve, or a private
bucket) under ``certificates/`` and a random name. The client's file name is kept only as a display
name, cleaned of paths and control characters; downloads are named by the portal.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from vbe.core import private_files
from vbe.core.private_files import PrivateFolder
from vbe.incidents import uploads

MAX_BYTES = 10 * 1024 * 1024
PREFIX = "certificates"
# A PDF's trailer ("%%EOF") is at its end, give or take a newline or some padding a program added.
PDF_TAIL = 1024


@dataclass(frozen=True)
class CertificateType:
    content_type: str
    extension: str
    label: str


PDF = CertificateType("application/pdf", "pdf", "PDF")
JPEG = CertificateType("image/jpeg", "jpg", "JPEG")
PNG = CertificateType("image/png", "png", "PNG")
BY_EXTENSION = {t.extension: t for t in (PDF, JPEG, PNG)}


@dataclass(frozen=True)
class CleanCertificate:
    """A certificate ready to store: the bytes to write, their type and the display name."""

    data: bytes
    kind: CertificateType
    display_name: str


def sniff(head: bytes) -> CertificateType | None:
    """The type from the file's magic bytes, or None if it is not one we accept."""
    if head.startswith(b"%PDF-"):
        return PDF
    image = uploads.sniff(head)
    if image is uploads.JPEG:
        return JPEG
    if image is uploads.PNG:
        return PNG
    return None  # WebP too: a certificate is a PDF or a scanned page, and these three cover both


def display_name(name: str | None, kind: CertificateType) -> str:
    """The client's file name cleaned for display (``private_files.display_name``), else "intyg"."""
    return private_files.display_name(name, kind.extension, fallback=_("intyg"))


def check(upload: UploadedFile) -> CleanCertificate:
    """Check one uploaded file and return what to store, or raise ValidationError in Swedish."""
    if upload.size is None or upload.size > MAX_BYTES:
        raise ValidationError(
            _("Intyget är för stort. Filen får vara högst %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(30)
    kind = sniff(head)
    if kind is None:
        raise ValidationError(_("Intyget måste vara en PDF, JPEG eller PNG."), code="bad_type")
    if kind is PDF:
        upload.seek(0)
        data = upload.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:  # the size the client declared was not the size it sent
            raise ValidationError(_("Intyget är för stort."), code="too_large")
        if b"%%EOF" not in data[-PDF_TAIL:]:
            raise ValidationError(_("PDF-filen går inte att läsa. Den kan vara skadad eller ofullständig."))
        return CleanCertificate(data, PDF, display_name(upload.name, PDF))
    try:
        image = uploads.sanitise(upload)  # the photos' pixel limits, decode slot and clean re-encode
    except ValidationError as exc:
        # Its message starts with the client's file name; the form shows the field's own label instead.
        message = exc.messages[0].split(": ", 1)[-1]
        raise ValidationError(message, code="bad_image") from None
    return CleanCertificate(image.data, kind, display_name(upload.name, kind))


# --- Storage: vbe.core.private_files, under certificates/; a Completion keeps the whole key. ---

# A stored name: letters, digits, "-" and "_", and one of our extensions.
CERTIFICATES = PrivateFolder(PREFIX, r"[A-Za-z0-9_-]{1,80}\.(pdf|jpg|png)")


def kind_of(key: str) -> CertificateType:
    """The type of a stored certificate, from the extension we gave it; ValueError for a key not ours."""
    return BY_EXTENSION[CERTIFICATES.name_of(key).rsplit(".", 1)[1]]


def write(certificate: CleanCertificate) -> str:
    """Stores a certificate under a new random key and returns the key (what the Completion keeps)."""
    return CERTIFICATES.storage_name(CERTIFICATES.write_new(certificate.data, certificate.kind.extension))


def open_certificate(key: str) -> File:
    """A stored certificate opened for reading; FileNotFoundError when it is gone, ValueError for a bad key."""
    return CERTIFICATES.open(CERTIFICATES.name_of(key))


def remove(key: str) -> None:
    """Deletes a stored certificate; no key (a completion without one) or a key not ours is nothing to do."""
    with contextlib.suppress(ValueError):
        CERTIFICATES.remove(CERTIFICATES.name_of(key))


def write_named(key: str, data: bytes) -> None:
    """Stores ``data`` under a given key (tests and fixtures), replacing what is there."""
    name = CERTIFICATES.name_of(key)
    CERTIFICATES.remove(name)
    CERTIFICATES.write(name, data)
