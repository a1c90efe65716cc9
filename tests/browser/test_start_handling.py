"""The coordinator's inbox and the caseworker's start page with cases in them, and the filtered lists
their counts lead to: axe-core finds nothing at 1280 px and at 375 px, and at 375 px the page itself
never scrolls sideways (wide tables scroll inside their own region)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import assert_accessible, sign_in_browser
from vbe.concerns import services
from vbe.concerns.models import Concern
from vbe.incidents.tests.factories import make_incident
from vbe.portal.tests.test_start_handling import _concern, _date, _days_ago

pytestmark = pytest.mark.browser

WIDTHS = [1280, 375]


@pytest.fixture
def inbox(cast):
    child = _concern(cast, "child", child="yes")
    received = _concern(cast, "received")
    quiet = _concern(cast, "quiet")
    for concern in (received, quiet):
        services.assign(
            actor=cast["coordinator"],
            concern_id=concern.pk,
            lock_version=Concern.objects.get(pk=concern.pk).lock_version,
            caseworker=cast["caseworker"],
        )
    _date(child, received=3, written=3)
    _date(received, received=6, written=6)
    _date(quiet, received=40, written=20)
    make_incident(reporter=cast["staff"], created_at=_days_ago(2))


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("coordinator", "/"),
        ("caseworker", "/"),
        ("coordinator", "/oro/arenden/?att_hantera=1&barn_utan_anmalan=1"),
        ("caseworker", "/oro/arenden/?att_hantera=1&mina=1&oppna=1"),
        ("coordinator", "/handelser/?att_hantera=1&status=new"),
    ],
)
def test_handling_pages_are_accessible(page, context, live_server, cast, axe_source, console, inbox, role, path, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_browser(context, live_server, cast[role])
    response = page.goto(path)
    assert response.status == 200
    assert_accessible(page, axe_source, console)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{path} som {role} rullar i sidled vid {width} px"
