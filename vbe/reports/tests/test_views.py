"""The pages: the central coordinator's happy paths, refusals, bad input, and the database after."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from vbe.audit.models import AccessLogEntry
from vbe.reports.forms import STATE_BROKEN
from vbe.reports.models import StatusReport, StatusReportState
from vbe.reports.tests.factories import make_plan

THIS_YEAR = timezone.localdate().year


@pytest.fixture
def plan(cast):
    return make_plan(
        actor=cast["coordinator"], slug="jarva", year=THIS_YEAR, measures=[1, (2, '=HYPERLINK("http://x","y")')]
    )


# --- Compliance and coverage --------------------------------------------------------------------


def test_compliance_page_shows_statuses_with_drill_down_links(central, plan):
    response = central.get("/rapporter/efterlevnad/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Efterlevnad {THIS_YEAR}" in html
    assert f'href="/rapporter/efterlevnad/{THIS_YEAR}/jarva/#krav-atgardsplan"' in html
    assert "Utkast" in html and "Stadsdelsnämnder" in html
    assert '<th scope="col" class="govuk-table__header">Lägesbild och åtgärdsplan</th>' in html


@pytest.mark.parametrize("value", ["abc", "", "99999", "2025.5", "-3", "1e3", "２０２５"])
def test_year_chooser_falls_back_to_this_year_on_bad_values(central, value):
    for path in ("/rapporter/efterlevnad/", "/rapporter/tackning/"):
        response = central.get(f"{path}?ar={value}")
        assert response.status_code == 200
        assert response.context["year"] == THIS_YEAR


def test_year_chooser_takes_a_year(central):
    response = central.get("/rapporter/efterlevnad/?ar=2025")
    assert response.context["year"] == 2025
    assert "Efterlevnad 2025" in response.content.decode()


def test_drill_down(central, plan):
    response = central.get(f"/rapporter/efterlevnad/{THIS_YEAR}/jarva/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="krav-atgardsplan"' in html and 'id="krav-samordnare"' in html
    assert f"/rapporter/planer/{plan.pk}.pdf" in html
    assert "coordinator@test.example" in html  # the coordinator in place


@pytest.mark.parametrize(
    "path",
    [
        f"/rapporter/efterlevnad/{THIS_YEAR}/finns-inte/",
        f"/rapporter/efterlevnad/{THIS_YEAR}/forskolenamnden/",  # owes nothing under the guideline
        "/rapporter/efterlevnad/1999/jarva/",
        "/rapporter/efterlevnad/99999/jarva/",
        "/rapporter/efterlevnad/99999.xlsx",
        "/rapporter/tackning/0.xlsx",
    ],
)
def test_not_found(central, path):
    assert central.get(path).status_code == 404


def test_coverage_page(central, plan):
    response = central.get(f"/rapporter/tackning/?ar={THIS_YEAR}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Saknar åtgärd" in html
    assert '<th scope="row" class="govuk-table__header">Totalt</th>' in html


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return load_workbook(io.BytesIO(response.content)).worksheets[0]


def test_compliance_xlsx_neutralises_formulas(central, plan):
    sheet = _sheet(central.get(f"/rapporter/efterlevnad/{THIS_YEAR}.xlsx"))
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Organisation", "Typ", "Lokal samordnare"]
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "B2"
    # A plan whose title is a formula comes out as text.
    plan.title = '=HYPERLINK("http://evil.example","klicka")'
    plan.save()
    sheet = _sheet(central.get(f"/rapporter/efterlevnad/{THIS_YEAR}.xlsx"))
    column = [c.value for c in sheet[1]].index("Plan (rubrik)") + 1
    titles = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=column) for r in range(2, sheet.max_row + 1)}
    cell = titles["Järva stadsdelsnämnd"]
    assert cell.value == "'" + plan.title
    assert cell.data_type == "s"
    assert AccessLogEntry.objects.filter(action="compliance_exported", object_id=str(THIS_YEAR)).count() == 2


def test_coverage_xlsx(central, plan):
    sheet = _sheet(central.get(f"/rapporter/tackning/{THIS_YEAR}.xlsx"))
    rows = {r[0].value: [c.value for c in r] for r in sheet.iter_rows(min_row=2)}
    jarva = rows["Järva stadsdelsnämnd"]
    assert jarva[1:8] == [1, 1, 0, 0, 0, 0, 0]
    assert jarva[8] == 2
    assert jarva[9].startswith("3. Samverkan med det civila samhället")
    assert rows["Totalt"][8] == 2
    assert sheet.freeze_panes == "B2"


# --- The status report ----------------------------------------------------------------------------


def test_create_a_draft_for_an_odd_year(central, cast):
    response = central.post("/rapporter/nulagesrapport/", {"year": "2027"})
    assert response.status_code == 302 and response["Location"] == "/rapporter/nulagesrapport/2027/"
    report = StatusReport.objects.get(year=2027)
    assert report.state == StatusReportState.DRAFT
    assert report.created_by == cast["central_coordinator"] == report.updated_by
    assert AccessLogEntry.objects.filter(action="status_report_created", object_id=str(report.pk)).exists()


@pytest.mark.parametrize(
    ("year", "message"),
    [
        ("2026", "Nulägesrapporten tas fram varje ojämnt år. Välj 2025 eller 2027."),
        ("", "Ange vilket år rapporten gäller."),
        ("tjugo", "Skriv året med fyra siffror"),
        ("1899", "Ange ett år mellan 2000 och 2100."),
        ("99999999999999999999", "Ange ett år mellan"),
    ],
)
def test_create_refuses_bad_years(central, year, message):
    response = central.post("/rapporter/nulagesrapport/", {"year": year})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.content.decode().count('class="govuk-error-summary"') == 1
    assert not StatusReport.objects.exists()


def test_create_refuses_a_second_report_for_the_year(central):
    central.post("/rapporter/nulagesrapport/", {"year": "2025"})
    response = central.post("/rapporter/nulagesrapport/", {"year": "2025"})
    assert "Det finns redan en nulägesrapport för 2025." in response.content.decode()
    assert StatusReport.objects.count() == 1


@pytest.fixture
def report(cast):
    actor = cast["central_coordinator"]
    return StatusReport.objects.create(year=2025, created_by=actor, updated_by=actor)


def test_status_report_page_shows_the_compiled_draft(central, report, plan):
    response = central.get("/rapporter/nulagesrapport/2025/")
    assert response.status_code == 200
    html = response.content.decode()
    for heading in (
        "Sammanfattning",
        "Samordnare, planer och uppföljning 2025",
        "Rapporterade händelser 2024–2025",
        "Utbildning",
    ):
        assert heading in html
    assert 'role="img"' in html  # the charts, each with its table
    assert "Det finns ännu inga uppgifter om utbildning i portalen." in html
    assert "/rapporter/nulagesrapport/2025.pdf" in html


def test_status_report_of_a_year_without_one_is_not_found(central):
    assert central.get("/rapporter/nulagesrapport/2027/").status_code == 404
    assert central.get("/rapporter/nulagesrapport/2026/").status_code == 404


def _texts(report, **overrides):
    data = {
        "lock_version": report.lock_version,
        "summary": "Kort om läget.",
        "analysis": "Analys.",
        "conclusions": "Slutsats.",
    }
    return {**data, **overrides}


def test_edit_the_narrative(central, report):
    response = central.post(
        "/rapporter/nulagesrapport/2025/", _texts(report, summary="  Första stycket.\n\nAndra stycket. ")
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.summary == "Första stycket.\n\nAndra stycket."
    assert report.lock_version == 2
    html = central.get("/rapporter/nulagesrapport/2025/").content.decode()
    assert '<p class="govuk-body">Första stycket.</p>' in html


def test_a_stale_edit_is_refused_and_keeps_the_text(central, report):
    central.post("/rapporter/nulagesrapport/2025/", _texts(report))
    response = central.post("/rapporter/nulagesrapport/2025/", _texts(report, analysis="Min version."))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Rapporten har ändrats av någon annan" in html
    assert "Min version." in html
    report.refresh_from_db()
    assert report.analysis == "Analys."


def test_finalise_needs_the_texts_then_locks_them(central, report):
    response = central.post("/rapporter/nulagesrapport/2025/status/", {"state-lock_version": 1, "state-to": "final"})
    assert response.status_code == 400
    assert "Skriv sammanfattning, analys av läget, slutsatser och fortsatt arbete innan" in response.content.decode()
    report.refresh_from_db()
    assert report.state == StatusReportState.DRAFT  # refused: no texts yet
    central.post("/rapporter/nulagesrapport/2025/", _texts(report))
    central.post("/rapporter/nulagesrapport/2025/status/", {"state-lock_version": 2, "state-to": "final"})
    report.refresh_from_db()
    assert report.state == StatusReportState.FINAL and report.finalised_at is not None
    response = central.post("/rapporter/nulagesrapport/2025/", _texts(report, summary="Ändrad."))
    assert "Rapporten är färdigställd och låst." in response.content.decode()
    report.refresh_from_db()
    assert report.summary == "Kort om läget."
    central.post("/rapporter/nulagesrapport/2025/status/", {"state-lock_version": 3, "state-to": "draft"})
    report.refresh_from_db()
    assert report.state == StatusReportState.DRAFT and report.finalised_at is None


def test_state_change_with_bad_input_changes_nothing(central, report):
    for data in ({}, {"state-lock_version": "x", "state-to": "final"}, {"state-lock_version": 1, "state-to": "bogus"}):
        response = central.post("/rapporter/nulagesrapport/2025/status/", data)
        assert response.status_code == 400
        assert response.content.decode().count(str(STATE_BROKEN)) == 1  # one message, in the error summary
    report.refresh_from_db()
    assert report.state == StatusReportState.DRAFT and report.lock_version == 1


@pytest.mark.parametrize(
    ("suffix", "content_type"), [("pdf", "application/pdf"), ("docx", "officedocument.wordprocessingml")]
)
def test_downloads_are_logged(central, report, suffix, content_type):
    response = central.get(f"/rapporter/nulagesrapport/2025.{suffix}")
    assert response.status_code == 200
    assert content_type in response["Content-Type"]
    assert response["Content-Disposition"] == f'attachment; filename="nulagesrapport-2025.{suffix}"'
    entry = AccessLogEntry.objects.get(action="status_report_exported")
    assert (entry.object_type, entry.object_id, entry.detail) == ("reports.statusreport", str(report.pk), suffix)
    assert entry.actor_email == "central_coordinator@test.example"


# The board reader reads final reports (a draft is not found): vbe/portal/tests/test_start_oversight.py.
@pytest.mark.parametrize("role", ["coordinator", "admin", "auditor", "staff"])
def test_others_are_refused(cast, report, role):
    client = cast.client(role)
    for path in ("/rapporter/efterlevnad/", "/rapporter/nulagesrapport/2025/", "/rapporter/nulagesrapport/2025.pdf"):
        assert client.get(path).status_code == 403
    assert client.post("/rapporter/nulagesrapport/", {"year": "2027"}).status_code == 403
    assert client.post("/rapporter/nulagesrapport/2025/", _texts(report)).status_code == 403
    report.refresh_from_db()
    assert report.lock_version == 1 and not StatusReport.objects.filter(year=2027).exists()


# --- Plan documents -----------------------------------------------------------------------------------


def test_plan_documents_follow_the_plan_rule(cast, plan):
    for role, status in [
        ("coordinator", 200),
        ("central_coordinator", 200),
        ("coordinator_other", 404),
        ("board_reader", 404),
    ]:
        assert cast.client(role).get(f"/rapporter/planer/{plan.pk}.pdf").status_code == status, role
    response = cast.client("coordinator").get(f"/rapporter/planer/{plan.pk}.docx")
    assert response["Content-Disposition"] == f'attachment; filename="plan-jarva-{THIS_YEAR}-v1.docx"'
    assert AccessLogEntry.objects.filter(action="plan_exported", object_id=str(plan.pk)).count() == 3
    assert cast.client("central_coordinator").get("/rapporter/planer/999999.pdf").status_code == 404


def test_a_narrative_post_without_its_version_changes_nothing(central, report):
    data = _texts(report)
    del data["lock_version"]
    response = central.post("/rapporter/nulagesrapport/2025/", data)
    assert response.status_code == 400
    assert "Ladda om sidan och försök igen." in response.content.decode()
    report.refresh_from_db()
    assert report.summary == "" and report.lock_version == 1
