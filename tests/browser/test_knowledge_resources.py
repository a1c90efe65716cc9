"""Support resources in a real browser: a coordinator writes a resource through the form (an error
first, with what was typed kept), reads it rendered, changes it, and compares the two versions. Every
page passes axe-core at 1280 px and at 375 px and never scrolls sideways at 375 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in_browser
from tests.browser.test_competence import check, open_page
from vbe.knowledge.models import Resource

pytestmark = pytest.mark.browser

BODY = "# Så gör du\n\n1. Ring **112** vid akut fara.\n2. Kontakta samordnaren.\n\n<script>alert(1)</script>"


def test_a_coordinator_writes_reads_changes_and_compares_a_resource(
    page, context, live_server, cast, axe_source, console
):
    sign_in_browser(context, live_server, cast["coordinator"])
    open_page(page, "/stod/ny/")
    check(page, axe_source, console)

    # An external link without an address: the error summary, what was typed kept.
    page.get_by_label("Extern länk").check()
    page.get_by_label("Rubrik", exact=True).fill("Rutin för fritidsgården")
    page.get_by_label("Text").fill(BODY)
    with page.expect_navigation():
        page.get_by_role("button", name="Spara stödmaterialet").click()
    assert page.title().startswith("Fel: ")
    expect(page.locator(".govuk-error-summary")).to_contain_text("En extern länk behöver en webbadress.")
    page.wait_for_function("document.activeElement && document.activeElement.classList.contains('govuk-error-summary')")
    expect(page.get_by_label("Rubrik", exact=True)).to_have_value("Rutin för fritidsgården")
    check(page, axe_source, console)
    assert not Resource.objects.filter(key="").exists()  # the city's routines aside

    page.get_by_label("Rutin", exact=True).check()
    page.get_by_label("Ägare").select_option(label="Järva stadsdelsnämnd")
    page.get_by_label("Lokal samordnare").check()
    page.get_by_label("4. Kunskap om våldsbejakande extremism och hur man ska agera vid oro").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Spara stödmaterialet").click()
    resource = Resource.objects.get(key="")
    assert page.url.endswith(f"/stod/{resource.pk}/")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("är sparat som version 1")
    expect(page.locator("h1")).to_have_text("Rutin för fritidsgården")
    expect(page.get_by_role("heading", name="Så gör du", level=2)).to_be_visible()
    expect(page.locator(".app-resource-body strong")).to_have_text("112")
    expect(page.locator(".app-resource-body")).to_contain_text("<script>alert(1)</script>")  # shown, not run
    expect(
        page.get_by_role("link", name="4. Kunskap om våldsbejakande extremism och hur man ska agera vid oro")
    ).to_be_visible()
    check(page, axe_source, console)

    with page.expect_navigation():
        page.get_by_role("link", name="Ändra stödmaterialet").click()
    check(page, axe_source, console)
    page.get_by_label("Text").fill(BODY.replace("Kontakta samordnaren.", "Rapportera till samordnaren i portalen."))
    page.get_by_label("Vad ändrades? (frivilligt)").fill("Rapportera i portalen")
    with page.expect_navigation():
        page.get_by_role("button", name="Spara stödmaterialet").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("är sparat som version 2")

    with page.expect_navigation():
        page.get_by_role("link", name="Visa historiken").click()
    expect(page.get_by_role("cell", name="Rapportera i portalen")).to_be_visible()
    check(page, axe_source, console)

    with page.expect_navigation():
        page.get_by_role("button", name="Jämför versionerna").click()
    assert page.url.endswith(f"/stod/{resource.pk}/historik/1/2/")
    expect(page.locator("del").first).to_have_text("2. Kontakta samordnaren.")
    expect(page.locator("ins").first).to_have_text("2. Rapportera till samordnaren i portalen.")
    expect(page.get_by_text("Tillagt:").first).to_be_visible()
    expect(page.get_by_text("Borttaget:").first).to_be_visible()
    check(page, axe_source, console)


def test_a_member_of_staff_reads_but_does_not_keep(page, context, live_server, cast, axe_source, console):
    from vbe.knowledge.reference import load_resources

    load_resources()
    sign_in_browser(context, live_server, cast["staff"])
    open_page(page, "/oro/")
    with page.expect_navigation():
        page.get_by_role("link", name="Stadens rutin vid oro för en individ eller en händelse").click()
    expect(page.locator("h1")).to_have_text("Stadens rutin vid oro för en individ eller en händelse")
    expect(page.get_by_role("link", name="Ändra stödmaterialet")).to_have_count(0)
    check(page, axe_source, console)
