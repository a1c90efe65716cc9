"""The event track in a real browser: report an incident (with and without JavaScript), see it in the
district's statistics as its coordinator, and axe-core on every incident page (WCAG 2.1 A and AA)."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in_browser
from vbe.incidents.models import Incident, IncidentPhoto

pytestmark = pytest.mark.browser

JARVA = "80132"


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the live server runs in this process and sees it
    return tmp_path / "uploads" / "incidents"


def submit(page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (30, 60, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def fill_report(page, *, description: str) -> None:
    page.get_by_label("Propaganda: klistermärken eller affischer").check()
    page.get_by_label("Våldsbejakande högerextremism").check()
    page.get_by_label("Datum", exact=True).fill((timezone.localdate() - timedelta(days=1)).isoformat())
    page.get_by_label("Beskriv händelsen").fill(description)


def test_staff_reports_an_incident_on_the_map_and_the_coordinator_sees_it(
    page, context, live_server, cast, axe_source, console
):
    sign_in_browser(context, live_server, cast["staff"])
    page.goto("/handelser/rapportera/")
    assert_accessible(page, axe_source, console)  # the empty form

    # Sent empty: the error summary, each error at its field, still accessible.
    submit(page, "Skicka rapporten")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Välj stadsdelsområdet där det hände")
    assert page.title().startswith("Fel: ")
    assert_accessible(page, axe_source, console)

    # With JavaScript the map chooses the district in the list without reloading the page.
    fill_report(page, description="Klistermärken med extremistisk symbol på busskuren.")
    url_before = page.url
    page.locator('#report-map a[aria-label^="Välj Järva"]').click()
    expect(page.get_by_label("Stadsdelsområde", exact=True)).to_have_value(JARVA)
    assert page.url == url_before
    expect(page.get_by_label("Beskriv händelsen")).to_have_value("Klistermärken med extremistisk symbol på busskuren.")
    page.get_by_label("Bilder (frivilligt)").set_input_files(
        {"name": "bild.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    submit(page, "Skicka rapporten")

    incident = Incident.objects.get()
    expect(page.locator("h1")).to_have_text("Händelsen är rapporterad")
    expect(page.locator(".govuk-panel__body")).to_contain_text(incident.reference)
    assert incident.district.code == JARVA and incident.organisation.slug == "jarva"
    assert IncidentPhoto.objects.filter(incident=incident).count() == 1
    assert_accessible(page, axe_source, console)  # the receipt

    page.goto("/handelser/mina/")
    expect(page.get_by_role("link", name=incident.reference)).to_be_visible()
    assert_accessible(page, axe_source, console)

    # Järva's coordinator: the district's statistics count it, and every handling page passes axe.
    context.clear_cookies()
    sign_in_browser(context, live_server, cast["coordinator"])
    page.goto(f"/handelser/statistik/{JARVA}/")
    expect(page.locator(".govuk-body-l")).to_contain_text("1 rapporterade händelser")
    category = page.get_by_role("rowheader", name="Propaganda: klistermärken eller affischer")
    expect(page.locator("tr", has=category)).to_contain_text("1")
    assert_accessible(page, axe_source, console)

    page.goto("/handelser/statistik/")
    expect(page.locator("#chart-districts")).to_be_visible()
    expect(page.locator("tr", has=page.get_by_role("link", name="Järva", exact=True))).to_contain_text("1")
    assert_accessible(page, axe_source, console)

    page.goto("/handelser/")
    with page.expect_navigation():
        page.get_by_role("link", name=incident.reference).click()
    expect(page.get_by_text("Klistermärken med extremistisk symbol på busskuren.")).to_be_visible()
    expect(page.get_by_role("link", name="Ladda ner bild 1")).to_be_visible()
    assert_accessible(page, axe_source, console)

    # Closing without a comment: the status form's error summary, accessible too.
    page.get_by_label("Avslutad").check()
    submit(page, "Spara status")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Skriv en kommentar")
    assert_accessible(page, axe_source, console)
    page.get_by_label("Kommentar").fill("Sanerat av fastighetsägaren.")
    submit(page, "Spara status")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("avslutad")
    assert_accessible(page, axe_source, console)


def test_the_whole_report_works_without_javascript(browser, live_server, cast, axe_source, console):
    """The map's areas are links that reload the form with the district chosen; the rest is a plain form."""
    context = browser.new_context(base_url=live_server.url, locale="sv-SE", java_script_enabled=False)
    try:
        sign_in_browser(context, live_server, cast["staff"])
        page = context.new_page()
        page.goto("/handelser/rapportera/")
        with page.expect_navigation():
            page.locator('#report-map a[aria-label="Välj Södermalm"]').click()
        assert re.search(r"\?omrade=80127#plats$", page.url)
        expect(page.get_by_label("Stadsdelsområde", exact=True)).to_have_value("80127")
        fill_report(page, description="Affischer på anslagstavlan vid tunnelbanan.")
        page.get_by_label("Datum", exact=True).fill("1999-01-01")  # refused: before 2000
        submit(page, "Skicka rapporten")
        expect(page.locator(".govuk-error-summary")).to_contain_text("före år 2000")
        # Everything typed is still there.
        expect(page.get_by_label("Beskriv händelsen")).to_have_value("Affischer på anslagstavlan vid tunnelbanan.")
        expect(page.get_by_label("Stadsdelsområde", exact=True)).to_have_value("80127")
        expect(page.get_by_label("Våldsbejakande högerextremism")).to_be_checked()
        page.get_by_label("Datum", exact=True).fill(timezone.localdate().isoformat())
        submit(page, "Skicka rapporten")
        expect(page.locator("h1")).to_have_text("Händelsen är rapporterad")
        assert Incident.objects.get().organisation.slug == "sodermalm"
    finally:
        context.close()


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("/handelser/", "coordinator"),
        ("/handelser/?month=mars", "coordinator"),  # the filter's error summary
        ("/handelser/", "unit_manager"),
        ("/handelser/mina/", "staff"),
        ("/handelser/statistik/", "central_coordinator"),
        (f"/handelser/statistik/{JARVA}/", "coordinator_other"),
        (f"/handelser/statistik/{JARVA}/?ar=abc", "staff"),  # the period's error summary
    ],
)
def test_incident_pages_with_data_are_accessible(page, context, live_server, cast, axe_source, console, path, role):
    from vbe.incidents.demo import seed_incidents

    seed_incidents(count=80)
    sign_in_browser(context, live_server, cast[role])
    response = page.goto(path)
    assert response.status == 200
    assert_accessible(page, axe_source, console)
