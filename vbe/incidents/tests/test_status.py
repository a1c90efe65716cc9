"""Handling: acknowledge and close, only by the routed council's coordinators, only from the right state."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from vbe.audit.models import AccessLogEntry
from vbe.incidents import services
from vbe.incidents.models import Incident, Status, StatusChange
from vbe.incidents.tests.factories import make_incident
from vbe.incidents.tests.test_report import skatteverket_numbers


@pytest.fixture
def incident(cast):
    return make_incident(reporter=cast["staff"])


def test_acknowledge_then_close_through_the_page(cast, incident):
    client = cast.client("coordinator")
    response = client.post(f"/handelser/{incident.pk}/status/", {"to_status": "acknowledged", "comment": ""})
    assert response.status_code == 302 and response["Location"] == f"/handelser/{incident.pk}/"
    incident.refresh_from_db()
    assert incident.status == Status.ACKNOWLEDGED
    response = client.post(
        f"/handelser/{incident.pk}/status/", {"to_status": "closed", "comment": "Sanerat av fastighetsägaren."}
    )
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED
    changes = list(StatusChange.objects.filter(incident=incident).values_list("from_status", "to_status", "comment"))
    assert changes == [("new", "acknowledged", ""), ("acknowledged", "closed", "Sanerat av fastighetsägaren.")]
    entries = AccessLogEntry.objects.filter(action="incident_status_changed", object_id=str(incident.pk))
    assert entries.count() == 2
    assert all("Sanerat" not in e.detail for e in entries)  # the comment stays out of the log
    page = client.get(f"/handelser/{incident.pk}/").content.decode()
    assert "Sanerat av fastighetsägaren." in page and "Händelsen är avslutad." in page
    # The reporter sees the new status, not the comment.
    receipt = cast.client("staff").get(incident.get_receipt_url()).content.decode()
    assert "Avslutad" in receipt and "Sanerat" not in receipt


def test_closing_needs_a_comment(cast, incident):
    response = cast.client("coordinator").post(f"/handelser/{incident.pk}/status/", {"to_status": "closed"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Skriv en kommentar om varför händelsen avslutas." in page and "govuk-error-summary" in page
    incident.refresh_from_db()
    assert incident.status == Status.NEW


def test_comment_with_a_personnummer_is_refused(cast, incident):
    number = skatteverket_numbers()[2]
    response = cast.client("coordinator").post(
        f"/handelser/{incident.pk}/status/", {"to_status": "closed", "comment": f"Gäller {number}"}
    )
    assert "liknar ett personnummer" in response.content.decode()
    assert not StatusChange.objects.exists()


@pytest.mark.parametrize("value", ["", "new", "deleted"])
def test_an_impossible_status_is_an_error_not_a_crash(cast, incident, value):
    response = cast.client("coordinator").post(f"/handelser/{incident.pk}/status/", {"to_status": value})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()


def test_a_closed_incident_cannot_be_acknowledged(cast, incident):
    services.close_incident(incident=incident, actor=cast["coordinator"], comment="Klart.")
    with pytest.raises(ValidationError, match="redan avslutad"):
        services.acknowledge_incident(incident=incident, actor=cast["coordinator"])
    with pytest.raises(ValidationError, match="redan avslutad"):
        services.close_incident(incident=incident, actor=cast["coordinator"], comment="Igen.")
    assert StatusChange.objects.count() == 1


def test_a_stale_page_gets_a_clear_message(cast, incident):
    """Two handlers on the same page: the second one's change meets the new state."""
    services.close_incident(incident=incident, actor=cast["coordinator"], comment="Klart.")
    stale = Incident.objects.get(pk=incident.pk)
    stale.status = Status.NEW  # what the other handler's page still shows
    with pytest.raises(ValidationError, match="Ladda om sidan"):
        services.acknowledge_incident(incident=stale, actor=cast["coordinator"])


@pytest.mark.parametrize("role", ["staff", "unit_manager", "coordinator_other", "central_coordinator", "admin"])
def test_only_the_councils_coordinators_may_handle(cast, incident, role):
    with pytest.raises(PermissionDenied):
        services.acknowledge_incident(incident=incident, actor=cast[role])
    incident.refresh_from_db()
    assert incident.status == Status.NEW and not StatusChange.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("staff", 404), ("unit_manager", 404), ("coordinator_other", 404)])
def test_status_page_refuses_non_handlers(cast, incident, role, status):
    response = cast.client(role).post(f"/handelser/{incident.pk}/status/", {"to_status": "acknowledged"})
    assert response.status_code == status
    incident.refresh_from_db()
    assert incident.status == Status.NEW


def test_status_is_post_only(cast, incident):
    assert cast.client("coordinator").get(f"/handelser/{incident.pk}/status/").status_code == 405


def test_a_page_left_open_meets_the_new_state_with_a_message(cast, incident):
    services.close_incident(incident=incident, actor=cast["coordinator"], comment="Klart.")
    response = cast.client("coordinator").post(
        f"/handelser/{incident.pk}/status/", {"to_status": "acknowledged", "comment": ""}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Händelsen kan inte få den statusen nu." in page and "govuk-error-summary" in page
    assert StatusChange.objects.count() == 1
