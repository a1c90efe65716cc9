"""Certificates: type by magic bytes, size limit, images re-encoded without metadata, random names in
the private storage, and downloads only to the learner and their organisation's keepers."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from vbe.audit.models import AccessLogEntry
from vbe.competence import certificates, own
from vbe.competence.models import Completion, CompletionSource, Learner, Placement
from vbe.competence.tests.test_own import date_fields, make_course, make_group, unit
from vbe.competence.tests.test_own import upload_dir as upload_dir  # noqa: F401 (autouse fixture)

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Testkamera"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (59.0, 20.0, 12.5)
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "JPEG", exif=exif, comment=b"taget hemma")
    return buffer.getvalue()


def stored(upload_dir) -> list:
    return sorted(upload_dir.iterdir()) if upload_dir.exists() else []


def register(client, course, upload, day=datetime.date(2025, 3, 27)):
    return client.post(
        "/utbildning/mina/ny/",
        {
            "course": course.pk,
            **date_fields(day),
            "unit": unit().pk,
            "staff_group": make_group().pk,
            "certificate": upload,
        },
    )


# --- The checks ----------------------------------------------------------------------------------


def test_a_pdf_passes_as_it_came():
    clean = certificates.check(SimpleUploadedFile("Mitt intyg.pdf", PDF, content_type="application/pdf"))
    assert (clean.data, clean.kind, clean.display_name) == (PDF, certificates.PDF, "Mitt intyg.pdf")


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (HTML, "intyg.pdf"),  # an HTML page named as a PDF
        (b"GIF89a\x01\x00\x01\x00", "intyg.png"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "intyg.webp"),
        (b"PK\x03\x04", "intyg.docx"),
    ],
)
def test_the_type_is_read_from_the_first_bytes_not_the_name(data, name):
    with pytest.raises(ValidationError, match="Intyget måste vara en PDF, JPEG eller PNG."):
        certificates.check(SimpleUploadedFile(name, data, content_type="application/pdf"))


def test_a_pdf_without_its_end_is_refused():
    with pytest.raises(ValidationError, match="PDF-filen går inte att läsa"):
        certificates.check(SimpleUploadedFile("intyg.pdf", b"%PDF-1.4\n" + b"x" * 5000))


def test_a_file_over_10_mb_is_refused():
    big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"%%EOF\n"
    with pytest.raises(ValidationError, match="högst 10 MB"):
        certificates.check(SimpleUploadedFile("intyg.pdf", big))
    just = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 - 16) + b"\n%%EOF\n"
    assert len(just) == 10 * 1024 * 1024
    assert certificates.check(SimpleUploadedFile("intyg.pdf", just)).kind is certificates.PDF


def test_an_image_is_encoded_again_without_its_metadata():
    original = jpeg_with_gps()
    assert b"Testkamera" in original and b"taget hemma" in original
    clean = certificates.check(SimpleUploadedFile("IMG_0001.JPG", original, content_type="image/jpeg"))
    assert clean.kind is certificates.JPEG and clean.display_name == "IMG_0001.jpg"
    assert b"Testkamera" not in clean.data and b"taget hemma" not in clean.data
    with Image.open(io.BytesIO(clean.data)) as image:
        assert image.size == (40, 30) and not image.getexif()


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/<script>.pdf", "script.pdf"),
        ("C:\\Users\\anna\\intyg.exe", "intyg.pdf"),
        ("\x00\x1b[31m.pdf", "[31m.pdf"),  # control characters gone, the rest is plain text
        ("\x00.pdf", "intyg.pdf"),
        ("a" * 400 + ".pdf", "a" * 146 + ".pdf"),
        ('"intyg" 2025?.PDF', "intyg 2025.pdf"),
    ],
)
def test_the_client_file_name_is_only_a_cleaned_display_name(name, shown):
    assert certificates.display_name(name, certificates.PDF) == shown


# --- Through the registration form -------------------------------------------------------------------


def test_a_registration_with_a_certificate_stores_it_under_a_random_name(cast, upload_dir):
    course = make_course()
    response = register(cast.client("staff"), course, SimpleUploadedFile("../mitt intyg.pdf", PDF))
    assert response.status_code == 302
    completion = Completion.objects.get()
    assert re.fullmatch(r"certificates/[0-9a-f]{32}\.pdf", completion.certificate)
    assert completion.certificate_name == "mitt intyg.pdf"
    files = stored(upload_dir)
    assert [f.name for f in files] == [completion.certificate.split("/")[1]]
    assert files[0].read_bytes() == PDF


def test_an_html_file_named_pdf_is_refused_on_the_form_and_nothing_is_stored(cast, upload_dir):
    course = make_course()
    response = register(cast.client("staff"), course, SimpleUploadedFile("intyg.pdf", HTML, "application/pdf"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Intyget måste vara en PDF, JPEG eller PNG." in html and 'href="#id_certificate"' in html
    assert not Completion.objects.exists()
    assert stored(upload_dir) == []


def test_a_repeat_with_a_certificate_stores_nothing_more(cast, upload_dir):
    course = make_course()
    client = cast.client("staff")
    register(client, course, SimpleUploadedFile("intyg.pdf", PDF))
    register(client, course, SimpleUploadedFile("intyg.pdf", PDF))
    assert Completion.objects.count() == 1
    assert len(stored(upload_dir)) == 1


def test_a_certificate_written_before_a_failed_commit_is_removed(cast, upload_dir, monkeypatch):
    course = make_course()

    def broken_log(**kwargs):
        raise RuntimeError("the log is unavailable")

    monkeypatch.setattr(own, "record", broken_log)
    clean = certificates.check(SimpleUploadedFile("intyg.pdf", PDF))
    with pytest.raises(RuntimeError):
        own.register_own_completion(
            actor=cast["staff"],
            course_id=course.pk,
            completed_on=datetime.date(2025, 1, 1),
            today=datetime.date(2025, 6, 1),
            certificate=clean,
            unit_id=unit().pk,
            staff_group_id=make_group().pk,
        )
    assert not Completion.objects.exists()
    assert stored(upload_dir) == []


def test_removing_a_completion_removes_its_certificate_after_the_commit(
    cast, upload_dir, django_capture_on_commit_callbacks
):
    client = cast.client("staff")
    register(client, make_course(), SimpleUploadedFile("intyg.pdf", PDF))
    completion = Completion.objects.get()
    assert len(stored(upload_dir)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/utbildning/mina/{completion.pk}/ta-bort/")
    assert response.status_code == 302
    assert not Completion.objects.exists()
    assert stored(upload_dir) == []


# --- Downloading ---------------------------------------------------------------------------------


@pytest.fixture
def certificate(cast, upload_dir) -> Completion:
    register(cast.client("staff"), make_course(), SimpleUploadedFile("intyg.pdf", PDF))
    return Completion.objects.get()


def test_the_owner_downloads_the_certificate_as_an_attachment(cast, certificate):
    response = cast.client("staff").get(f"/utbildning/mina/{certificate.pk}/intyg/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="intyg-testkurs-grund-2025-03-27.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert not AccessLogEntry.objects.filter(action="training_certificate_downloaded").exists()


def test_keepers_of_the_unit_download_it_and_it_is_logged(cast, certificate):
    for role in ("coordinator", "unit_manager", "central_coordinator"):
        assert cast.client(role).get(f"/utbildning/mina/{certificate.pk}/intyg/").status_code == 200
    rows = AccessLogEntry.objects.filter(action="training_certificate_downloaded").order_by("id")
    assert [r.actor_email for r in rows] == [
        "coordinator@test.example",
        "unit_manager@test.example",
        "central_coordinator@test.example",
    ]
    assert {r.subject_ref for r in rows} == {f"learner:{certificate.learner_id}"}


def test_other_staff_and_other_organisations_find_no_certificate(cast, certificate, django_user_model):
    for role in ("caseworker", "coordinator_other", "coordinator_board", "board_reader", "auditor", "admin"):
        assert cast.client(role).get(f"/utbildning/mina/{certificate.pk}/intyg/").status_code == 404, role
    # A unit manager of another unit of the same organisation keeps no record of this learner.
    Placement.objects.filter(learner=certificate.learner).update(unit=unit("Testbiblioteket"))
    assert cast.client("unit_manager").get(f"/utbildning/mina/{certificate.pk}/intyg/").status_code == 404
    assert cast.client("coordinator").get(f"/utbildning/mina/{certificate.pk}/intyg/").status_code == 200


def test_a_completion_without_a_certificate_has_none_to_download(cast):
    learner = Learner.objects.create(email="staff@test.example", user=cast["staff"])
    completion = Completion.objects.create(
        learner=learner, course=make_course(), completed_on=datetime.date(2025, 1, 1), source=CompletionSource.SELF
    )
    assert cast.client("staff").get(f"/utbildning/mina/{completion.pk}/intyg/").status_code == 404
