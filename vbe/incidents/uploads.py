"""Photos of incidents: checked, re-encoded and stored outside the web root.

What a client sends is not trusted: the type is read from the file's first bytes (not its name or
the Content-Type it claims), size and pixel count are bounded before decoding, and the picture is
decoded and encoded again into a fresh image, so EXIF (GPS position, camera serial), XMP, comments
and anything hidden after the image data are gone. EXIF orientation is applied first so the picture
still stands the right way up. Files get random names in a directory the web server does not serve;
only vbe.incidents.views.photo hands them out, to those who may see the incident, as an attachment.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_PHOTOS = 5
# Stored photos are scaled down to this longest side: plenty to read a sticker, and it bounds the
# memory a later download or report needs.
MAX_SIDE = 4096

# Pillow's own guard against decompression bombs, at our limit: above it Pillow warns (made an error
# below), above twice it refuses outright, whoever opens an image in this process.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass(frozen=True)
class ImageType:
    pillow_format: str
    content_type: str
    extension: str


JPEG = ImageType("JPEG", "image/jpeg", "jpg")
PNG = ImageType("PNG", "image/png", "png")
WEBP = ImageType("WEBP", "image/webp", "webp")
ALLOWED_CONTENT_TYPES = {t.content_type: t for t in (JPEG, PNG, WEBP)}


@dataclass(frozen=True)
class CleanImage:
    """A photo ready to store: re-encoded bytes without metadata."""

    data: bytes
    kind: ImageType
    width: int
    height: int


def sniff(head: bytes) -> ImageType | None:
    """The image type from the file's magic bytes, or None if it is not one we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None


def _refuse(name: str, message: str) -> ValidationError:
    # The client's file name is shown back only to the person who chose the file, never stored.
    return ValidationError(f"{name}: {message}", code="bad_image")


def sanitise(upload: UploadedFile) -> CleanImage:
    """Check one uploaded file and return it re-encoded, or raise ValidationError in Swedish."""
    name = os.path.basename(upload.name or "bilden")[:80]
    if upload.size is None or upload.size > MAX_BYTES:
        raise _refuse(name, f"Filen är för stor. Den får vara högst {MAX_BYTES // (1024 * 1024)} MB.")
    upload.seek(0)
    kind = sniff(upload.read(16))
    if kind is None:
        raise _refuse(name, "Filen är inte en bild i formatet JPEG, PNG eller WebP.")
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload, formats=[kind.pillow_format]) as image:
                # The header gives the size before any pixel is decoded.
                if image.width * image.height > MAX_PIXELS:
                    raise _refuse(name, f"Bilden har för många pixlar (högst {MAX_PIXELS // 1_000_000} megapixlar).")
                if kind is JPEG:
                    image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # decode large JPEGs at a reduced scale
                image.seek(0)  # an animated PNG or WebP: the first frame only
                image.load()
                picture = _clean_copy(image)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(name, f"Bilden har för många pixlar (högst {MAX_PIXELS // 1_000_000} megapixlar).") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _refuse(name, "Bilden går inte att läsa. Den kan vara skadad.") from None
    return CleanImage(_encode(picture, kind), kind, picture.width, picture.height)


def _clean_copy(image: Image.Image) -> Image.Image:
    """A new image holding only the pixels, turned upright and scaled to at most MAX_SIDE."""
    upright = ImageOps.exif_transpose(image)
    mode = "RGBA" if upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info else "RGB"
    if upright.mode != mode:
        upright = upright.convert(mode)
    upright.thumbnail((MAX_SIDE, MAX_SIDE))
    # Built from raw pixels, so no info dict (EXIF, XMP, ICC, comments) travels with it.
    return Image.frombytes(mode, upright.size, upright.tobytes())


def _encode(picture: Image.Image, kind: ImageType) -> bytes:
    out = io.BytesIO()
    if kind is JPEG:
        picture.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    elif kind is PNG:
        picture.save(out, "PNG", optimize=True)
    else:
        picture.save(out, "WEBP", quality=85)
    return out.getvalue()


# --- Storage ------------------------------------------------------------------------------------


def upload_dir() -> Path:
    """Outside the web root (UPLOAD_ROOT, under var/ by default), which nothing serves directly."""
    return Path(settings.UPLOAD_ROOT) / "incidents"


def new_stored_name(kind: ImageType) -> str:
    return f"{secrets.token_hex(16)}.{kind.extension}"


def path_for(stored_name: str) -> Path:
    # Stored names are ours (hex and an extension), but never let one leave the directory.
    if not stored_name or "/" in stored_name or "\\" in stored_name or stored_name.startswith("."):
        raise ValueError("ogiltigt filnamn")
    return upload_dir() / stored_name


def write(stored_name: str, data: bytes) -> Path:
    directory = upload_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = path_for(stored_name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never overwrite
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return path


def remove(stored_name: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        path_for(stored_name).unlink()
