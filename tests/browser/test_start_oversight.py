"""The unit manager's, the board reader's and the central coordinator's start pages with figures in them,
and the board reader's reading of a final status report: axe-core finds nothing at 1280 px and at 375 px,
and at 375 px the page itself never scrolls sideways (wide tables scroll inside their own region)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.browser.conftest import assert_accessible, sign_in_browser
from vbe.incidents.models import Category
from vbe.incidents.tests.factories import JARVA, make_incident
from vbe.organisations.models import Neighbourhood, Unit
from vbe.reports.models import StatusReport, StatusReportState
from vbe.statistics import summary

pytestmark = pytest.mark.browser

WIDTHS = [1280, 375]


@pytest.fixture
def figures(cast):
    today = timezone.localdate()
    unit = Unit.objects.get(organisation__slug="jarva", name="Testfritidsgården")
    unit.neighbourhood = Neighbourhood.objects.filter(district__code=JARVA).order_by("name").first()
    unit.save()
    for category in (Category.PROPAGANDA, Category.THREAT, Category.GRAFFITI):
        make_incident(reporter=cast["staff"], unit=unit, category=category, occurred_on=today)
    make_incident(reporter=cast["staff"], occurred_on=datetime.date(today.year, 1, 1))
    central = cast["central_coordinator"]
    StatusReport.objects.create(
        year=2025, state=StatusReportState.FINAL, created_by=central, updated_by=central, finalised_at=timezone.now()
    )
    summary.rebuild()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("unit_manager", "/"),
        ("board_reader", "/"),
        ("central_coordinator", "/"),
        ("board_reader", "/rapporter/"),
        ("board_reader", "/rapporter/nulagesrapport/"),
        ("board_reader", "/rapporter/nulagesrapport/2025/"),
    ],
)
def test_oversight_pages_are_accessible(
    page, context, live_server, cast, axe_source, console, figures, role, path, width
):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_browser(context, live_server, cast[role])
    response = page.goto(path)
    assert response.status == 200
    assert_accessible(page, axe_source, console)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{path} som {role} rullar i sidled vid {width} px"
