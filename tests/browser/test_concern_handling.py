"""Issue 7 items 3 and 12 in the browser: the child-report warning and close form, and withdrawing a
disclosure, with their error states checked by axe (which needs JavaScript)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ConsoleLog, assert_accessible, sign_in_browser
from vbe.concerns import sharing
from vbe.concerns.models import Concern, State
from vbe.concerns.tests.conftest import submit_test_concern
from vbe.organisations.models import Organisation

pytestmark = pytest.mark.browser


def _submit(page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button).first.click()


def test_a_child_concern_is_closed_with_its_orosanmalan_recorded(
    page, context, live_server, cast, reference_data, axe_source
):
    concern = submit_test_concern(cast, "child", concerns_child="yes", child_report_made="yes")
    sign_in_browser(context, live_server, cast["coordinator"])
    page.goto(f"/oro/arenden/{concern.reference}/")
    assert "Ingen orosanmälan är registrerad" in page.locator(".govuk-warning-text").inner_text()

    page.locator("summary", has_text="Avsluta ärendet").click()
    page.get_by_label("Insatser genomförda").check()
    _submit(page, "Avsluta ärendet")
    assert "Ange om en orosanmälan har gjorts" in page.content()
    assert_accessible(page, axe_source, ConsoleLog())

    page.get_by_label("Ja, en orosanmälan har gjorts").check()
    page.get_by_label("Vem gjorde orosanmälan?", exact=True).fill("Mentor")
    page.get_by_label("När gjordes orosanmälan?").fill("2026-11-02")
    page.get_by_label("Till vilket stadsdelsområdes socialtjänst?").select_option(
        str(Organisation.objects.get(slug="jarva").district_id)
    )
    _submit(page, "Avsluta ärendet")
    assert Concern.objects.get(pk=concern.pk).state == State.CLOSED
    assert "Ingen orosanmälan är registrerad" not in page.content()


def test_a_disclosure_is_withdrawn_from_the_case_page(page, context, live_server, cast, reference_data, axe_source):
    concern = submit_test_concern(cast)
    sharing.disclose(
        concern_id=concern.pk,
        actor=cast["coordinator"],
        to_organisation=Organisation.objects.get(slug="utbildningsnamnden"),
        legal_ground="OSL 10 kap. 28 §",
        decided_by="Enhetschef A",
    )
    sign_in_browser(context, live_server, cast["coordinator"])
    page.goto(f"/oro/arenden/{concern.reference}/")
    page.locator("summary", has_text="Återkalla").click()
    _submit(page, "Återkalla röjandet")
    assert "Skriv varför röjandet återkallas" in page.content()
    assert_accessible(page, axe_source, ConsoleLog())
    page.get_by_label("Varför återkallas röjandet?").fill("Fel grund.")
    _submit(page, "Återkalla röjandet")
    assert "Röjandet är återkallat" in page.content()
    assert concern.disclosures.get().revoked_at is not None
