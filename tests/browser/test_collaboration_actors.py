"""The actor register in a real browser: a coordinator registers an actor through the form (an error
first, what was typed kept), reads its page, adds a link to a grant and finds it in the register.
Every page passes axe-core at 1280 px and at 375 px and never scrolls sideways at 375 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in_browser
from tests.browser.test_knowledge_contacts import check, open_page
from vbe.collaboration.models import Actor, ActorLink
from vbe.collaboration.tests.test_org_number import valid, wrong

pytestmark = pytest.mark.browser

NUMBER = valid("802000000")


def test_a_coordinator_registers_an_actor_and_links_a_grant(page, context, live_server, cast, axe_source, console):
    sign_in_browser(context, live_server, cast["coordinator"])
    open_page(page, "/samverkan/aktorer/")
    expect(page.get_by_text("Åsikter i sig är aldrig skäl att neka bidrag eller lokaler.")).to_be_visible()
    check(page, axe_source, console)

    with page.expect_navigation():
        page.get_by_role("link", name="Registrera aktör").click()
    check(page, axe_source, console)

    # A wrong check digit and a personnummer-like address: the error summary, what was typed kept.
    page.get_by_label("Namn", exact=True).fill("Föreningen Webbtest")
    page.get_by_label("Organisationsnummer (frivilligt)").fill(wrong("802000000"))
    page.get_by_label("Ideell förening").check()
    page.get_by_label("E-postadress (frivillig)").fill("info@webbtest.example")
    page.get_by_label("Adress (frivillig)", exact=True).fill("Box 199001012385")
    with page.expect_navigation():
        page.get_by_role("button", name="Registrera aktören").click()
    assert page.title().startswith("Fel: ")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("kontrollsiffran")
    expect(summary).to_contain_text("personnummer")
    expect(page.get_by_label("Namn", exact=True)).to_have_value("Föreningen Webbtest")
    expect(page.get_by_label("Ideell förening")).to_be_checked()
    check(page, axe_source, console)
    assert not Actor.objects.exists()

    page.get_by_label("Organisationsnummer (frivilligt)").fill(NUMBER)
    page.get_by_label("Adress (frivillig)", exact=True).fill("Box 12, 163 00 Spånga")
    with page.expect_navigation():
        page.get_by_role("button", name="Registrera aktören").click()
    actor = Actor.objects.get()
    assert page.url.endswith(f"/samverkan/aktorer/{actor.pk}/")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Aktören Föreningen Webbtest är registrerad.")
    expect(page.locator("h1")).to_have_text("Föreningen Webbtest")
    expect(page.get_by_text(f"{NUMBER[:6]}-{NUMBER[6:]}")).to_be_visible()
    check(page, axe_source, console)

    with page.expect_navigation():
        page.get_by_role("link", name="Lägg till koppling").click()
    check(page, axe_source, console)
    page.get_by_label("Nämnd eller bolag").select_option(label="Järva stadsdelsnämnd")
    page.get_by_label("Bidrag").check()
    page.get_by_label("Referens").fill("JARVA 2026/77")
    page.get_by_label("Beskrivning (frivillig)").fill("Verksamhetsbidrag för läxhjälp")
    page.get_by_label("Från (frivilligt)").fill("2026-01-01")
    page.get_by_label("Till (frivilligt)").fill("2026-12-31")
    with page.expect_navigation():
        page.get_by_role("button", name="Lägg till kopplingen").click()
    assert ActorLink.objects.get().reference == "JARVA 2026/77"
    expect(page.get_by_role("cell", name="JARVA 2026/77", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Ta bort kopplingen JARVA 2026/77")).to_be_visible()
    check(page, axe_source, console)

    open_page(page, "/samverkan/aktorer/?sok=webbtest")
    expect(page.get_by_role("link", name="Föreningen Webbtest")).to_be_visible()
    check(page, axe_source, console)
