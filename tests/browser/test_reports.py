"""Compliance, coverage and the status report in a real browser, as the central coordinator:
axe-core (WCAG 2.1 A and AA) on every page, the year chooser, and the status report's forms."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in_browser
from vbe.reports.models import StatusReport, StatusReportState
from vbe.reports.tests.factories import follow_up, make_plan, report_duties

pytestmark = pytest.mark.browser

YEAR = timezone.localdate().year


@pytest.fixture
def plans(cast):
    make_plan(actor=cast["coordinator"], slug="jarva", year=YEAR, measures=[1, 2], state="decided")
    make_plan(actor=cast["coordinator_other"], slug="sodermalm", year=YEAR, measures=[3])
    board = make_plan(
        actor=cast["coordinator_board"],
        slug="utbildningsnamnden",
        year=YEAR - YEAR % 2,
        measures=[1, 4],
        state="decided",
    )
    follow_up(board, actor=cast["coordinator_board"], year=YEAR, count=1)
    report_duties(actor=cast["coordinator"], slug="jarva", year=YEAR)


def submit(page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


def test_compliance_drill_down_and_coverage(page, context, live_server, cast, plans, axe_source, console):
    sign_in_browser(context, live_server, cast["central_coordinator"])
    page.goto("/rapporter/")
    assert_accessible(page, axe_source, console)

    page.get_by_role("link", name="Efterlevnad").click()
    expect(page.locator("h1")).to_have_text(f"Efterlevnad {YEAR}")
    expect(page.get_by_role("table", name="Stadsdelsnämnder")).to_be_visible()
    assert_accessible(page, axe_source, console)

    # The year chooser works without script: a GET form.
    page.get_by_label("År").select_option(str(YEAR - 1))
    submit(page, "Visa året")
    expect(page.locator("h1")).to_have_text(f"Efterlevnad {YEAR - 1}")
    page.goto(f"/rapporter/efterlevnad/?ar={YEAR}")

    # Each status is a link to what lies behind it.
    with page.expect_navigation():
        page.get_by_role(
            "link", name=re.compile(r"^Beslutad\W+Lägesbild och åtgärdsplan, Järva stadsdelsnämnd$")
        ).click()
    expect(page.locator("h1")).to_have_text("Järva stadsdelsnämnd")
    expect(page.locator("#krav-atgardsplan")).to_contain_text("Beslutad")
    assert_accessible(page, axe_source, console)

    page.goto(f"/rapporter/efterlevnad/{YEAR}/utbildningsnamnden/")
    expect(page.locator("#krav-uppfoljning")).to_contain_text("Åtgärd 2 inom område 4")
    assert_accessible(page, axe_source, console)

    page.goto("/rapporter/tackning/")
    expect(page.locator("h1")).to_have_text(f"Täckning av riktlinjernas områden {YEAR}")
    jarva = page.locator("tr", has=page.get_by_role("rowheader", name="Järva stadsdelsnämnd"))
    expect(jarva).to_contain_text("Saknar åtgärd")
    assert_accessible(page, axe_source, console)


def test_status_report_list_create_and_edit(page, context, live_server, cast, plans, axe_source, console):
    sign_in_browser(context, live_server, cast["central_coordinator"])
    page.goto("/rapporter/nulagesrapport/")
    assert_accessible(page, axe_source, console)

    # An even year is refused with a clear message at the field.
    page.get_by_label("År").fill("2026")
    submit(page, "Skapa utkast")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Nulägesrapporten tas fram varje ojämnt år. Välj 2025 eller 2027."
    )
    assert page.title().startswith("Fel: ")
    assert_accessible(page, axe_source, console)

    page.get_by_label("År").fill("2025")
    submit(page, "Skapa utkast")
    expect(page.locator("h1")).to_have_text("Nulägesrapport om arbetet mot våldsbejakande extremism 2025")
    expect(page.get_by_role("heading", name="Rapporterade händelser 2024–2025")).to_be_visible()
    assert_accessible(page, axe_source, console)

    page.get_by_role("textbox", name="Sammanfattning").fill("Stadsdelarna har kommit långt.")
    page.get_by_role("textbox", name="Analys av läget").fill("Analys.")
    page.get_by_role("textbox", name="Slutsatser och fortsatt arbete").fill("Slutsatser.")
    submit(page, "Spara texterna")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Texterna är sparade.")
    expect(page.locator("#avsnitt-sammanfattning")).to_contain_text("Stadsdelarna har kommit långt.")
    assert_accessible(page, axe_source, console)

    submit(page, "Färdigställ rapporten")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("färdigställd")
    assert StatusReport.objects.get(year=2025).state == StatusReportState.FINAL
    assert_accessible(page, axe_source, console)

    with page.expect_download() as download:
        page.get_by_role("link", name="PDF (tillgänglighetsanpassad)").click()
    assert download.value.suggested_filename == "nulagesrapport-2025.pdf"
