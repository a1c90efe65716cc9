"""The case view in the browser: the child-report warning and close form, withdrawing a disclosure, the
case view as a task list at desktop and phone widths, and an action's error taking the focus — each
state checked by axe (which needs JavaScript)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.browser.conftest import ConsoleLog, assert_accessible, sign_in_browser
from vbe.concerns import referrals, services, sharing
from vbe.concerns.models import ActionKind, Concern, ReferralKind, State
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
    _submit(page, "Återkalla röjandet")
    assert "Skriv varför röjandet återkallas" in page.content()
    assert_accessible(page, axe_source, ConsoleLog())
    page.get_by_label("Varför återkallas röjandet?").fill("Fel grund.")
    _submit(page, "Återkalla röjandet")
    assert "Röjandet är återkallat" in page.content()
    assert concern.disclosures.get().revoked_at is not None


@pytest.mark.parametrize("width", [1280, 375])
def test_the_case_view_is_accessible_at_desktop_and_phone_width(
    page, context, live_server, cast, reference_data, axe_source, console, width
):
    """A coordinator's case view with something in every card: a child concern, an action, a consent,
    a referral and a disclosure. Every action visible (none folded away), axe finds nothing, and the
    page does not scroll sideways on a phone (wide tables scroll inside their own container)."""
    concern = submit_test_concern(cast, "wide", concerns_child="yes", child_report_made="no")
    coordinator = cast["coordinator"]
    services.record_action(
        actor=coordinator,
        concern_id=concern.pk,
        lock_version=1,
        kind=ActionKind.SOCIAL_EMERGENCY,
        done_on=date(2026, 11, 2),
    )
    consent = sharing.record_consent(
        actor=coordinator,
        concern_id=concern.pk,
        lock_version=2,
        purpose="SIG",
        given_by="Personen",
        given_on=date(2026, 11, 2),
    )
    referrals.record_referral(
        actor=coordinator,
        concern_id=concern.pk,
        lock_version=3,
        kind=ReferralKind.SIG,
        referred_on=date(2026, 11, 3),
        adult=True,
        confirmed=["own_will", "consent_information_sharing"],
        consent_id=consent.pk,
    )
    sharing.disclose(
        concern_id=concern.pk,
        actor=coordinator,
        to_organisation=Organisation.objects.get(slug="utbildningsnamnden"),
        legal_ground="OSL 10 kap. 28 §",
        decided_by="Enhetschef A",
    )
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_browser(context, live_server, coordinator)
    assert page.goto(f"/oro/arenden/{concern.reference}/").status == 200
    assert page.locator("details").count() == 0
    assert page.locator(".govuk-task-list__item").count() == 11  # with "Lyft i SSPF eller BUS"
    assert page.get_by_role("button", name="Registrera hänvisningen").is_visible()
    assert "Social insatsgrupp (SIG)" in page.locator(".govuk-summary-card", has_text="Hänvisningar").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page, axe_source, console)


def test_an_action_error_moves_the_focus_to_the_error_summary(
    page, context, live_server, cast, reference_data, axe_source
):
    concern = submit_test_concern(cast)
    sign_in_browser(context, live_server, cast["coordinator"])
    page.goto(f"/oro/arenden/{concern.reference}/")
    page.locator("#avsluta").get_by_label("Ingen vidare åtgärd").check()
    _submit(page, "Avsluta ärendet")  # without the reason "no further action" needs
    assert page.title().startswith("Fel: ")
    summary = page.locator(".govuk-error-summary")
    assert "Skriv varför ingen vidare åtgärd behövs" in summary.inner_text()
    page.wait_for_function("document.activeElement && document.activeElement.classList.contains('govuk-error-summary')")
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    assert_accessible(page, axe_source, ConsoleLog())
    assert Concern.objects.get(pk=concern.pk).state == State.RECEIVED


def test_several_steps_are_recorded_in_one_decision_without_javascript(browser, live_server, cast, reference_data):
    concern = submit_test_concern(cast)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        sign_in_browser(context, live_server, cast["coordinator"])
        page = context.new_page()
        page.goto(f"/oro/arenden/{concern.reference}/")
        page.locator("#ga-vidare").get_by_label("Informationsinhämtning").check()
        page.locator("#ga-vidare").get_by_label("Anteckning (frivillig)").fill("Samtal med mentor och rektor.")
        _submit(page, "Gå vidare")
        assert "Ärendet har gått vidare till informationsinhämtning" in page.content()
    finally:
        context.close()
    concern.refresh_from_db()
    assert concern.state == State.GATHERING_INFORMATION
    assert concern.events.filter(kind="advanced").count() == 1
