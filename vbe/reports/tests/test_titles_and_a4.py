"""Plan and report titles say what they work against, and the Word exports are A4 like the PDFs."""

from __future__ import annotations

import io

import pytest
from docx import Document as WordDocument
from docx.shared import Cm

from vbe.organisations.models import Organisation
from vbe.plans import services as plan_services
from vbe.plans.models import plan_title
from vbe.reports.compile import status_report_data
from vbe.reports.documents import docx
from vbe.reports.models import StatusReport
from vbe.reports.plan_document import plan_document_data
from vbe.reports.tests.factories import make_plan


def test_plan_titles(cast):
    jarva = Organisation.objects.get(slug="jarva")
    plan = plan_services.create_plan(actor=cast["coordinator"], organisation=jarva, year=2026)
    assert plan.title == "Åtgärdsplan mot våldsbejakande extremism 2026 – Järva"
    assert plan.formal_title == plan.title
    board = Organisation.objects.get(slug="utbildningsnamnden")
    board_plan = plan_services.create_plan(actor=cast["coordinator_board"], organisation=board, year=2026)
    assert board_plan.title == f"Handlingsplan mot våldsbejakande extremism 2026–2027 – {board.display_name}"
    assert plan_title("district", "2027", "Södermalm") == "Åtgärdsplan mot våldsbejakande extremism 2027 – Södermalm"


def test_a_chosen_title_keeps_the_formal_one_on_the_document(cast):
    jarva = Organisation.objects.get(slug="jarva")
    plan = plan_services.create_plan(actor=cast["coordinator"], organisation=jarva, year=2026, title="Trygg i Järva")
    data = plan_document_data(plan)
    assert data.title == "Åtgärdsplan mot våldsbejakande extremism 2026 – Järva"
    assert data.subtitle == "Trygg i Järva"


def test_status_report_title(cast):
    report = StatusReport(year=2027)
    assert str(report) == "Nulägesrapport om arbetet mot våldsbejakande extremism 2027"
    assert status_report_data(2027).title == "Nulägesrapport om arbetet mot våldsbejakande extremism 2027"


def _page(content: bytes):
    section = WordDocument(io.BytesIO(content)).sections[0]
    return section


@pytest.mark.parametrize("which", ["plan", "status_report"])
def test_docx_is_a4_with_the_pdf_margins(cast, which):
    if which == "plan":
        plan = make_plan(actor=cast["coordinator"], slug="jarva", year=2025, measures=[1, 2], state="decided")
        content = docx.build_docx(plan_document_data(plan))
    else:
        content = docx.build_docx(status_report_data(2025))
    section = _page(content)
    # A4 is 210 × 297 mm; python-docx stores twentieths of a point, so compare in whole millimetres.
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    # The PDF's @page margin: 2.2cm 2cm 2.4cm 2.2cm (top, right, bottom, left).
    margins = (section.top_margin, section.right_margin, section.bottom_margin, section.left_margin)
    assert tuple(round(m.mm) for m in margins) == (22, 20, 24, 22)
    assert section.page_width - section.left_margin - section.right_margin >= Cm(16)  # the charts fit
