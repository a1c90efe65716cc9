"""Photos: type by magic bytes, size and pixel limits, re-encoding without metadata, safe storage and serving."""

from __future__ import annotations

import io
import os
import stat
import struct
import threading
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from vbe.audit.models import AccessLogEntry
from vbe.incidents import uploads
from vbe.incidents.models import Incident, IncidentPhoto
from vbe.incidents.tests.factories import attach_photo, image_bytes, make_incident
from vbe.incidents.tests.test_report import form_data
from vbe.organisations.models import Unit

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_with_gps() -> bytes:
    """A JPEG from a "phone": GPS position, camera make, a comment, and orientation 6 (turn 90°)."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[0x010F] = "Testkamera"
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2], gps[3], gps[4] = "N", (59.0, 20.0, 12.5), "E", (18.0, 4.0, 3.2)
    return image_bytes("JPEG", size=(40, 30), exif=exif, comment=b"taget vid porten")


def upload(data: bytes, name: str = "bild.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def post_with_photos(client, *files):
    return client.post("/handelser/rapportera/", {**form_data(), "photos": list(files)})


def stored_files(upload_dir) -> list:
    return sorted(upload_dir.iterdir()) if upload_dir.exists() else []


# --- The checks on their own ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", uploads.JPEG),
        (b"\x89PNG\r\n\x1a\n\x00\x00", uploads.PNG),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", uploads.WEBP),
        (b"GIF89a\x01\x00", None),
        (b"<svg xmlns=", None),
        (b"%PDF-1.7", None),
        (b"", None),
    ],
)
def test_type_comes_from_magic_bytes(head, kind):
    assert uploads.sniff(head) is kind


def test_reencoded_jpeg_has_no_exif_gps_or_comment_and_stands_upright():
    original = Image.open(io.BytesIO(jpeg_with_gps()))
    assert original.getexif().get_ifd(GPS_IFD)  # the test image really carries a position
    clean = uploads.sanitise(upload(jpeg_with_gps()))
    image = Image.open(io.BytesIO(clean.data))
    assert image.format == "JPEG"
    assert not image.getexif() and "exif" not in image.info and "comment" not in image.info
    assert b"Testkamera" not in clean.data and b"taget vid porten" not in clean.data
    assert (clean.width, clean.height) == image.size == (30, 40)  # orientation applied, then dropped


def test_webp_is_accepted_and_stays_webp():
    clean = uploads.sanitise(upload(image_bytes("WEBP"), "bild.webp", "image/webp"))
    assert clean.kind is uploads.WEBP
    assert Image.open(io.BytesIO(clean.data)).format == "WEBP"


def test_transparent_png_keeps_its_transparency():
    buffer = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(buffer, "PNG")
    clean = uploads.sanitise(upload(buffer.getvalue(), "bild.png", "image/png"))
    assert Image.open(io.BytesIO(clean.data)).mode == "RGBA"


def test_corrupt_image_is_refused():
    with pytest.raises(Exception, match="går inte att läsa"):
        uploads.sanitise(upload(b"\xff\xd8\xff\xe0" + b"inte en bild" * 20))


def test_too_many_pixels_is_refused_before_decoding():
    buffer = io.BytesIO()
    Image.new("1", (8000, 6000)).save(buffer, "PNG")  # 48 megapixels, a small file
    with pytest.raises(Exception, match="för många pixlar"):
        uploads.sanitise(upload(buffer.getvalue(), "stor.png", "image/png"))


def test_a_decompression_bomb_is_refused():
    buffer = io.BytesIO()
    Image.new("1", (10000, 9000)).save(buffer, "PNG")  # above twice the limit: Pillow refuses on open
    with pytest.raises(Exception, match="för många pixlar"):
        uploads.sanitise(upload(buffer.getvalue(), "bomb.png", "image/png"))


def test_large_images_are_scaled_down():
    # 1:20, the longest a picture may be (5000 × 100 is refused as too narrow: test_uploads_bombs.py).
    clean = uploads.sanitise(upload(image_bytes("PNG", size=(5000, 250)), "bred.png", "image/png"))
    assert (clean.width, clean.height) == (uploads.MAX_SIDE, round(250 * uploads.MAX_SIDE / 5000))


# --- Decompression bombs and one decode at a time (issue 7, item 15) -------------------------------


def declared_png(width: int, height: int) -> bytes:
    """A valid PNG header declaring width × height RGB pixels, and pixel data for the first rows only:
    a file of a few hundred bytes that a decoder would have to expand to the whole picture."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits, RGB, no interlace
    rows = zlib.compress(b"\x00" * (1 + 3 * width) * 4, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


class DecodeReached(Exception):
    pass


@pytest.fixture
def decodes(monkeypatch):
    """Every pixel decode of any image file (ImageFile.load), recorded; decoding raises DecodeReached
    when ``refuse`` is set, so a test never allocates a bomb even when the check under test fails."""
    calls: list[tuple[int, int]] = []
    original = ImageFile.ImageFile.load
    state = {"refuse": True}

    def load(image):
        if image.tile:  # pixel data still to decode (a loaded image returns at once)
            calls.append(image.size)
            if state["refuse"]:
                raise DecodeReached(image.size)
        return original(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return calls, state


@pytest.mark.parametrize(
    ("width", "height"),
    [(20000, 20000), (6000, 5000), (5000, 4801)],
    ids=["400-megapixels", "30-megapixels", "just-above-24-megapixels"],
)
def test_a_small_png_declaring_too_many_pixels_is_refused_before_decoding(decodes, width, height):
    calls, _state = decodes
    data = declared_png(width, height)
    assert len(data) < 4096  # a few hundred bytes on the wire
    assert width * height > uploads.MAX_PIXELS
    # PNG is decoded whole, so its limit is 12 megapixels (JPEG's is 24: test_uploads_bombs.py).
    with pytest.raises(ValidationError, match="för många pixlar: högst 12 megapixlar"):
        uploads.sanitise(upload(data, "bomb.png", "image/png"))
    assert calls == []  # not one pixel decoded


def test_the_pixel_limit_is_what_a_phone_photo_needs_and_pillow_enforces_it_too():
    assert uploads.MAX_PIXELS == 24_000_000
    assert Image.MAX_IMAGE_PIXELS == uploads.MAX_PIXELS
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(declared_png(20000, 20000)))


def test_a_twelve_megapixel_phone_photo_passes(decodes):
    calls, state = decodes
    state["refuse"] = False
    clean = uploads.sanitise(upload(image_bytes("JPEG", size=(4000, 3000)), "foto.jpg"))
    assert (clean.width, clean.height) == (4000, 3000)
    assert len(calls) == 1


def test_decoding_and_reencoding_happen_holding_the_decode_slot(monkeypatch):
    held = []
    clean_copy, encode = uploads._clean_copy, uploads._encode

    def slot_is_held() -> bool:
        free = uploads.DECODE_SLOTS.acquire(blocking=False)
        if free:
            uploads.DECODE_SLOTS.release()
        return not free

    monkeypatch.setattr(uploads, "_clean_copy", lambda image: held.append(slot_is_held()) or clean_copy(image))
    monkeypatch.setattr(uploads, "_encode", lambda p, k: held.append(slot_is_held()) or encode(p, k))
    uploads.sanitise(upload(image_bytes()))
    assert held == [True, True]
    assert not slot_is_held()  # released afterwards


class WatchedSlots:
    """The decode semaphore, telling when a thread starts waiting for it."""

    def __init__(self, real):
        self.real = real
        self.waiting = threading.Event()

    def acquire(self, *args, **kwargs):
        if threading.current_thread().name == "second":
            self.waiting.set()
        return self.real.acquire(*args, **kwargs)

    def release(self):
        self.real.release()


def test_two_uploads_at_once_are_decoded_one_after_the_other(monkeypatch, decodes):
    calls, state = decodes
    state["refuse"] = False
    slots = WatchedSlots(uploads.DECODE_SLOTS)
    monkeypatch.setattr(uploads, "DECODE_SLOTS", slots)
    first_decoding, let_first_finish = threading.Event(), threading.Event()
    original_clean_copy = uploads._clean_copy

    def slow_clean_copy(image):
        if threading.current_thread().name == "first":
            first_decoding.set()
            assert let_first_finish.wait(10)
        return original_clean_copy(image)

    monkeypatch.setattr(uploads, "_clean_copy", slow_clean_copy)
    results, errors = {}, []

    def run(name: str) -> None:
        try:
            results[name] = uploads.sanitise(upload(image_bytes(), f"{name}.jpg"))
        except Exception as exc:  # collected and asserted empty below
            errors.append(exc)

    first = threading.Thread(target=run, args=("first",), name="first")
    second = threading.Thread(target=run, args=("second",), name="second")
    first.start()
    assert first_decoding.wait(10)
    second.start()
    assert slots.waiting.wait(10)  # the second upload has reached the slot while the first holds it
    assert len(calls) == 1  # ... and has not decoded anything
    let_first_finish.set()
    first.join(10)
    second.join(10)
    assert errors == []
    assert set(results) == {"first", "second"} and len(calls) == 2


def test_an_upload_that_cannot_get_a_decode_slot_in_time_is_told_to_try_again(monkeypatch, decodes):
    calls, _state = decodes
    monkeypatch.setattr(uploads, "DECODE_WAIT", 0.01)
    assert uploads.DECODE_SLOTS.acquire(blocking=False)  # another upload is being decoded
    try:
        with pytest.raises(ValidationError, match="kunde inte behandlas just nu"):
            uploads.sanitise(upload(image_bytes()))
    finally:
        uploads.DECODE_SLOTS.release()
    assert calls == []


# --- Through the report form ------------------------------------------------------------------------


def test_uploaded_photo_is_stored_clean_outside_the_web_root(cast, upload_dir, settings):
    response = post_with_photos(cast.client("staff"), upload(jpeg_with_gps(), "IMG_0001 Anna.jpg"))
    assert response.status_code == 302
    photo = IncidentPhoto.objects.get()
    files = stored_files(upload_dir)
    assert files == [upload_dir / photo.stored_name]
    assert "Anna" not in photo.stored_name and photo.stored_name.endswith(".jpg")
    assert len(photo.stored_name) == 36  # 32 random hex digits and the extension
    assert stat.S_IMODE(os.stat(files[0]).st_mode) == 0o600
    assert not str(files[0]).startswith(str(settings.STATIC_ROOT))
    stored = Image.open(files[0])
    assert not stored.getexif() and not stored.getexif().get_ifd(GPS_IFD)
    assert (photo.width, photo.height, photo.content_type) == (30, 40, "image/jpeg")


def test_png_named_jpg_with_wrong_content_type_is_handled_as_png(cast, upload_dir):
    response = post_with_photos(cast.client("staff"), upload(image_bytes("PNG"), "bild.jpg", "image/jpeg"))
    assert response.status_code == 302
    photo = IncidentPhoto.objects.get()
    assert photo.content_type == "image/png" and photo.stored_name.endswith(".png")
    assert Image.open(stored_files(upload_dir)[0]).format == "PNG"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        ("Hej, det här är ingen bild.\n".encode(), "bild.jpg", "är inte en bild i formatet JPEG, PNG eller WebP"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "bild.png", "är inte en bild"),
        (b"GIF89a" + b"\x00" * 40, "bild.gif", "är inte en bild"),
    ],
    ids=["text", "svg", "gif"],
)
def test_files_that_are_not_allowed_images_are_refused(cast, upload_dir, data, name, message):
    response = post_with_photos(cast.client("staff"), upload(data, name))
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page and 'href="#id_photos"' in page
    assert "välj dem igen" in page  # files cannot be kept: the reporter is told to choose them again
    assert not Incident.objects.exists() and not IncidentPhoto.objects.exists()
    assert stored_files(upload_dir) == []


def test_oversize_file_is_refused(cast, upload_dir):
    big = b"\xff\xd8\xff\xe0" + os.urandom(uploads.MAX_BYTES)
    response = post_with_photos(cast.client("staff"), upload(big, "stor.jpg"))
    assert "Filen är för stor. Den får vara högst 10 MB." in response.content.decode()
    assert not Incident.objects.exists() and stored_files(upload_dir) == []


def test_one_bad_file_among_good_ones_stores_nothing(cast, upload_dir):
    response = post_with_photos(cast.client("staff"), upload(image_bytes()), upload(b"text", "b.jpg"))
    assert response.status_code == 400
    assert not Incident.objects.exists() and stored_files(upload_dir) == []


def test_at_most_five_photos(cast, upload_dir):
    files = [upload(image_bytes(), f"b{i}.jpg") for i in range(6)]
    response = post_with_photos(cast.client("staff"), *files)
    assert "Välj högst 5 bilder." in response.content.decode()
    assert not Incident.objects.exists()


# --- Serving ------------------------------------------------------------------------------------


@pytest.fixture
def photo_incident(cast):
    unit = Unit.objects.get(name="Testfritidsgården")
    incident = make_incident(reporter=cast["staff"], unit=unit)
    return incident, attach_photo(incident)


def test_photo_is_served_to_the_council_as_an_attachment_and_logged(cast, photo_incident):
    incident, photo = photo_incident
    response = cast.client("coordinator").get(f"/handelser/{incident.pk}/bild/{photo.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f'filename="{incident.reference.replace("Ä", "A")}-bild-1.jpg"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    with uploads.open_photo(photo.stored_name) as stored:
        assert b"".join(response.streaming_content) == stored.read()
    entry = AccessLogEntry.objects.get(action="incident_photo_downloaded")
    assert (entry.object_id, entry.actor_id) == (str(incident.pk), cast["coordinator"].pk)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("unit_manager", 200),
        ("staff", 404),  # the reporter: receipt and status only
        ("coordinator_other", 404),
        ("coordinator_board", 404),
        ("caseworker", 404),
        ("central_coordinator", 404),
        ("auditor", 404),
        ("admin", 404),
    ],
)
def test_photo_only_for_those_who_see_the_content(cast, photo_incident, role, status):
    incident, photo = photo_incident
    assert cast.client(role).get(f"/handelser/{incident.pk}/bild/{photo.pk}/").status_code == status
    assert AccessLogEntry.objects.filter(action="incident_photo_downloaded").exists() == (status == 200)


def test_photo_of_another_incident_or_missing_file_is_404(cast, photo_incident):
    incident, photo = photo_incident
    other = make_incident(reporter=cast["staff"])
    client = cast.client("coordinator")
    assert client.get(f"/handelser/{other.pk}/bild/{photo.pk}/").status_code == 404
    uploads.remove(photo.stored_name)
    assert client.get(f"/handelser/{incident.pk}/bild/{photo.pk}/").status_code == 404


def test_anonymous_is_sent_to_sign_in(cast, photo_incident):
    incident, photo = photo_incident
    response = cast.client(None).get(f"/handelser/{incident.pk}/bild/{photo.pk}/")
    assert response.status_code == 302 and "/logga-in/" in response["Location"]


def test_stored_names_cannot_leave_the_directory():
    for bad in ("../x.jpg", "a/b.jpg", ".hidden", ""):
        with pytest.raises(ValueError):
            uploads.storage_name(bad)
