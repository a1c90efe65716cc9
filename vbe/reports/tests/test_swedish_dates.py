"""Dates in the documents are written by Django's sv locale, and stay Swedish whatever language is
active: the plan document and the status report go to Swedish boards."""

from __future__ import annotations

import datetime
import io

from django.utils import translation
from docx import Document as WordDocument

from vbe.reports import plan_document
from vbe.reports.documents import docx
from vbe.reports.requirements import date_sv
from vbe.reports.tests.factories import make_plan


def test_the_plan_document_names_the_month_in_swedish_under_another_language(cast):
    plan = make_plan(
        actor=cast["coordinator"], slug="jarva", year=2025, state="decided", decided_on=datetime.date(2025, 3, 4)
    )
    with translation.override("en"):
        data = plan_document.plan_document_data(plan)
        content = docx.build_docx(data)
        october = date_sv(datetime.date(2025, 10, 1))
        assert translation.get_language() == "en"  # the active language is left as it was
    assert ("Beslutad", "4 mars 2025, § 12") in data.facts
    text = "\n".join(p.text for p in WordDocument(io.BytesIO(content)).paragraphs)
    assert "Beslutad: 4 mars 2025, § 12" in text
    assert october == "1 oktober 2025"
