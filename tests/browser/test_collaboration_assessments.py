"""The democracy-condition assessments in a real browser: Järva's coordinator sees what others have
decided, starts an assessment, answers the criteria and decides; the education board's coordinator
reads the decision but not the working notes. Every page passes axe-core at 1280 px and 375 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ConsoleLog, assert_accessible, sign_in_browser
from vbe.collaboration.models import Assessment, Decision
from vbe.collaboration.tests.assessments_fixtures import decide, fill, make_actor, start

pytestmark = pytest.mark.browser

WIDE, NARROW = 1280, 375
NOTES = "Stadgar och verksamhetsberättelse 2025"


def check(page, axe_source: str, console: ConsoleLog) -> None:
    """axe-core at 1280 px and 375 px, and no sideways scrolling of the page itself at 375 px."""
    page.set_viewport_size({"width": WIDE, "height": 900})
    assert_accessible(page, axe_source, console)
    page.set_viewport_size({"width": NARROW, "height": 900})
    page.wait_for_function("(w) => window.innerWidth === w", arg=NARROW)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} rullar i sidled vid {NARROW} px ({overflow} px)"
    page.set_viewport_size({"width": WIDE, "height": 900})


def open_page(page, path: str, status: int = 200):
    response = page.goto(path)
    assert response is not None and response.status == status, f"{path}: {response and response.status}"
    return response


def test_a_coordinator_assesses_and_another_board_reads_the_decision(
    page, context, browser, live_server, cast, axe_source, console
):
    actor = make_actor("Föreningen Gemenskap", created_by=cast["coordinator"])
    other = cast["coordinator_other"]
    decide(other, fill(other, start(other, actor, "sodermalm"), evidence="SODERMALMS-ANTECKNING"))

    sign_in_browser(context, live_server, cast["coordinator"])
    open_page(page, f"/samverkan/aktorer/{actor.pk}/bedomningar/ny/")
    expect(page.get_by_role("heading", name="Har någon annan redan bedömt aktören?")).to_be_visible()
    expect(page.get_by_role("cell", name="Södermalm stadsdelsnämnd")).to_be_visible()
    assert "SODERMALMS-ANTECKNING" not in page.content()
    check(page, axe_source, console)
    page.get_by_label("Nämnd eller bolag som bedömer").select_option(label="Järva stadsdelsnämnd")
    page.get_by_label("Bidrag", exact=True).check()
    page.get_by_role("button", name="Påbörja bedömningen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Underlag och kriterier")
    check(page, axe_source, console)
    page.get_by_label("Underlag").fill(NOTES)
    for n in range(1, 6):
        criterion = page.get_by_role("group", name=f"Kriterium {n}", exact=True)
        criterion.get_by_label("Uppfyllt", exact=True).check()
    page.get_by_role("group", name="Kriterium 1", exact=True).get_by_label("Anteckning").fill("Inga tecken på våld.")
    page.get_by_role("button", name="Spara bedömningen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Bedömning av demokrativillkoret (utkast)")
    expect(page.get_by_text(NOTES)).to_be_visible()
    check(page, axe_source, console)
    page.get_by_role("link", name="Registrera beslut").click()
    expect(page.get_by_text("Åsikter i sig är aldrig skäl att neka.")).to_be_visible()
    check(page, axe_source, console)
    page.get_by_label("Uppfyller demokrativillkoret", exact=True).check()
    page.get_by_label("Beslutande organ").fill("Järva stadsdelsnämnd")
    page.get_by_role("button", name="Registrera beslutet").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Beslut om demokrativillkoret")
    expect(page.get_by_role("button", name="Förnya bedömningen")).to_be_visible()
    check(page, axe_source, console)
    assessment = Assessment.objects.get(actor=actor, organisation__slug="jarva")
    assert assessment.decision == Decision.MEETS and assessment.evidence == NOTES

    open_page(page, "/samverkan/bedomningar/?visa=beslutade")
    expect(page.get_by_role("link", name="Föreningen Gemenskap")).to_be_visible()
    check(page, axe_source, console)
    open_page(page, "/samverkan/kriterier/")
    check(page, axe_source, console)

    board = browser.new_context(base_url=live_server.url, locale="sv-SE")
    try:
        sign_in_browser(board, live_server, cast["coordinator_board"])
        reader = board.new_page()
        reader.on("console", console.on_console)
        reader.on("pageerror", lambda error: console.page_errors.append(str(error)))
        open_page(reader, f"/samverkan/bedomningar/{assessment.pk}/")
        expect(reader.get_by_text("Uppfyller demokrativillkoret").first).to_be_visible()
        expect(reader.get_by_text("Järva stadsdelsnämnd").first).to_be_visible()
        assert NOTES not in reader.content() and "Inga tecken på våld." not in reader.content()
        check(reader, axe_source, console)
        open_page(reader, f"/samverkan/aktorer/{actor.pk}/")
        expect(reader.get_by_role("heading", name="Demokrativillkoret")).to_be_visible()
        assert NOTES not in reader.content() and "SODERMALMS-ANTECKNING" not in reader.content()
        check(reader, axe_source, console)
    finally:
        board.close()
