"""DOCX with python-docx, from the same compiled data as the page and the PDF.

Accessible as Word documents go: the title and sections are real Heading 1/2/3 styles (the
navigation pane and screen readers find them), each table's first row is marked as a header row
that repeats on every page (``w:tblHeader``), each chart is a picture with alternate text
(``wp:docPr/@descr``) followed by a table with the same figures, and the language is Swedish.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from vbe.reports.document import BulletList, DocumentData, Figure, Paragraph, Section, Table
from vbe.reports.documents.charts import bar_chart_png
from vbe.reports.documents.text import clean

LANGUAGE = "sv-SE"
# A4 with the PDF's margins (templates/reports/pdf.css, ``@page``: 2.2cm 2cm 2.4cm 2.2cm): python-docx's
# blank document is US Letter, which Swedish printers and the city's templates do not use.
PAGE_WIDTH, PAGE_HEIGHT = Cm(21), Cm(29.7)
MARGINS = {"top_margin": Cm(2.2), "right_margin": Cm(2), "bottom_margin": Cm(2.4), "left_margin": Cm(2.2)}


def _set_language(document) -> None:
    for style_name in ("Normal",):
        r_pr = document.styles[style_name].element.get_or_add_rPr()
        lang = r_pr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            r_pr.append(lang)
        lang.set(qn("w:val"), LANGUAGE)
        lang.set(qn("w:eastAsia"), LANGUAGE)
        lang.set(qn("w:bidi"), LANGUAGE)


def _set_a4(document) -> None:
    for section in document.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        for name, value in MARGINS.items():
            setattr(section, name, value)


def mark_header_row(row) -> None:
    """Marks a table row as the header row, repeated at the top of each page, and never split."""
    tr_pr = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), "true")
        tr_pr.append(element)


def _add_table(document, table: Table) -> None:
    caption = document.add_paragraph(table.caption, style="Caption")
    caption.paragraph_format.keep_with_next = True
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.LEFT
    header = grid.rows[0]
    mark_header_row(header)
    for i, (cell, text) in enumerate(zip(header.cells, table.columns, strict=True)):
        paragraph = cell.paragraphs[0]
        paragraph.add_run(text).bold = True
        if table.is_numeric(i):
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for values in table.rows:
        cells = grid.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, values, strict=True)):
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(text)
            if i == 0:
                run.bold = True  # the row header
            if table.is_numeric(i):
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.add_paragraph()


def _add_chart(document, figure: Figure) -> None:
    chart = figure.chart
    title = document.add_paragraph(chart.title, style="Caption")
    title.paragraph_format.keep_with_next = True
    run = document.add_paragraph().add_run()
    shape = run.add_picture(io.BytesIO(bar_chart_png(chart.bars)), width=Cm(16))
    doc_pr = shape._inline.docPr
    doc_pr.set("descr", chart.description)
    doc_pr.set("title", chart.title)


def _add_section(document, section: Section, level: int) -> None:
    document.add_heading(section.heading, level=level)
    for block in section.blocks:
        if isinstance(block, Paragraph):
            document.add_paragraph(block.text)
        elif isinstance(block, BulletList):
            for item in block.items:
                document.add_paragraph(item, style="List Bullet")
        elif isinstance(block, Figure):
            if block.chart is not None:
                _add_chart(document, block)
            _add_table(document, block.table)
    for sub in section.subsections:
        _add_section(document, sub, min(level + 1, 9))


def build_docx(data: DocumentData) -> bytes:
    data = clean(data)  # XML cannot hold control characters: python-docx would refuse the text
    document = Document()
    _set_a4(document)
    _set_language(document)
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10.5)
    properties = document.core_properties
    properties.title = data.title
    properties.subject = data.subtitle
    properties.language = LANGUAGE
    properties.author = "VBE-portalen"
    document.add_heading(data.title, level=1)
    document.add_paragraph(data.subtitle, style="Subtitle")
    for label, value in data.facts:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value)
    for section in data.sections:
        _add_section(document, section, 2)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
