"""The symbol guide in a real browser: from the guide to an entry, from its report button to an incident
form pre-filled with the symbol, and the keeper's forms; axe-core on every page (WCAG 2.1 A and AA)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in_browser
from tests.browser.test_incidents import png_bytes, submit
from vbe.guidelines.vocabulary import Environment
from vbe.incidents import symbols, uploads
from vbe.incidents.models import Incident
from vbe.incidents.tests.factories import make_incident

pytestmark = pytest.mark.browser

JARVA = "80132"


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the live server runs in this process and sees it
    settings.UPLOAD_ROOT = settings.MEDIA_ROOT = tmp_path / "uploads"
    return tmp_path / "uploads" / "incidents"


def make_entry(cast):
    keeper = cast["central_coordinator"]
    symbol = symbols.create_symbol(
        actor=keeper,
        name="Tyr-runan",
        environment=Environment.RIGHT_WING,
        description="En runa som liknar en pil som pekar uppåt.",
        what_to_do="Titta efter en webbadress på klistermärket och skriv den i rapporten.",
    )
    image = uploads.sanitise(SimpleUploadedFile("runa.png", png_bytes(), "image/png"))
    symbols.add_image(actor=keeper, symbol_id=symbol.pk, image=image, alt_text="Blå yta som visar var bilden hamnar")
    symbols.create_symbol(
        actor=keeper, name="Svart flagga", environment=Environment.ISLAMIST, description="En svart flagga med text."
    )
    for _ in range(6):  # seen six times in Järva: a figure that is shown
        make_incident(reporter=cast["staff"], district_code=JARVA, symbol=symbol)
    return symbol


def test_from_the_guide_to_a_pre_filled_report(page, context, live_server, cast, axe_source, console):
    symbol = make_entry(cast)
    sign_in_browser(context, live_server, cast["staff"])
    page.goto("/stod/symboler/")
    expect(page.get_by_role("img", name="Blå yta som visar var bilden hamnar")).to_be_visible()
    assert_accessible(page, axe_source, console)

    # The filter, an ordinary GET form.
    page.get_by_label("Miljö").select_option(Environment.ISLAMIST)
    submit(page, "Filtrera")
    expect(page.get_by_role("link", name="Svart flagga")).to_be_visible()
    expect(page.get_by_role("link", name="Tyr-runan")).to_have_count(0)
    assert_accessible(page, axe_source, console)

    page.goto("/stod/symboler/")
    with page.expect_navigation():
        page.get_by_role("link", name="Tyr-runan").click()
    expect(page.locator("h1")).to_contain_text("Tyr-runan")
    picture = page.get_by_role("img", name="Blå yta som visar var bilden hamnar")
    expect(picture).to_be_visible()
    assert picture.evaluate("img => img.naturalWidth") == 60  # served by the image view
    expect(page.get_by_text("Titta efter en webbadress på klistermärket")).to_be_visible()
    expect(page.locator("tr", has=page.get_by_role("rowheader", name="Hela staden"))).to_contain_text("6")
    assert_accessible(page, axe_source, console)

    with page.expect_navigation():
        page.get_by_role("link", name="Rapportera en händelse med den här symbolen").click()
    assert page.url.endswith("/handelser/rapportera/?symbol=tyr-runan")
    expect(page.locator(".govuk-inset-text", has_text="Du rapporterar en händelse med symbolen")).to_be_visible()
    expect(page.get_by_label("Symbol från symbolguiden (frivilligt)")).to_have_value("tyr-runan")
    expect(page.get_by_label("Våldsbejakande högerextremism")).to_be_checked()
    assert_accessible(page, axe_source, console)

    page.get_by_label("Stadsdelsområde", exact=True).select_option(JARVA)
    page.get_by_label("Klotter eller symboler").check()
    page.get_by_label("Datum", exact=True).fill((timezone.localdate() - timedelta(days=1)).isoformat())
    page.get_by_label("Beskriv händelsen").fill("En runa målad på en elskåp vid skolan.")
    submit(page, "Skicka rapporten")
    expect(page.locator("h1")).to_have_text("Händelsen är rapporterad")
    assert Incident.objects.exclude(symbol=None).filter(description__startswith="En runa målad").get().symbol == symbol

    # Järva's coordinator reads the incident, with a link back to the guide's entry.
    context.clear_cookies()
    sign_in_browser(context, live_server, cast["coordinator"])
    incident = Incident.objects.get(description__startswith="En runa målad")
    page.goto(f"/handelser/{incident.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Tyr-runan").click()
    assert page.url.endswith("/stod/symboler/tyr-runan/")
    assert_accessible(page, axe_source, console)


def test_the_keepers_forms_are_accessible_with_their_errors(page, context, live_server, cast, axe_source, console):
    make_entry(cast)
    sign_in_browser(context, live_server, cast["central_coordinator"])
    page.goto("/stod/symboler/ny/")
    assert_accessible(page, axe_source, console)
    page.get_by_label("Namn").fill("Keltiskt kors")
    submit(page, "Spara symbolen")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Välj miljö.")
    expect(page.get_by_label("Namn")).to_have_value("Keltiskt kors")
    assert_accessible(page, axe_source, console)

    page.goto("/stod/symboler/tyr-runan/bilder/ny/")
    page.get_by_label("Bild", exact=True).set_input_files(
        {"name": "bild.png", "mimeType": "image/png", "buffer": b"not an image at all"}
    )
    page.get_by_label("Bildbeskrivning").fill("Grön runa")
    submit(page, "Ladda upp bilden")
    expect(page.locator(".govuk-error-summary")).to_contain_text("inte en bild")
    expect(page.get_by_label("Bildbeskrivning")).to_have_value("Grön runa")
    assert_accessible(page, axe_source, console)

    page.goto("/stod/symboler/tyr-runan/")
    expect(page.get_by_role("button", name="Ta bort bild 1")).to_be_visible()
    assert_accessible(page, axe_source, console)
