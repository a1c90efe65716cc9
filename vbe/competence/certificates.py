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
import contextvars
import functools
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from vbe.incidents import uploads

P = ParamSpec("P")
R = TypeVar("R")

MAX_BYTES = 10 * 1024 * 1024
PREFIX = "certificates"
# A PDF's trailer ("%%EOF") is at its end, give or take a newline or some padding a program added.
PDF_TAIL = 1024
DISPLAY_NAME_MAX = 150
# The stored key: our prefix, a name of letters, digits, "-" and "_", and one of our extensions.
_KEY = re.compile(rf"{PREFIX}/[A-Za-z0-9_-]{{1,80}}\.(pdf|jpg|png)", re.ASCII)


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
    """The client's file name, fit to show back on a page: no folders, no control or path characters,
    at most DISPLAY_NAME_MAX characters, and the extension of what the file really is."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C" and c not in '<>:"|?*')
    stem = base.rsplit(".", 1)[0] if "." in base else base  # the client's extension says nothing
    stem = re.sub(r"\s+", " ", stem).strip(" .")
    stem = stem[: DISPLAY_NAME_MAX - len(kind.extension) - 1].strip(" .") or _("intyg")
    return f"{stem}.{kind.extension}"


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


# --- Storage: only through the default storage's API (save, open, delete), never a local path. ---


def kind_of(key: str) -> CertificateType:
    """The type of a stored certificate, from the extension we gave it; ValueError for a key not ours."""
    if not _KEY.fullmatch(key or ""):
        raise ValueError("ogiltig nyckel")
    return BY_EXTENSION[key.rsplit(".", 1)[1]]


# The certificates written inside the current kept_only_if_committed block (None outside one).
_written: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("written_certificates", default=None)


def write(certificate: CleanCertificate) -> str:
    """Stores a certificate under a new random key and returns the key (what the Completion keeps)."""
    key = f"{PREFIX}/{secrets.token_hex(16)}.{certificate.kind.extension}"
    saved = default_storage.save(key, ContentFile(certificate.data))
    if saved != key:  # the storage chose another name beside one in use: not the file we meant
        default_storage.delete(saved)
        raise FileExistsError(key)
    written = _written.get()
    if written is not None:
        written.append(key)
    return key


def kept_only_if_committed(service: Callable[P, R]) -> Callable[P, R]:
    """Around a service's transaction (outside its ``transaction.atomic``): the certificates it wrote are
    removed again when anything fails, the COMMIT included, so no file is left without its row."""

    @functools.wraps(service)
    def kept(*args: P.args, **kwargs: P.kwargs) -> R:
        written: list[str] = []
        token = _written.set(written)
        try:
            return service(*args, **kwargs)
        except BaseException:
            for key in written:
                remove(key)
            raise
        finally:
            _written.reset(token)

    return kept


def open_certificate(key: str) -> File:
    """A stored certificate opened for reading; FileNotFoundError when it is gone, ValueError for a bad key."""
    kind_of(key)
    return default_storage.open(key, "rb")


def remove(key: str) -> None:
    with contextlib.suppress(FileNotFoundError, ValueError):
        kind_of(key)
        default_storage.delete(key)


def write_named(key: str, data: bytes) -> None:
    """Stores ``data`` under a given key (tests and fixtures), replacing what is there."""
    kind_of(key)
    remove(key)
    default_storage.save(key, ContentFile(data))
