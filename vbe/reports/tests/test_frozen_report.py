"""A final status report is the document that was decided: stored when it is finalised, shown from the
store on its page, in its PDF and its DOCX, whatever happens to the portal's data afterwards.

Scenario for 2025 (report period 2024–2025): 6 propaganda incidents in Järva and 2 threats in
Södermalm in 2025, so "2025: 8 händelser."; Järva's decided plan for 2025 with measures in focus
areas 1 and 2, so "sammanlagt 2 åtgärder". Afterwards 5 more incidents in Järva in 2025 (8 + 5 = 13)
and Södermalm's decided plan with a measure in area 3 (2 + 1 = 3).
"""

from __future__ import annotations

import copy
import datetime
import io
import json
from threading import Barrier, Thread

import pytest
from django.db import connection
from docx import Document as WordDocument
from pypdf import PdfReader

from vbe.audit.models import AccessLogEntry
from vbe.incidents.models import Category
from vbe.reports import frozen, services
from vbe.reports.document import DocumentData, Paragraph, Section
from vbe.reports.models import StatusReport, StatusReportState
from vbe.reports.tests.factories import make_plan
from vbe.reports.tests.test_documents import make_incidents

YEAR = 2025
PAGE = f"/rapporter/nulagesrapport/{YEAR}/"
PDF = f"/rapporter/nulagesrapport/{YEAR}.pdf"
DOCX = f"/rapporter/nulagesrapport/{YEAR}.docx"
BEFORE = ("2025: 8 händelser.", "sammanlagt 2 åtgärder")
AFTER = ("2025: 13 händelser.", "sammanlagt 3 åtgärder")


@pytest.fixture
def world(cast):
    make_incidents(cast["staff"], "jarva", 6, category=Category.PROPAGANDA, day=datetime.date(2025, 3, 1))
    make_incidents(cast["staff"], "sodermalm", 2, category=Category.THREAT, day=datetime.date(2025, 12, 31))
    make_plan(actor=cast["coordinator"], slug="jarva", year=2025, measures=[1, 2], state="decided")
    actor = cast["central_coordinator"]
    StatusReport.objects.create(
        year=YEAR,
        created_by=actor,
        updated_by=actor,
        summary="Arbetet har kommit längre.\n\nTvå stycken.",
        analysis="Propagandan ökar.",
        conclusions="Fler planer ska beslutas i tid.",
    )
    return cast


def change_the_data(cast) -> None:
    make_incidents(cast["staff"], "jarva", 5, category=Category.GRAFFITI, day=datetime.date(2025, 9, 1))
    make_plan(actor=cast["coordinator_other"], slug="sodermalm", year=2025, measures=[3], state="decided")


def finalise(cast) -> StatusReport:
    report = StatusReport.objects.get(year=YEAR)
    return services.finalise(actor=cast["central_coordinator"], year=YEAR, lock_version=report.lock_version)


def reopen(cast) -> StatusReport:
    report = StatusReport.objects.get(year=YEAR)
    return services.reopen(actor=cast["central_coordinator"], year=YEAR, lock_version=report.lock_version)


def flat(text: str) -> str:
    return " ".join(text.split())


def page_text(client) -> str:
    """The report as the page shows it (the preview under the forms; a CSRF token differs per response)."""
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    return flat(html[html.index('<div class="app-report-preview">') :])


def pdf_text(client) -> str:
    response = client.get(PDF)
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    return flat(" ".join(page.extract_text() or "" for page in reader.pages))


def docx_text(client) -> str:
    response = client.get(DOCX)
    assert response.status_code == 200
    word = WordDocument(io.BytesIO(response.content))
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    return flat("\n".join([*(p.text for p in word.paragraphs), *cells]))


def readings(client) -> tuple[str, str, str]:
    return page_text(client), pdf_text(client), docx_text(client)


# --- The format ------------------------------------------------------------------------------------------


def test_the_round_trip_is_exact(world):
    document = services.compiled_document(StatusReport.objects.get(year=YEAR))
    stored = json.loads(json.dumps(frozen.to_json(document)))  # as the database gives it back
    again = frozen.from_json(stored)
    assert again == document
    assert frozen.to_json(again) == stored
    assert again.compiled_at == document.compiled_at and again.compiled_at.tzinfo is not None
    assert [f.chart.svg() for f in again.figures() if f.chart] == [f.chart.svg() for f in document.figures() if f.chart]
    assert {type(s.blocks) for s in again.sections} == {tuple}
    assert ("Status", "Utkast") in again.facts
    assert "2025: 8 händelser." in " ".join(b.text for s in again.sections for b in s.blocks if b.kind == "paragraph")


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d.update(version=2), "version"),
        (lambda d: d.pop("title"), "document"),
        (lambda d: d.update(extra="x"), "document"),
        (lambda d: d["sections"][1]["blocks"][0].update(type="picture"), "sections[1].blocks[0]"),
        (lambda d: d["sections"][1]["blocks"][0].update(text=7), "sections[1].blocks[0].text"),
        (lambda d: d["sections"][2]["blocks"].append({"type": "figure", "table": {}, "chart": None}), "table"),
        (lambda d: d.update(compiled_at="2025-03-01T12:00:00"), "compiled_at"),
        (lambda d: d.update(compiled_at="igår"), "compiled_at"),
        (lambda d: d.update(facts=[["Till"]]), "facts[0]"),
    ],
)
def test_unknown_shapes_are_refused_saying_where(world, change, where):
    stored = frozen.to_json(services.compiled_document(StatusReport.objects.get(year=YEAR)))
    broken = copy.deepcopy(stored)
    change(broken)
    with pytest.raises(frozen.FrozenDocumentError) as refused:
        frozen.from_json(broken)
    assert where in str(refused.value)
    assert frozen.from_json(stored) is not None  # the original still reads


def test_what_the_format_cannot_hold_is_refused():
    listed = (Section("Rubrik", "rubrik", [Paragraph("Text")]),)  # a list would come back as a tuple
    with pytest.raises(frozen.FrozenDocumentError, match=r"sections\[0\]\.blocks"):
        frozen.to_json(DocumentData(title="T", subtitle="", sections=listed))
    with pytest.raises(frozen.FrozenDocumentError, match="unknown type: str"):
        frozen.to_json(DocumentData(title="T", subtitle="", sections=(Section("R", "r", ("text",)),)))
    naive = DocumentData(title="T", subtitle="", sections=(), compiled_at=datetime.datetime(2025, 3, 1, 12))
    with pytest.raises(frozen.FrozenDocumentError, match="compiled_at"):
        frozen.to_json(naive)


# --- Finalising freezes ----------------------------------------------------------------------------------


def test_a_final_report_does_not_change_with_the_data_while_a_draft_does(world):
    central = world.client("central_coordinator")
    draft = readings(central)
    for text in draft:
        assert all(expected in text for expected in BEFORE), text
    report = finalise(world)
    assert report.frozen_document["version"] == frozen.VERSION
    final = readings(central)
    assert all("Färdig" in text for text in final)
    change_the_data(world)
    assert readings(central) == final
    for text in final:
        assert all(expected in text for expected in BEFORE) and not any(e in text for e in AFTER)
    assert "De räknas inte om när uppgifterna i portalen ändras." in central.get(PAGE).content.decode()
    # The draft compiles from today's data: the same report, opened again, has the new figures.
    reopen(world)
    for text in readings(central):
        assert all(expected in text for expected in AFTER), text


def test_reopen_clears_the_copy_and_finalising_again_stores_a_new_one(world):
    first = finalise(world).frozen_document
    change_the_data(world)
    reopened = reopen(world)
    assert reopened.frozen_document is None
    assert StatusReport.objects.get(year=YEAR).frozen_document is None
    second = finalise(world).frozen_document
    assert second != first
    text = " ".join(b.text for s in frozen.from_json(second).sections for b in s.blocks if isinstance(b, Paragraph))
    assert all(expected in text for expected in AFTER)


def test_the_board_reader_reads_the_frozen_copy(world):
    finalise(world)
    central_final = readings(world.client("central_coordinator"))
    change_the_data(world)
    board = world.client("board_reader")
    page, pdf, docx = readings(board)
    for text in (page, pdf, docx):
        assert all(expected in text for expected in BEFORE) and not any(e in text for e in AFTER)
    assert (pdf, docx) == central_final[1:]
    assert page == central_final[0]


def test_reading_a_final_report_is_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    finalise(world)
    change_the_data(world)
    for role in ("central_coordinator", "board_reader"):
        client = world.client(role)
        with django_assert_max_num_queries(20):
            assert client.get(PAGE).status_code == 200
        with django_assert_max_num_queries(20):
            assert client.get(DOCX).status_code == 200


# --- Reports finalised before the copy existed -------------------------------------------------------------


def test_a_final_report_without_a_copy_is_frozen_on_its_first_read(world):
    StatusReport.objects.filter(year=YEAR).update(state=StatusReportState.FINAL)  # as before this change
    before = StatusReport.objects.get(year=YEAR)
    assert before.frozen_document is None
    board = world.client("board_reader")
    first = readings(board)
    after = StatusReport.objects.get(year=YEAR)
    assert after.frozen_document is not None
    assert (after.lock_version, after.updated_at) == (before.lock_version, before.updated_at)  # nobody's page stale
    assert AccessLogEntry.objects.filter(action="status_report_frozen", actor_id=None).count() == 1
    change_the_data(world)
    assert readings(board) == first
    assert all(expected in first[0] for expected in BEFORE)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs row locks (PostgreSQL)")
def test_two_first_reads_of_a_report_without_a_copy_at_once_freeze_it_once(world):
    """Two readers open a report finalised before reports were frozen, at the same moment: the row lock
    lets one compile and store; the other finds the copy and serves it. One copy, one log row, the same
    document for both."""
    StatusReport.objects.filter(year=YEAR).update(state=StatusReportState.FINAL)
    barrier, documents, errors = Barrier(2), [], []

    def read() -> None:
        try:
            barrier.wait(timeout=10)
            documents.append(services.frozen_document(StatusReport.objects.get(year=YEAR)))
        except Exception as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(documents) == 2 and documents[0] == documents[1]
    assert AccessLogEntry.objects.filter(action="status_report_frozen").count() == 1
