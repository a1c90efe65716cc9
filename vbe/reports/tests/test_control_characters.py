"""Control characters in any text never break a PDF, DOCX or XLSX export (issue 7, item 16).

Texts are typed or pasted into plans and the status report: a vertical tab (Word's line break), an
escape character, a non-character such as U+FFFE, and on SQLite even a NUL (PostgreSQL refuses NUL,
so there it cannot be stored at all). A lone surrogate cannot be stored in either database, so it is
tested on the compiled document data directly. Each file is parsed back with the library that reads
that format, and the words around the characters are still there.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from docx import Document as WordDocument
from openpyxl import load_workbook
from pypdf import PdfReader

from vbe.plans import services as plan_services
from vbe.plans.models import Measure
from vbe.reports import compile, plan_document
from vbe.reports.compliance import compliance_for
from vbe.reports.document import BulletList, DocumentData, Figure, Paragraph, Section, Table
from vbe.reports.documents import docx, pdf, xlsx
from vbe.reports.documents.text import clean_text
from vbe.reports.models import StatusReport
from vbe.reports.tests.factories import make_plan

YEAR = 2025


def _storable_controls() -> str:
    """The characters this database can hold: PostgreSQL refuses NUL in any text."""
    controls = "\x0b\x1b\ufffe\x7f\x08"
    return controls if connection.vendor == "postgresql" else "\x00" + controls


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((p.extract_text() or "") for p in reader.pages).split())


def _docx_text(content: bytes) -> str:
    word = WordDocument(io.BytesIO(content))
    texts = [p.text for p in word.paragraphs]
    texts += [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    return " ".join(" ".join(texts).split())


def _plan_with_controls(cast):
    c = _storable_controls()
    plan = make_plan(actor=cast["coordinator"], slug="jarva", year=YEAR, measures=[(1, f"Föräldra{c}träffar")])
    plan = plan_services.update_plan(
        plan_id=plan.pk,
        actor=cast["coordinator"],
        lock_version=plan.lock_version,
        title=f"Åtgärdsplan{c} Järva",
        situation_analysis=f"Klistermärken{c}vid skolor.\n\nAndra{c}stycket.",
    )
    Measure.objects.filter(plan=plan).update(description=f"Träffar{c}varje månad.")
    plan.refresh_from_db()
    return plan


def test_a_plan_with_control_characters_builds_pdf_docx_and_xlsx_that_parse_back(cast):
    plan = _plan_with_controls(cast)
    data = plan_document.plan_document_data(plan)

    text = _pdf_text(pdf.build_pdf(data, "reports/plan_document.html"))
    assert "Åtgärdsplan" in text and "Järva" in text and "Klistermärken" in text and "träffar" in text

    word = WordDocument(io.BytesIO(docx.build_docx(data)))
    heading = next(p.text for p in word.paragraphs if p.style.name == "Heading 1")
    assert heading == plan.formal_title  # the coordinator's own title follows as the subtitle
    subtitle = next(p.text for p in word.paragraphs if p.style.name == "Subtitle")
    assert subtitle == clean_text(plan.title)
    assert "Klistermärken" in _docx_text(docx.build_docx(data))

    workbook = load_workbook(io.BytesIO(xlsx.compliance_xlsx(compliance_for(YEAR))))
    cells = [str(c.value) for row in workbook.worksheets[0].iter_rows() for c in row if c.value is not None]
    assert clean_text(plan.title) in " ".join(cells)


def test_a_status_report_with_control_characters_builds_pdf_and_docx(cast):
    c = _storable_controls()
    actor = cast["central_coordinator"]
    report = StatusReport.objects.create(
        year=YEAR,
        created_by=actor,
        updated_by=actor,
        summary=f"Arbetet{c}har kommit längre.",
        analysis=f"Propagandan{c}ökar.",
        conclusions=f"Fler{c}planer.",
    )
    document = compile.status_report_document(compile.status_report_data(YEAR), report)

    text = _pdf_text(pdf.build_pdf(document))
    assert "Arbetet" in text and "Propagandan" in text and "planer" in text
    assert "Arbetet" in _docx_text(docx.build_docx(document))


def _document_with(controls: str) -> DocumentData:
    t = controls
    table = Table(caption=f"Tabell{t}", columns=(f"Typ{t}", "2025"), rows=((f"Hot{t}", f"<5{t}"),))
    return DocumentData(
        title=f"Rubrik{t}A",
        subtitle=f"Under{t}rubrik",
        facts=((f"Status{t}", f"Utkast{t}"),),
        sections=(
            Section(
                heading=f"Avsnitt{t}",
                key="a",
                blocks=(Paragraph(f"Stycke{t}text"), BulletList((f"Punkt{t}",)), Figure(table)),
            ),
        ),
        compiled_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    )


EVERY_CONTROL = "".join(chr(i) for i in range(0x20) if chr(i) not in "\t\n\r") + "\x7f\x85\ud800\udfff\ufffe\uffff"


def test_every_control_character_and_lone_surrogates_build_every_format():
    data = _document_with(EVERY_CONTROL)
    assert "Stycke" in _pdf_text(pdf.build_pdf(data))
    word = WordDocument(io.BytesIO(docx.build_docx(data)))
    assert next(p.text for p in word.paragraphs if p.style.name == "Heading 1").startswith("Rubrik")
    content = xlsx.workbook_bytes([xlsx.Sheet(f"Blad{EVERY_CONTROL}", ["Kolumn"], [[f"=Cell{EVERY_CONTROL}"], [3]])])
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet.title.startswith("Blad")
    assert sheet["A2"].value.startswith("'=Cell") and sheet["A3"].value == 3


@pytest.mark.parametrize(
    ("written", "cleaned"),
    [
        ("a\x00b", "ab"),
        ("a\x0bb", "a\nb"),  # Word's manual line break
        ("a\x0cb", "a\nb"),
        ("a\x1bb\x7f", "ab"),
        ("a\ufffeb\uffff", "ab"),
        ("a\ud800b", "a\ufffdb"),
        ("rad\tett\nrad två\r\n", "rad\tett\nrad två\r\n"),  # tab, newline and CR stay
        ("Åsa 😀 ½", "Åsa 😀 ½"),  # ordinary text untouched, astral characters too
    ],
)
def test_clean_text(written, cleaned):
    assert clean_text(written) == cleaned
