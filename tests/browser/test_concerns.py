"""The concern routine in the browser: the whole path with JavaScript off, and every page with axe."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ConsoleLog, assert_accessible, sign_in_browser
from vbe.concerns.models import Concern, State
from vbe.concerns.tests.conftest import submit_test_concern

pytestmark = pytest.mark.browser


def _submit(page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button).first.click()


def _open(page, summary: str) -> None:
    """Opens a collapsed section if the case view has one; the task-list case view shows its actions open."""
    section = page.locator("summary", has_text=summary)
    if section.count():
        section.first.click()


def test_report_handle_close_and_see_closed_without_javascript(browser, live_server, cast, reference_data, axe_source):
    """Staff reports (no JavaScript) → the coordinator handles and closes → staff sees "Avslutad"."""
    staff_ctx = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    sign_in_browser(staff_ctx, live_server, cast["staff"])
    page = staff_ctx.new_page()
    page.goto("/oro/")
    assert "Ring 112" in page.content()
    page.get_by_role("button", name="Rapportera oro").click()
    page.get_by_label("Vad har du sett eller hört?").fill("En ungdom sprider propaganda som hyllar våld.")
    page.get_by_label("När hände det?").fill("2026-11-20")
    page.locator("#id_concerns_child_1").check()  # Nej
    _submit(page, "Skicka rapporten")
    assert "Rapporten är skickad" in page.content()
    concern = Concern.objects.get()
    assert concern.organisation.slug == "jarva"
    staff_ctx.close()

    coordinator_ctx = browser.new_context(base_url=live_server.url)
    sign_in_browser(coordinator_ctx, live_server, cast["coordinator"])
    page = coordinator_ctx.new_page()
    page.goto("/oro/arenden/")
    page.get_by_role("link", name=concern.reference).click()
    _open(page, "Gå vidare till nästa steg")
    _submit(page, "Gå vidare")
    assert "Ärendet har gått vidare" in page.content()
    _open(page, "Avsluta ärendet")
    page.get_by_label("Ingen vidare åtgärd").check()
    _submit(page, "Avsluta ärendet")
    assert "Skriv varför ingen vidare åtgärd behövs" in page.content()  # the reason is required
    page.get_by_label("Motivering").fill("Samtal visade att oron gällde annat än extremism.")
    _submit(page, "Avsluta ärendet")
    assert Concern.objects.get().state == State.CLOSED
    coordinator_ctx.close()

    staff_ctx = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    sign_in_browser(staff_ctx, live_server, cast["staff"])
    page = staff_ctx.new_page()
    page.goto("/oro/mina/")
    row = page.locator("tr", has_text=concern.reference)
    assert "Avslutad" in row.inner_text()
    staff_ctx.close()


@pytest.mark.parametrize(
    "path, role",
    [
        ("/oro/", None),
        ("/oro/?barn=ja&omrade=80132", None),
        ("/oro/rapportera/", "staff"),
        ("/oro/mina/", "staff"),
        ("/oro/arenden/", "coordinator"),
        ("DETAIL", "coordinator"),
        ("RECEIPT", "staff"),
    ],
)
def test_concern_pages_are_accessible(page, context, live_server, cast, axe_source, console, path, role):
    concern = submit_test_concern(cast)
    path = {"DETAIL": f"/oro/arenden/{concern.reference}/", "RECEIPT": f"/oro/kvitto/{concern.reference}/"}.get(
        path, path
    )
    if role:
        sign_in_browser(context, live_server, cast[role])
    assert page.goto(path).status == 200
    assert_accessible(page, axe_source, console)


def test_report_form_with_errors_and_open_handling_forms_are_accessible(page, context, live_server, cast, axe_source):
    sign_in_browser(context, live_server, cast["coordinator"])
    page.goto("/oro/rapportera/")
    _submit(page, "Skicka rapporten")
    assert page.title().startswith("Fel: ")
    assert_accessible(page, axe_source, ConsoleLog())
    concern = submit_test_concern(cast)
    page.goto(f"/oro/arenden/{concern.reference}/")
    for details in page.locator("details").all():
        details.locator("summary").click()
    assert_accessible(page, axe_source, ConsoleLog())


def test_the_child_answer_on_the_guide_carries_into_the_form_without_javascript(browser, live_server, cast):
    """The worried teacher answers "Ja" on the guide, and the form starts with that answer checked;
    the form asks nothing about which extremist environment it might be."""
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        sign_in_browser(context, live_server, cast["staff"])
        page = context.new_page()
        page.goto("/oro/")
        page.get_by_label("Ja", exact=True).check()
        _submit(page, "Visa vad som gäller")
        assert "skyldig att genast göra en orosanmälan" in page.content()
        with page.expect_navigation():
            page.get_by_role("button", name="Rapportera oro").click()
        assert page.locator("#id_concerns_child").is_checked()  # Ja
        assert page.locator("input[name='environment']").count() == 0
        page.get_by_label("Vad har du sett eller hört?").fill("En elev visar filmer som hyllar våld.")
        page.get_by_label("När hände det?").fill("2026-11-20")
        page.locator("#id_child_report_made").check()  # an orosanmälan has been made
        _submit(page, "Skicka rapporten")
        assert "Rapporten är skickad" in page.content()
        concern = Concern.objects.get()
        assert (concern.concerns_child, concern.child_report_made, concern.environment) == ("yes", "yes", "unknown")
    finally:
        context.close()
