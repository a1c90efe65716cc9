"""Photos of incidents: checked, re-encoded and stored where nothing serves them directly.

What a client sends is not trusted: the type is read from the file's first bytes (not its name or
the Content-Type it claims), size and pixel count are bounded before decoding, and the picture is
decoded and encoded again into a fresh image, so EXIF (GPS position, camera serial), XMP, comments
and anything hidden after the image data are gone. EXIF orientation is applied first so the picture
still stands the right way up.

A small file can declare a huge picture (a decompression bomb: 93 kB of PNG is 24 megapixels). The
width and height in its header are checked before Pillow allocates or decodes a pixel: at most 24
megapixels for JPEG, which libjpeg decodes at a reduced scale straight to the stored size, and 12 for
PNG and WebP, which are always decoded whole; no side more than 20 times the other; and at 4
megapixels or more, no more than 200 pixels for each byte of file. A worker process decodes one
upload at a time, so a few such files cannot take its memory. Files get random names in the upload
storage (a directory the web server does not serve, or a private bucket); only
vbe.incidents.views_handling.photo hands them out, to those who may see the incident, as an attachment.
"""

from __future__ import annotations

import contextlib
import io
import os
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from vbe.core import private_files
from vbe.core.private_files import PrivateFolder

MAX_BYTES = 10 * 1024 * 1024
# What a phone photo needs (12 megapixels is usual, 24 a high setting), for JPEG: a phone's photos are
# JPEG, and libjpeg can decode a large one at a half, quarter or eighth of its size (draft mode).
MAX_PIXELS = 24_000_000
# PNG and WebP cannot be decoded at a reduced scale: every pixel costs 4 bytes in Pillow, plus the
# clean copy. 12 megapixels covers a phone's screenshot (under 5) and photo (12), and keeps one decode
# under 100 MB.
MAX_PIXELS_FULL_DECODE = 12_000_000
# A picture is at most 20 times as long as it is wide (a phone's panorama is about 1:4, a long
# scrolling screenshot 1:15). Pillow keeps a pointer and an allocation per row, so a 1 × 24,000,000
# PNG costs half a gigabyte however few its pixels.
MAX_ASPECT = 20
# At 4 megapixels or more, a file may hold at most 200 pixels a byte. Deflate packs at most about
# 1032:1, so a PNG of 4-byte pixels reaches 258 pixels a byte only when it is all one colour; a JPEG of
# one flat colour is 64 (170 progressive); photos are 0.3-3 and screenshots of text 5-50. What passes
# above it is a crafted file or a nearly empty picture (a mostly white 4K screenshot as PNG: 220), and
# the message asks for it cropped or as JPEG. Below 4 megapixels a decode costs little (16 MB), so a
# phone's screenshot, however blank, is never held to it.
MAX_PIXELS_PER_BYTE = 200
PACKING_CHECKED_FROM = 4_000_000
MAX_PHOTOS = 5
# Stored photos are scaled down to this longest side: plenty to read a sticker, and it bounds the
# memory a later download or report needs.
MAX_SIDE = 4096

# Pillow's own guard against decompression bombs, at our limit: above it Pillow warns (made an error
# below), above twice it refuses outright on open, whoever opens an image in this process.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

# One decode and re-encode at a time per worker process: the memory a worker needs for photos is then
# one picture's, however many reports with photos arrive at once. A request that waits longer than
# DECODE_WAIT seconds is told to try again rather than held.
DECODE_SLOTS = threading.BoundedSemaphore(1)
DECODE_WAIT = 30


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


def pixel_limit(kind: ImageType) -> int:
    return MAX_PIXELS if kind is JPEG else MAX_PIXELS_FULL_DECODE


def declared_size(head: bytes, kind: ImageType) -> tuple[int, int] | None:
    """Width and height from a PNG's or WebP's first 30 bytes, before Pillow opens the file (libwebp
    allocates the whole canvas when its decoder is made, at open). None for JPEG, whose size Pillow
    reads from the header without allocating, and for a header that does not parse."""
    if kind is PNG and len(head) >= 24 and head[12:16] == b"IHDR":
        return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    if kind is WEBP and len(head) >= 30:
        chunk = head[12:16]
        if chunk == b"VP8 " and head[23:26] == b"\x9d\x01\x2a":  # lossy: 14 bits each
            return int.from_bytes(head[26:28], "little") & 0x3FFF, int.from_bytes(head[28:30], "little") & 0x3FFF
        if chunk == b"VP8L" and head[20] == 0x2F:  # lossless: 14 bits each, less one
            bits = int.from_bytes(head[21:25], "little")
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        if chunk == b"VP8X":  # extended (animation, alpha, metadata): 24 bits each, less one
            return int.from_bytes(head[24:27], "little") + 1, int.from_bytes(head[27:30], "little") + 1
    return None


def _too_many_pixels(kind: ImageType) -> str:
    return _(
        "Bilden har för många pixlar: högst %(limit)s megapixlar går att ladda upp som %(format)s (%(jpeg)s som "
        "JPEG). Ta en ny bild med lägre upplösning eller förminska den."
    ) % {
        "limit": pixel_limit(kind) // 1_000_000,
        "format": "WebP" if kind is WEBP else kind.pillow_format,
        "jpeg": MAX_PIXELS // 1_000_000,
    }


def _size_problem(width: int, height: int, kind: ImageType, file_size: int) -> str | None:
    """Why a picture of this size may not be decoded, in Swedish, or None."""
    if width < 1 or height < 1:
        return _("Bilden går inte att läsa. Den kan vara skadad.")
    pixels = width * height
    if pixels > pixel_limit(kind):
        return _too_many_pixels(kind)
    if max(width, height) > MAX_ASPECT * min(width, height):
        return _(
            "Bilden är för smal: den längsta sidan får vara högst %(ratio)s gånger den kortaste. "
            "Beskär bilden och skicka igen."
        ) % {"ratio": MAX_ASPECT}
    if pixels >= PACKING_CHECKED_FROM and pixels > MAX_PIXELS_PER_BYTE * file_size:
        return _(
            "Bilden är packad på ett sätt som inte liknar ett foto eller en skärmbild (nästan en enda färg "
            "på en stor yta). Beskär den till det som ska synas, eller spara den som JPEG, och skicka igen."
        )
    return None


def _refuse(name: str, message: str) -> ValidationError:
    # The client's file name is shown back only to the person who chose the file, never stored.
    return ValidationError(f"{name}: {message}", code="bad_image")


def sanitise(upload: UploadedFile) -> CleanImage:
    """Check one uploaded file and return it re-encoded, or raise ValidationError in Swedish."""
    name = os.path.basename(upload.name or _("bilden"))[:80]
    if upload.size is None or upload.size > MAX_BYTES:
        raise _refuse(name, _("Filen är för stor. Den får vara högst %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    upload.seek(0)
    head = upload.read(30)
    kind = sniff(head)
    if kind is None:
        raise _refuse(name, _("Filen är inte en bild i formatet JPEG, PNG eller WebP."))
    size = declared_size(head, kind)
    if size is not None and (problem := _size_problem(*size, kind, upload.size)):
        raise _refuse(name, problem)  # before Pillow has seen the file
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Opening reads only the header: the size is known before any pixel is decoded.
            image = Image.open(upload, formats=[kind.pillow_format])
        with image:
            # The refusal that counts for JPEG, and again for all (warning filters are process-wide,
            # so another thread may have reset the one above): the size Pillow read, before the slot.
            if problem := _size_problem(image.width, image.height, kind, upload.size):
                raise _refuse(name, problem)
            with _decode_slot(name):
                if kind is JPEG:
                    # libjpeg scales by 1/2, 1/4 or 1/8 while decoding, down to no less than the size
                    # asked for: ask for the stored size (the longest side MAX_SIDE, the shape kept),
                    # so a large JPEG is never decoded whole only to be scaled down afterwards.
                    image.draft("RGB", _stored_size(image.size))
                image.seek(0)  # an animated PNG or WebP: the first frame only
                image.load()
                picture = _clean_copy(image)
                data = _encode(picture, kind)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(name, _too_many_pixels(kind)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _refuse(name, _("Bilden går inte att läsa. Den kan vara skadad.")) from None
    return CleanImage(data, kind, picture.width, picture.height)


def _stored_size(size: tuple[int, int]) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, MAX_SIDE / max(width, height))
    return max(1, int(width * scale)), max(1, int(height * scale))


@contextlib.contextmanager
def _decode_slot(name: str) -> Iterator[None]:
    if not DECODE_SLOTS.acquire(timeout=DECODE_WAIT):
        raise _refuse(name, _("Bilden kunde inte behandlas just nu. Vänta en stund och skicka igen."))
    try:
        yield
    finally:
        DECODE_SLOTS.release()


def _clean_copy(image: Image.Image) -> Image.Image:
    """A new image holding only the pixels, scaled to at most MAX_SIDE and turned upright."""
    # Scaled first, in place: every copy below is then of the small picture, never of the full one.
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    # Turned in place too (a turn needs one temporary copy; no turn needs none).
    ImageOps.exif_transpose(image, in_place=True)
    mode = "RGBA" if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info else "RGB"
    # Pasted into a new image, so no info dict (EXIF, XMP, ICC, comments) travels with it; paste
    # converts the mode as it copies, and no copy of the pixels is made in Python bytes.
    clean = Image.new(mode, image.size)
    clean.paste(image)
    return clean


def _encode(picture: Image.Image, kind: ImageType) -> bytes:
    out = io.BytesIO()
    if kind is JPEG:
        picture.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    elif kind is PNG:
        # zlib's default effort: optimize=True (level 9) takes eight times as long (1.3 s for 12
        # megapixels, while holding the decode slot) for a file a thousandth smaller.
        picture.save(out, "PNG", compress_level=6)
    else:
        picture.save(out, "WEBP", quality=85)
    return out.getvalue()


# --- Storage: vbe.core.private_files, under incidents/ -------------------------------------------

PREFIX = "incidents"
# Stored names are ours (hex and an extension), but none may leave the folder.
PHOTOS = PrivateFolder(PREFIX)

storage_name = PHOTOS.storage_name
write = PHOTOS.write
open_photo = PHOTOS.open
remove = PHOTOS.remove
kept_only_if_committed = private_files.kept_only_if_committed


def new_stored_name(kind: ImageType) -> str:
    return PHOTOS.new_name(kind.extension)
