"""Small files that expand to huge pictures (issue 7, item 15), as a red team crafted them: each is
refused from its header, before Pillow allocates a single pixel, and the check itself stays small.

Peak memory is measured two ways. tracemalloc sees Python objects (a ``tobytes()`` copy of a decoded
picture, a file read into memory) but not the pixel buffers Pillow allocates in C; for those, Pillow's
own arena counters tell whether any image memory was taken at all.
"""

from __future__ import annotations

import io
import random
import struct
import tracemalloc
import zlib

import pytest
from django.core.exceptions import ValidationError
from PIL import Image, ImageFile

from vbe.incidents import uploads
from vbe.incidents.tests.test_uploads import DecodeReached, upload


@pytest.fixture
def decodes(monkeypatch):
    """Every pixel decode (ImageFile.load), recorded; refused with DecodeReached while ``refuse`` is
    set, so a test never allocates a bomb even when the check under test fails (as in test_uploads)."""
    calls: list[tuple[int, int]] = []
    original = ImageFile.ImageFile.load
    state = {"refuse": True}

    def load(image):
        if image.tile:  # pixel data still to decode
            calls.append(image.size)
            if state["refuse"]:
                raise DecodeReached(image.size)
        return original(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return calls, state


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def flat_png(width: int, height: int) -> bytes:
    """A complete, valid RGBA PNG of width × height transparent pixels at the best compression deflate
    reaches (about 258 pixels a byte), built a slice of rows at a time so the test never holds the
    decoded picture either."""
    row = b"\x00" * (1 + 4 * width)  # filter byte, then four zero bytes a pixel
    rows_per_slice = max(1, (1 << 20) // len(row))
    compressor, parts, left = zlib.compressobj(9), [], height
    while left:
        n = min(rows_per_slice, left)
        parts.append(compressor.compress(row * n))
        left -= n
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8 bits, RGBA, no interlace
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", b"".join(parts)) + _chunk(b"IEND", b"")


def flat_webp(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height)).save(out, "WEBP", quality=80)
    return out.getvalue()


CRAFTED = {
    # name: (how to make it, largest file the red team sent)
    "png-4898x4898-rgba": (lambda: flat_png(4898, 4898), 95_000),
    "webp-4898x4898": (lambda: flat_webp(4898, 4898), 45_000),
    "png-1x23999999": (lambda: flat_png(1, 23_999_999), 120_000),
}


@pytest.fixture(scope="module", params=sorted(CRAFTED))
def crafted(request):
    make, largest = CRAFTED[request.param]
    data = make()
    assert len(data) <= largest  # the small file of the report
    return request.param, data


def _pillow_allocations() -> int:
    stats = Image.core.get_stats()
    return stats["new_count"] + stats["allocated_blocks"] + stats["reused_blocks"]


def test_a_crafted_small_file_is_refused_before_pillow_allocates_a_pixel(crafted):
    name, data = crafted
    file = upload(data, f"{name}.bin", "application/octet-stream")
    allocations = _pillow_allocations()
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError) as caught:
            uploads.sanitise(file)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.code == "bad_image"
    assert _pillow_allocations() == allocations  # no image memory at all
    assert peak < 2 * len(data) + 1_000_000  # a copy of the file and change, never of the picture


def test_a_crafted_small_file_is_refused_without_decoding(crafted, decodes):
    calls, _state = decodes
    name, data = crafted
    with pytest.raises(ValidationError, match="för många pixlar: högst 12 megapixlar"):
        uploads.sanitise(upload(data, f"{name}.bin", "application/octet-stream"))
    assert calls == []


def test_webp_size_is_read_before_the_webp_decoder_is_made(monkeypatch):
    """libwebp's animation decoder allocates the whole canvas when it is created, at open."""
    from PIL import WebPImagePlugin

    made = []
    monkeypatch.setattr(WebPImagePlugin._webp, "WebPAnimDecoder", lambda data: made.append(len(data)))
    with pytest.raises(ValidationError, match="för många pixlar"):
        uploads.sanitise(upload(flat_webp(4000, 3001), "bild.webp", "image/webp"))
    assert made == []


def test_png_and_webp_stop_at_twelve_megapixels_jpeg_at_twenty_four():
    assert uploads.MAX_PIXELS_FULL_DECODE == 12_000_000
    assert uploads.MAX_PIXELS == 24_000_000
    assert uploads.pixel_limit(uploads.PNG) == uploads.pixel_limit(uploads.WEBP) == 12_000_000
    assert uploads.pixel_limit(uploads.JPEG) == 24_000_000


@pytest.mark.parametrize(("width", "height"), [(1, 600_000), (30_000, 2), (2100, 100)])
def test_a_picture_more_than_twenty_times_longer_than_wide_is_refused_before_decoding(decodes, width, height):
    calls, _state = decodes
    assert width * height < 4_000_000  # within every other limit
    with pytest.raises(ValidationError, match="20 gånger"):
        uploads.sanitise(upload(flat_png(width, height), "smal.png", "image/png"))
    assert calls == []


def test_a_picture_twenty_times_longer_than_wide_passes():
    clean = uploads.sanitise(upload(flat_png(2000, 100), "smal.png", "image/png"))
    assert (clean.width, clean.height) == (2000, 100)


def test_an_implausibly_well_packed_picture_is_refused_before_decoding(decodes):
    """6 megapixels in 23 kB: 258 pixels a byte, the most deflate can pack a transparent picture."""
    calls, _state = decodes
    data = flat_png(3000, 2000)
    assert 3000 * 2000 / len(data) > uploads.MAX_PIXELS_PER_BYTE
    with pytest.raises(ValidationError, match="packad"):
        uploads.sanitise(upload(data, "platt.png", "image/png"))
    assert calls == []


def test_a_small_flat_picture_is_not_held_to_the_packing_bound():
    """Below 4 megapixels decoding costs little whatever the file's size: a blank phone screenshot."""
    data = flat_png(1170, 2532)
    assert 1170 * 2532 / len(data) > uploads.MAX_PIXELS_PER_BYTE
    clean = uploads.sanitise(upload(data, "skarmbild.png", "image/png"))
    assert (clean.width, clean.height) == (1170, 2532)


def test_a_phone_photo_as_png_passes_the_packing_bound():
    """A real picture packs far worse than the bound: noise scaled up, like a photo's smooth areas."""
    noise = Image.frombytes("L", (480, 360), random.Random(7).randbytes(480 * 360)).resize((2400, 1800))
    out = io.BytesIO()
    noise.convert("RGB").save(out, "PNG")
    assert 2400 * 1800 >= 4_000_000 and 2400 * 1800 / len(out.getvalue()) < 2
    clean = uploads.sanitise(upload(out.getvalue(), "foto.png", "image/png"))
    assert (clean.width, clean.height) == (2400, 1800)


def test_a_large_jpeg_is_decoded_at_reduced_scale_straight_to_the_stored_size(decodes):
    """10000 × 2000 is stored at most 4096 wide: libjpeg decodes it at half scale (5000 × 1000), a
    quarter of the pixels, rather than decoding all of them and scaling down afterwards."""
    calls, state = decodes
    state["refuse"] = False
    out = io.BytesIO()
    Image.new("RGB", (10_000, 2_000), (90, 120, 150)).save(out, "JPEG", quality=85)
    clean = uploads.sanitise(upload(out.getvalue(), "bred.jpg"))
    assert calls == [(5_000, 1_000)]
    assert (clean.width, clean.height) == (uploads.MAX_SIDE, 819)


def test_a_reencoded_picture_is_never_copied_into_python_bytes():
    """The clean copy is made by pasting into a new image, not through tobytes(): a 4 megapixel
    picture (12 MB as bytes) costs no Python copy of its pixels. What remains is the JPEG encoder's
    output buffer, which Pillow sizes at a byte a pixel when it optimises the encoding."""
    out = io.BytesIO()
    Image.new("RGB", (2000, 2000), (10, 20, 30)).save(out, "JPEG", quality=85)
    file = upload(out.getvalue(), "foto.jpg")
    tracemalloc.start()
    try:
        clean = uploads.sanitise(file)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (clean.width, clean.height) == (2000, 2000)
    assert peak < 6_000_000  # one copy of the pixels as bytes alone would be 12 MB
