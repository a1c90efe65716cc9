"""Who sees which incident: scope gives 404, the rules give 403, the reporter gets the receipt."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from vbe.audit.models import AccessLogEntry
from vbe.incidents.models import Category, Status
from vbe.incidents.tests.factories import SODERMALM, make_incident
from vbe.organisations.models import Unit

DESCRIPTION = "Affischer med hakkors på en elskåp nära skolan."


@pytest.fixture
def jarva_incident(cast):
    unit = Unit.objects.get(name="Testfritidsgården")
    return make_incident(reporter=cast["staff"], unit=unit, description=DESCRIPTION)


def test_council_coordinator_sees_the_content_and_the_view_is_logged(cast, jarva_incident):
    response = cast.client("coordinator").get(f"/handelser/{jarva_incident.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert DESCRIPTION in page and jarva_incident.reference in page and "Testfritidsgården" in page
    assert cast["staff"].email in page  # the handler may ask the reporter for more
    assert "Spara status" in page
    entry = AccessLogEntry.objects.get(action="incident_viewed")
    assert (entry.object_type, entry.object_id) == ("incidents.incident", str(jarva_incident.pk))
    assert entry.actor_id == cast["coordinator"].pk


def test_unit_manager_of_the_unit_sees_content_but_cannot_handle(cast, jarva_incident):
    page = cast.client("unit_manager").get(f"/handelser/{jarva_incident.pk}/").content.decode()
    assert DESCRIPTION in page
    assert "Spara status" not in page
    assert cast["staff"].email not in page  # the reporter's identity is for the handler only


@pytest.mark.parametrize(
    "role",
    ["coordinator_other", "coordinator_board", "caseworker", "central_coordinator", "board_reader", "auditor", "admin"],
)
def test_everyone_else_gets_404_and_no_content(cast, jarva_incident, role):
    client = cast.client(role)
    response = client.get(f"/handelser/{jarva_incident.pk}/")
    assert response.status_code == 404
    assert DESCRIPTION not in response.content.decode()
    listing = client.get("/handelser/").content.decode()
    assert jarva_incident.reference not in listing and DESCRIPTION not in listing
    assert not AccessLogEntry.objects.filter(action="incident_viewed").exists()


def test_reporter_sees_the_receipt_and_status_not_the_content(cast, jarva_incident):
    client = cast.client("staff")
    assert client.get(f"/handelser/{jarva_incident.pk}/").status_code == 404
    receipt = client.get(jarva_incident.get_receipt_url()).content.decode()
    assert DESCRIPTION not in receipt and "Ny" in receipt
    assert client.get("/handelser/").status_code == 403  # the handlers' list


def test_reporting_organisations_coordinator_sees_but_does_not_handle(cast):
    # Reported by a member of utbildningsnämnden, in Södermalm: routed to Södermalm's council.
    incident = make_incident(reporter=cast["board_reader"], district_code=SODERMALM, description=DESCRIPTION)
    board = cast.client("coordinator_board")
    page = board.get(f"/handelser/{incident.pk}/").content.decode()
    assert DESCRIPTION in page and "Spara status" not in page
    closing = {"lock_version": 1, "to_status": "closed", "comment": "x"}
    assert board.post(f"/handelser/{incident.pk}/status/", closing).status_code == 403
    assert cast.client("coordinator_other").get(f"/handelser/{incident.pk}/").status_code == 200
    assert cast.client("coordinator").get(f"/handelser/{incident.pk}/").status_code == 404


def test_a_coordinator_who_reported_it_themselves_sees_the_content(cast):
    incident = make_incident(reporter=cast["coordinator"], description=DESCRIPTION)
    assert DESCRIPTION in cast.client("coordinator").get(f"/handelser/{incident.pk}/").content.decode()


def test_unknown_incident_is_404(cast):
    assert cast.client("coordinator").get("/handelser/999999/").status_code == 404


def test_anonymous_is_sent_to_sign_in(cast, jarva_incident):
    for path in (f"/handelser/{jarva_incident.pk}/", "/handelser/", "/handelser/rapportera/", "/handelser/statistik/"):
        response = cast.client(None).get(path)
        assert response.status_code == 302 and response["Location"].startswith("/logga-in/"), path


# --- The handler's list --------------------------------------------------------------------------


def test_list_is_scoped_and_says_nothing_about_persons(cast, jarva_incident):
    elsewhere = make_incident(reporter=cast["coordinator_other"], district_code=SODERMALM)
    page = cast.client("coordinator").get("/handelser/").content.decode()
    assert jarva_incident.reference in page and elsewhere.reference not in page
    assert "Propaganda" in page and "Järva" in page
    assert DESCRIPTION not in page and cast["staff"].full_name not in page and cast["staff"].email not in page
    other_page = cast.client("coordinator_other").get("/handelser/").content.decode()
    assert elsewhere.reference in other_page and jarva_incident.reference not in other_page


def test_list_filters_by_status_category_and_month(cast):
    old = make_incident(reporter=cast["staff"], occurred_on=timezone.localdate() - timedelta(days=400))
    threat = make_incident(reporter=cast["staff"], category=Category.THREAT, status=Status.CLOSED)
    client = cast.client("coordinator")

    def listed(**params) -> set[str]:
        page = client.get("/handelser/", params).content.decode()
        return {r for r in (old.reference, threat.reference) if r in page}

    assert listed() == {old.reference, threat.reference}
    assert listed(status="closed") == {threat.reference}
    assert listed(category="threat") == {threat.reference}
    assert listed(category="propaganda", status="new") == {old.reference}
    assert listed(month=threat.occurred_on.strftime("%Y-%m")) == {threat.reference}
    assert listed(month=old.occurred_on.strftime("%Y-%m")) == {old.reference}


@pytest.mark.parametrize("params", [{"month": "mars"}, {"status": "borta"}, {"sida": "x"}, {"sida": "999"}])
def test_list_survives_bad_filters(cast, jarva_incident, params):
    response = cast.client("coordinator").get("/handelser/", params)
    assert response.status_code == 200


def test_list_paginates(cast):
    """Newest first, by position (vbe.core.newest_first; test_list_paging.py has the details)."""
    for _ in range(30):
        make_incident(reporter=cast["staff"])
    client = cast.client("coordinator")
    first = client.get("/handelser/").context["page"]
    assert (first.count, len(first), first.newer) == (30, 25, None)
    second = client.get("/handelser/", {"efter": str(first.older)}).context["page"]
    assert (len(second), second.older) == (5, None)


@pytest.mark.parametrize(
    "path",
    [
        "/handelser/kvitto/%00/",
        "/handelser/kvitto/HÄN-2026-1/",
        "/handelser/statistik/%00/",
        "/handelser/rapportera/?omrade=%00",
        "/handelser/?month=%00&status=%00&category=%00",
        "/handelser/statistik/?ar=%00",
        "/handelser/99999999999999999999999/",
        "/handelser/1/bild/99999999999999999999999/",
    ],
)
def test_odd_urls_are_not_found_or_ignored_never_an_error(cast, path):
    """A NUL byte is an error on PostgreSQL, a huge number overflows: neither may reach the database.

    NUL bytes are refused with 400 before any view runs (vbe.core.middleware.RejectNulBytesMiddleware)."""
    expected = (400,) if "%00" in path else (200, 404)
    assert cast.client("coordinator").get(path).status_code in expected
