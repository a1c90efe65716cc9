"""The yearly measures list of an organisation without a plan duty, in a real browser: axe-core at
1280 and 375 px, an error shown in the summary, a measure saved and the list reported."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in_browser
from vbe.accounts.models import Membership, Role, User
from vbe.organisations.models import Organisation
from vbe.plans.models import MeasureList

pytestmark = pytest.mark.browser

YEAR = timezone.localdate().year


def test_a_housing_company_records_and_reports_its_measures(page, context, live_server, cast, axe_source, console):
    company = Organisation.objects.get(slug="familjebostader")
    user = User.objects.create_user(email="bostad@test.example", password="x-Secret-2026!", full_name="Bo Stad")
    Membership.objects.create(user=user, organisation=company, role=Role.COORDINATOR)
    sign_in_browser(context, live_server, user)
    page.goto("/planer/")
    page.get_by_role("link", name=f"Åtgärder {YEAR} – AB Familjebostäder").click()
    expect(page.locator("h1")).to_have_text(f"Åtgärder mot våldsbejakande extremism {YEAR}")
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page, axe_source, console)

    page.get_by_role("link", name="Lägg till åtgärd").click()
    page.get_by_label("Åtgärd", exact=True).fill("Trygghetsvandringar")
    with page.expect_navigation():
        page.get_by_role("button", name="Spara åtgärden").click()
    assert page.title().startswith("Fel: ")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Välj vilket område i riktlinjerna")
    assert_accessible(page, axe_source, console)

    page.get_by_label("3. Samverkan med det civila samhället").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Spara åtgärden").click()
    expect(page.get_by_role("table")).to_contain_text("Trygghetsvandringar")
    with page.expect_navigation():
        page.get_by_role("button", name="Rapportera listan").click()
    expect(page.locator(".govuk-tag--green").first).to_have_text("Rapporterad")
    assert_accessible(page, axe_source, console)
    assert MeasureList.objects.get(organisation=company, year=YEAR).is_reported
