"""The status report's section on collaboration (vbe.reports.collaboration): a subsection for focus area 3
and one for focus area 5, each a table of its forums, checked against the figures counted by hand in
vbe/collaboration/tests/test_counts.py; in the page, the DOCX and the PDF; frozen with a final report."""

from __future__ import annotations

import datetime
from io import BytesIO

import pytest
from docx import Document as WordDocument
from pypdf import PdfReader

from vbe.collaboration.models import Forum, Meeting
from vbe.collaboration.tests.test_counts import TODAY, make_world
from vbe.reports import compile, services
from vbe.reports.document import Figure, Paragraph
from vbe.reports.documents import docx, pdf
from vbe.reports.models import StatusReport

YEAR = 2025
PAGE = f"/rapporter/nulagesrapport/{YEAR}/"
AREA_3 = "3. Samverkan med det civila samhället"
AREA_5 = "5. Samordnade stödinsatser för individer i risk"


@pytest.fixture
def world(cast):
    return make_world(cast)


def _section(data):
    [section] = [s for s in data.sections if s.key == "samverkan"]
    return section


def _parts(section):
    return {s.heading: s for s in section.subsections}


def _text(section) -> str:
    return " ".join(b.text for b in section.blocks if isinstance(b, Paragraph))


def _rows(section) -> dict[str, tuple[str, ...]]:
    [figure] = [b for b in section.blocks if isinstance(b, Figure)]
    return {row[0]: row[1:] for row in figure.table.rows}


def test_the_section_has_a_table_per_focus_area_with_the_hand_counted_figures(world):
    section = _section(compile.status_report_data(YEAR, today=TODAY))
    assert section.heading == "Samverkan 2025"
    parts = _parts(section)
    assert list(parts) == [AREA_3, AREA_5]
    three, five = parts[AREA_3], parts[AREA_5]
    [figure] = [b for b in three.blocks if isinstance(b, Figure)]
    assert figure.table.columns == ("Forum", "Stadsdelsområde", "Möten", "Åtgärder att följa upp", "Uppföljda")
    assert _rows(three) == {
        "Dialogforum med civilsamhälle och trossamfund": ("Hela staden", "2", "1", "0"),
        "Totalt": ("", "2", "1", "0"),
    }
    rows = _rows(five)
    assert rows["SSPF Järva"] == ("Järva", "2", "3", "2")
    assert rows["Dialogforum med civilsamhälle och trossamfund"] == ("Hela staden", "2", "1", "0")  # in both areas
    assert rows["Stadens nätverk för lokala samordnare"] == ("Hela staden", "1", "0", "0")
    assert rows["SSPF Testområde (nedlagt)"] == ("Hela staden", "1", "0", "0")  # laid down, but met that year
    assert "BUS Testområde (nedlagt)" not in rows
    assert rows["Totalt"] == ("", "6", "4", "2")
    assert (
        "Forumen i området höll 6 möten under 2025. Av 4 åtgärder från mötena som skulle följas upp under året "
        "var 2 uppföljda den 31 december 2025." in _text(five)
    )


def test_without_meetings_the_section_says_so(cast):
    parts = _parts(_section(compile.status_report_data(YEAR, today=TODAY)))
    for heading in (AREA_3, AREA_5):
        assert "Inga möten i forumen i området är registrerade i portalen för 2025." in _text(parts[heading])
    assert _rows(parts[AREA_3])["Dialogforum med civilsamhälle och trossamfund"] == ("Hela staden", "0", "0", "0")


def test_without_forums_in_an_area_the_section_says_so(cast):
    Forum.focus_areas.through.objects.filter(focusarea__number=3).delete()
    parts = _parts(_section(compile.status_report_data(YEAR, today=TODAY)))
    assert _text(parts[AREA_3]) == "Inga samverkansforum räknas till området i portalen."
    assert not [b for b in parts[AREA_3].blocks if isinstance(b, Figure)]


def test_the_page_the_docx_and_the_pdf_carry_the_section(world, cast):
    actor = cast["central_coordinator"]
    StatusReport.objects.create(year=YEAR, created_by=actor, updated_by=actor)
    html = " ".join(cast.client("central_coordinator").get(PAGE).content.decode().split())
    assert "Samverkan 2025" in html and AREA_3 in html and AREA_5 in html
    assert "Forumen i området höll 6 möten under 2025." in html
    document = compile.status_report_document(compile.status_report_data(YEAR, today=TODAY), StatusReport(year=YEAR))
    word = WordDocument(BytesIO(docx.build_docx(document)))
    paragraphs = [p.text for p in word.paragraphs]
    assert "Samverkan 2025" in paragraphs and AREA_3 in paragraphs and AREA_5 in paragraphs
    assert any(p.startswith("Forumen i området höll 6 möten under 2025.") for p in paragraphs)
    tables = [tuple(c.text for c in row.cells) for t in word.tables for row in t.rows]
    assert ("SSPF Järva", "Järva", "2", "3", "2") in tables
    reader = PdfReader(BytesIO(pdf.build_pdf(document)))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert "Samverkan 2025" in text and "SSPF Järva Järva 2 3 2" in text


def _add_a_meeting(user) -> None:
    Meeting.objects.create(
        forum=Forum.objects.get(name="SSPF Järva"), held_on=datetime.date(2025, 11, 11), created_by=user
    )


def test_a_final_report_keeps_the_figures_it_was_decided_with(world, cast):
    actor = cast["central_coordinator"]
    StatusReport.objects.create(
        year=YEAR, created_by=actor, updated_by=actor, summary="Läget.", analysis="Analys.", conclusions="Vidare."
    )
    client = cast.client("central_coordinator")
    before = "Forumen i området höll 6 möten under 2025."
    report = StatusReport.objects.get(year=YEAR)
    services.finalise(actor=actor, year=YEAR, lock_version=report.lock_version)
    _add_a_meeting(world)
    page = " ".join(client.get(PAGE).content.decode().split())
    assert before in page and "höll 7 möten" not in page
    docx_text = " ".join(
        p.text for p in WordDocument(BytesIO(client.get(f"/rapporter/nulagesrapport/{YEAR}.docx").content)).paragraphs
    )
    assert before in docx_text
    report = StatusReport.objects.get(year=YEAR)
    services.reopen(actor=actor, year=YEAR, lock_version=report.lock_version)
    assert "Forumen i området höll 7 möten under 2025." in " ".join(client.get(PAGE).content.decode().split())
