"""Reading an attachment's text for the search (issue 12, item 1), through the real job queue
(``run_jobs --batch``), from real small PDF, DOCX and XLSX files made here."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.core.management import call_command

from vbe.knowledge import attachments, extraction
from vbe.knowledge.models import Attachment, ExtractionState
from vbe.knowledge.tests.test_attachments import (  # noqa: F401  (fixtures)
    add,
    docx_bytes,
    make_resource,
    pdf_bytes,
    reindexed_fixture,
    upload_dir_fixture,
    xlsx_bytes,
    zip_bomb,
)

pytestmark = pytest.mark.django_db


def run_jobs() -> None:
    call_command("run_jobs", batch=True, verbosity=0)


def extracted(cast, data: bytes, name: str) -> Attachment:
    attachment = add(cast, make_resource(), data, name=name)
    run_jobs()
    attachment.refresh_from_db()
    return attachment


def test_a_pdfs_text_is_read_page_by_page(cast, reindexed):
    attachment = extracted(cast, pdf_bytes("Samverkansrutin for oro", "Ring socialjouren"), "rutin.pdf")
    assert attachment.extraction == ExtractionState.DONE
    assert "Samverkansrutin for oro" in attachment.text and "Ring socialjouren" in attachment.text
    # Once when attached, once when its text was read: both inside a transaction.
    assert reindexed == [(attachment.resource_id, True), (attachment.resource_id, True)]


def test_a_documents_paragraphs_and_tables_are_read_in_order(cast):
    data = docx_bytes(
        ["Orosanmälan görs till socialtjänsten.", "Kontakta samordnaren."],
        table=[["Roll", "Telefon"], ["Socialjouren", "08-000 00 00"]],
    )
    attachment = extracted(cast, data, "mall.docx")
    assert attachment.extraction == ExtractionState.DONE
    assert attachment.text.splitlines() == [
        "Orosanmälan görs till socialtjänsten.",
        "Kontakta samordnaren.",
        "Roll\tTelefon",
        "Socialjouren\t08-000 00 00",
    ]


def test_a_workbooks_cell_values_are_read_sheet_by_sheet(cast):
    data = xlsx_bytes(
        {
            "Kontakter": [
                ["Namn", "Telefon"],
                ["Fältgruppen Järva", 87654321],
                [None, None],
                ["Datum", datetime.date(2026, 1, 2)],
            ],
            "Övrigt": [["Åtgärdstrappa"]],
        }
    )
    attachment = extracted(cast, data, "kontakter.xlsx")
    assert attachment.extraction == ExtractionState.DONE
    assert attachment.text.splitlines() == [
        "Kontakter",
        "Namn\tTelefon",
        "Fältgruppen Järva\t87654321",
        "Datum\t2026-01-02",
        "Övrigt",
        "Åtgärdstrappa",
    ]


def test_the_text_is_capped(cast, monkeypatch):
    monkeypatch.setattr(extraction, "MAX_CHARS", 40)
    attachment = extracted(cast, docx_bytes(["a" * 30, "b" * 30, "c" * 30]), "lang.docx")
    assert attachment.extraction == ExtractionState.DONE
    assert len(attachment.text) == 40 and attachment.text.startswith("a" * 30 + "\n" + "b" * 9)
    assert "c" not in attachment.text


def test_reading_stops_after_so_many_parts_keeping_what_was_read(cast, monkeypatch):
    monkeypatch.setattr(extraction, "MAX_PARTS", 2)
    attachment = extracted(cast, docx_bytes(["första", "andra", "tredje"]), "delar.docx")
    assert (attachment.extraction, attachment.text) == (ExtractionState.DONE, "första\nandra")


def test_reading_stops_when_its_time_is_up_keeping_what_was_read(cast, monkeypatch):
    clock = iter([0.0, 1.0, 2.0, 99.0, 100.0])  # the deadline is taken at 0; the third part comes too late
    monkeypatch.setattr(extraction, "clock", lambda: next(clock))
    monkeypatch.setattr(extraction, "MAX_SECONDS", 50.0)
    attachment = extracted(cast, docx_bytes(["första", "andra", "tredje"]), "sakta.docx")
    assert (attachment.extraction, attachment.text) == (ExtractionState.DONE, "första\nandra")


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"%PDF-1.4\nthis is no pdf at all\n%%EOF\n", "trasig.pdf"),
        (None, "trasig.docx"),  # a zip that names word/document.xml, which is not XML
    ],
)
def test_a_file_that_cannot_be_read_ends_as_failed_without_a_crash(cast, data, name, reindexed):
    if data is None:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("word/document.xml", b"not xml <<<")
        data = out.getvalue()
    attachment = extracted(cast, data, name)
    assert attachment.extraction == ExtractionState.FAILED and attachment.text == ""
    assert len(reindexed) == 2
    from django_tasks_db.models import DBTaskResult

    task = DBTaskResult.objects.get(task_path="vbe.knowledge.tasks.extract_attachment_text")
    assert task.status == "SUCCESSFUL"


def test_a_file_gone_from_the_storage_ends_as_failed(cast, upload_dir):
    attachment = add(cast, make_resource())
    (upload_dir / attachments.PREFIX / attachment.stored_name).unlink()
    run_jobs()
    attachment.refresh_from_db()
    assert attachment.extraction == ExtractionState.FAILED


def test_an_attachment_removed_before_its_text_is_read_is_left_alone(cast, reindexed):
    resource = make_resource()
    attachment = add(cast, resource)
    attachments.remove_attachment(actor=cast["coordinator"], resource_id=resource.pk, attachment_id=attachment.pk)
    reindexed.clear()
    run_jobs()
    assert not Attachment.objects.exists() and reindexed == []
    assert extraction.run(attachment.pk) == ""


def test_a_stored_file_is_checked_again_before_it_is_opened(cast, upload_dir):
    """A stored DOCX replaced by a zip bomb (a storage someone else can write to) is not opened."""
    attachment = add(cast, make_resource(), docx_bytes(["Hej"]), name="a.docx")
    (upload_dir / attachments.PREFIX / attachment.stored_name).write_bytes(zip_bomb("word/document.xml", 120))
    assert extraction.run(attachment.pk) == ExtractionState.FAILED
