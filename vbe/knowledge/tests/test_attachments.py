"""Attachments of support resources (issue 12, item 1): the upload rules, the pages, removal, download,
and what the database and the storage hold afterwards. Files are made here, byte by byte or with
python-docx and openpyxl."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from vbe.audit.models import AccessLogEntry
from vbe.knowledge import attachments, search
from vbe.knowledge.models import Attachment, ExtractionState, Kind, Resource
from vbe.organisations.models import Organisation

pytestmark = pytest.mark.django_db


# --- Files and resources, shared with the extraction tests -----------------------------------------


def pdf_bytes(*lines: str) -> bytes:
    """A minimal real PDF with one page that shows ``lines`` (ASCII) in Helvetica, with a correct xref."""
    text = " ".join(f"({line}) Tj 0 -16 Td" for line in lines)
    stream = f"BT /F1 12 Tf 72 720 Td {text} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def docx_bytes(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def zip_bomb(member: str, megabytes: int) -> bytes:
    """A zip whose one member declares ``megabytes`` of zeros (it packs to about a thousandth)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open(member, "w", force_zip64=True) as part,
    ):
        for _ in range(megabytes):
            part.write(b"\0" * (1024 * 1024))
    return out.getvalue()


def upload_file(data: bytes, name: str, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def make_resource(owner: str = "jarva", **fields) -> Resource:
    defaults = {
        "kind": Kind.ROUTINE,
        "title": "Rutin vid oro (test)",
        "next_review_on": datetime.date.today() + datetime.timedelta(days=200),
    }
    return Resource.objects.create(owner=Organisation.objects.get(slug=owner), **{**defaults, **fields})


@pytest.fixture(autouse=True, name="upload_dir")
def upload_dir_fixture(settings, tmp_path):
    """Uploads in the test's own directory (the default storage's location)."""
    settings.UPLOAD_ROOT = settings.MEDIA_ROOT = tmp_path / "uploads"
    return tmp_path / "uploads"


@pytest.fixture(autouse=True, name="reindexed")
def reindexed_fixture(monkeypatch) -> list[tuple[int, bool]]:
    """Each call of the search's reindex: the resource and whether it came inside a transaction."""
    from django.db import connection

    calls: list[tuple[int, bool]] = []
    monkeypatch.setattr(search, "reindex", lambda resource: calls.append((resource.pk, connection.in_atomic_block)))
    return calls


def stored_files(upload_dir) -> list[str]:
    folder = upload_dir / attachments.PREFIX
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- The upload rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (pdf_bytes("Hej"), attachments.PDF),
        (docx_bytes(["Hej"]), attachments.DOCX),
        (xlsx_bytes({"Blad": [["Hej"]]}), attachments.XLSX),
    ],
)
def test_the_type_is_read_from_the_file_never_its_name(data, kind):
    clean = attachments.check(upload_file(data, "fel-namn.txt", "text/html"))
    assert clean.kind is kind and clean.data == data
    assert clean.display_name == f"fel-namn.{kind.extension}"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"<html><script>alert(1)</script></html>", "bad_type"),
        (b"MZ\x90\x00 an executable", "bad_type"),
        (b"\xd0\xcf\x11\xe0 an old .doc", "bad_type"),
        (zip_bytes({"readme.txt": b"hej"}), "bad_type"),  # a zip that is no Office document
        (zip_bytes({"word/document.xml": b"<w/>", "xl/workbook.xml": b"<x/>"}), "bad_type"),  # both at once
        (b"PK\x03\x04 but no zip after it", "unreadable"),
        (b"", "empty"),
    ],
)
def test_anything_else_is_refused(data, code):
    with pytest.raises(ValidationError) as refused:
        attachments.check(upload_file(data, "rutin.pdf", "application/pdf"))
    assert refused.value.code == code and refused.value.messages[0]


@pytest.mark.parametrize(
    ("member", "megabytes"),
    [
        ("word/document.xml", 200),  # over the sum and over the bound of one part
        ("xl/workbook.xml", 40),  # over the bound of one part read whole
        ("word/document.xml", 2),  # small, but packed a thousand to one
    ],
)
def test_a_zip_bomb_is_refused_from_its_declared_sizes_before_anything_opens_it(monkeypatch, member, megabytes):
    data = zip_bomb(member, megabytes)
    opened = []
    import docx

    monkeypatch.setattr(docx, "Document", lambda *a, **k: opened.append(1))
    with pytest.raises(ValidationError) as refused:
        attachments.check(upload_file(data, "bomb.docx"))
    assert refused.value.code == "too_large_unpacked" and opened == []


def test_too_many_members_are_refused():
    members = {"word/document.xml": b"<w/>", **{f"word/media/{i}.bin": b"" for i in range(2_001)}}
    with pytest.raises(ValidationError) as refused:
        attachments.check(upload_file(zip_bytes(members), "many.docx"))
    assert refused.value.code == "too_large_unpacked"


def test_the_size_limit_is_a_setting(settings):
    settings.VBE_RESOURCE_ATTACHMENT_MAX_MB = 1
    with pytest.raises(ValidationError) as refused:
        attachments.check(upload_file(b"%PDF-1.4\n" + b"0" * (1024 * 1024), "stor.pdf"))
    assert refused.value.code == "too_large" and "1 MB" in refused.value.messages[0]


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/Rutin vid oro.exe", "Rutin vid oro.pdf"),
        ("C:\\Users\\x\\Bilaga\x00\x1b<script>.pdf", "Bilagascript.pdf"),
        (".pdf", "bilaga.pdf"),
        ("intyg.pdf", "intyg.pdf"),
        ("", "bilaga.pdf"),
    ],
)
def test_the_file_name_is_cleaned_for_display(name, shown):
    assert attachments.display_name(name, attachments.PDF) == shown


# --- Adding and removing ---------------------------------------------------------------------------


def test_a_keeper_uploads_a_file_through_the_page(cast, upload_dir, reindexed):
    from django_tasks_db.models import DBTaskResult

    resource = make_resource()
    client = cast.client("coordinator")
    page = client.get(f"/stod/{resource.pk}/bilagor/ny/")
    assert page.status_code == 200 and "Ladda upp en bilaga" in page.content.decode()
    response = client.post(
        f"/stod/{resource.pk}/bilagor/ny/", {"file": upload_file(pdf_bytes("Hej"), "Rutin för oro.pdf", "text/plain")}
    )
    attachment = Attachment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/stod/{resource.pk}/"
    assert attachment.resource == resource and attachment.filename == "Rutin för oro.pdf"
    assert attachment.content_type == "application/pdf" and attachment.size == len(pdf_bytes("Hej"))
    assert attachment.extraction == ExtractionState.PENDING and attachment.uploaded_by == cast["coordinator"]
    assert "Rutin" not in attachment.stored_name  # stored under a random name
    assert stored_files(upload_dir) == [attachment.stored_name]
    assert (upload_dir / attachments.PREFIX / attachment.stored_name).read_bytes() == pdf_bytes("Hej")
    entry = AccessLogEntry.objects.get(action="resource_attachment_added")
    assert entry.object_id == str(attachment.pk) and entry.actor_id == cast["coordinator"].pk
    assert reindexed == [(resource.pk, True)]
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("extract_attachment_text") and task.args_kwargs["args"] == [attachment.pk]


@pytest.mark.parametrize("role", ["coordinator_other", "staff", "unit_manager", "admin"])
def test_others_may_not_upload(cast, role, upload_dir):
    resource = make_resource()
    client = cast.client(role)
    response = client.post(f"/stod/{resource.pk}/bilagor/ny/", {"file": upload_file(pdf_bytes("Hej"), "a.pdf")})
    assert response.status_code == 403
    assert not Attachment.objects.exists() and stored_files(upload_dir) == []
    with pytest.raises(PermissionDenied):
        attachments.add_attachment(
            actor=cast[role], resource_id=resource.pk, file=attachments.check(upload_file(pdf_bytes("x"), "a.pdf"))
        )


def test_a_bad_file_is_an_error_on_the_page_and_nothing_is_kept(cast, upload_dir):
    resource = make_resource()
    client = cast.client("central_coordinator")
    response = client.post(
        f"/stod/{resource.pk}/bilagor/ny/", {"file": upload_file(b"<html></html>", "rutin.pdf", "application/pdf")}
    )
    body = response.content.decode()
    assert response.status_code == 400 and "govuk-error-summary" in body
    assert "Filen måste vara en PDF, ett Word-dokument (.docx) eller en Excel-fil (.xlsx)." in body
    response = client.post(f"/stod/{resource.pk}/bilagor/ny/", {})
    assert response.status_code == 400 and "Välj en fil att ladda upp." in response.content.decode()
    assert not Attachment.objects.exists() and stored_files(upload_dir) == []
    assert not AccessLogEntry.objects.filter(action="resource_attachment_added").exists()


def test_a_missing_resource_is_404(cast):
    assert cast.client("central_coordinator").get("/stod/999999/bilagor/ny/").status_code == 404


def test_the_file_is_removed_again_when_the_transaction_fails(cast, upload_dir, monkeypatch):
    resource = make_resource()

    def broken(resource):
        raise RuntimeError("the index is down")

    monkeypatch.setattr(search, "reindex", broken)
    with pytest.raises(RuntimeError):
        attachments.add_attachment(
            actor=cast["coordinator"],
            resource_id=resource.pk,
            file=attachments.check(upload_file(pdf_bytes("x"), "a.pdf")),
        )
    assert not Attachment.objects.exists() and stored_files(upload_dir) == []


def test_a_resource_takes_at_most_so_many_files(cast, monkeypatch):
    monkeypatch.setattr(attachments, "MAX_ATTACHMENTS", 1)
    resource = make_resource()
    clean = attachments.check(upload_file(pdf_bytes("x"), "a.pdf"))
    attachments.add_attachment(actor=cast["coordinator"], resource_id=resource.pk, file=clean)
    with pytest.raises(ValidationError) as refused:
        attachments.add_attachment(actor=cast["coordinator"], resource_id=resource.pk, file=clean)
    assert refused.value.code == "too_many" and Attachment.objects.count() == 1


def add(cast, resource, data=None, name="rutin.pdf", actor="coordinator") -> Attachment:
    return attachments.add_attachment(
        actor=cast[actor], resource_id=resource.pk, file=attachments.check(upload_file(data or pdf_bytes("Hej"), name))
    )


def test_a_keeper_removes_a_file_and_it_is_deleted_after_commit(
    cast, upload_dir, reindexed, django_capture_on_commit_callbacks
):
    resource = make_resource()
    attachment = add(cast, resource)
    reindexed.clear()
    client = cast.client("central_coordinator")
    assert client.get(f"/stod/{resource.pk}/bilagor/{attachment.pk}/ta-bort/").status_code == 405
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/stod/{resource.pk}/bilagor/{attachment.pk}/ta-bort/")
    assert response.status_code == 302 and response["Location"] == f"/stod/{resource.pk}/"
    assert not Attachment.objects.exists()
    assert stored_files(upload_dir) == [attachment.stored_name]  # still there until the commit
    for callback in callbacks:
        callback()
    assert stored_files(upload_dir) == []
    entry = AccessLogEntry.objects.get(action="resource_attachment_removed")
    assert entry.object_id == str(attachment.pk) and entry.actor_id == cast["central_coordinator"].pk
    assert reindexed == [(resource.pk, True)]


def test_others_may_not_remove_and_a_file_of_another_resource_is_404(cast, upload_dir):
    resource = make_resource()
    other = make_resource(title="Annan rutin")
    attachment = add(cast, resource)
    assert cast.client("staff").post(f"/stod/{resource.pk}/bilagor/{attachment.pk}/ta-bort/").status_code == 403
    assert (
        cast.client("coordinator_other").post(f"/stod/{resource.pk}/bilagor/{attachment.pk}/ta-bort/").status_code
        == 403
    )
    assert cast.client("coordinator").post(f"/stod/{other.pk}/bilagor/{attachment.pk}/ta-bort/").status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert stored_files(upload_dir) == [attachment.stored_name]


# --- Download --------------------------------------------------------------------------------------


def test_every_reader_downloads_a_file_as_an_attachment(cast):
    resource = make_resource()
    attachment = add(cast, resource, docx_bytes(["Hej"]), name="Mall för anteckningar.docx")
    response = cast.client("staff").get(f"/stod/{resource.pk}/bilagor/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == attachments.DOCX.content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Mall" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == docx_bytes(["Hej"])
    assert cast.client(None).get(f"/stod/{resource.pk}/bilagor/{attachment.pk}/").status_code == 302


def test_an_archived_resources_files_are_for_its_keepers_only(cast):
    resource = make_resource()
    attachment = add(cast, resource)
    Resource.objects.filter(pk=resource.pk).update(is_active=False)
    url = f"/stod/{resource.pk}/bilagor/{attachment.pk}/"
    assert cast.client("staff").get(url).status_code == 404
    assert cast.client("coordinator_other").get(url).status_code == 404
    assert cast.client("coordinator").get(url).status_code == 200
    assert cast.client("central_coordinator").get(url).status_code == 200


def test_an_archived_resources_keeper_pages_are_404_to_others_not_403(cast):
    """Answering 403 would tell a reader that an archived resource of that number exists."""
    resource = make_resource()
    Resource.objects.filter(pk=resource.pk).update(is_active=False)
    for url in (f"/stod/{resource.pk}/bilagor/ny/", f"/stod/{resource.pk}/granskad/"):
        assert cast.client("staff").get(url).status_code == 404
        assert cast.client("coordinator_other").get(url).status_code == 404
        assert cast.client("coordinator").get(url).status_code == 200


def test_a_file_under_another_resource_or_gone_from_the_storage_is_404(cast, upload_dir):
    resource = make_resource()
    other = make_resource(title="Annan rutin")
    attachment = add(cast, resource)
    client = cast.client("staff")
    assert client.get(f"/stod/{other.pk}/bilagor/{attachment.pk}/").status_code == 404
    (upload_dir / attachments.PREFIX / attachment.stored_name).unlink()
    assert client.get(f"/stod/{resource.pk}/bilagor/{attachment.pk}/").status_code == 404


# --- The list on the resource's page ---------------------------------------------------------------


def test_the_list_shows_size_type_and_search_state_and_the_keepers_links(cast):
    resource = make_resource()
    first = add(cast, resource, name="Rutin.pdf")
    add(cast, resource, xlsx_bytes({"Blad": [["x"]]}), name="Kontakter.xlsx")
    Attachment.objects.filter(pk=first.pk).update(extraction=ExtractionState.DONE)
    reader = cast.client("staff").get(f"/stod/{resource.pk}/").content.decode()
    assert "Rutin.pdf" in reader and "Kontakter.xlsx" in reader and "Excel" in reader and "PDF" in reader
    assert "Sökbar" in reader and "Läses in" in reader
    assert f"/stod/{resource.pk}/bilagor/{first.pk}/" in reader
    assert "/ta-bort/" not in reader and "/bilagor/ny/" not in reader
    keeper = cast.client("coordinator").get(f"/stod/{resource.pk}/").content.decode()
    assert f"/stod/{resource.pk}/bilagor/{first.pk}/ta-bort/" in keeper and f"/stod/{resource.pk}/bilagor/ny/" in keeper


def test_the_resource_page_keeps_to_the_query_bound_with_many_files(cast, django_assert_max_num_queries):
    resource = make_resource()
    Attachment.objects.bulk_create(
        Attachment(
            resource=resource,
            filename=f"fil-{i}.pdf",
            stored_name=f"{i:032x}.pdf",
            content_type="application/pdf",
            size=1000 + i,
        )
        for i in range(attachments.MAX_ATTACHMENTS)
    )
    client = cast.client("coordinator")
    with django_assert_max_num_queries(20):
        response = client.get(f"/stod/{resource.pk}/")
    assert response.status_code == 200 and "fil-19.pdf" in response.content.decode()


def test_nothing_is_attached_to_an_archived_resource(cast, upload_dir):
    resource = make_resource(is_active=False)
    with pytest.raises(ValidationError) as refused:
        add(cast, resource)
    assert refused.value.code == "archived"
    assert not Attachment.objects.exists()
    folder = upload_dir / attachments.PREFIX
    assert not folder.exists() or not any(folder.iterdir())  # the file written is removed again
