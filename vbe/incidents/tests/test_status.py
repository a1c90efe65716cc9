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
    page = client.get(f"/handelser/{incident.pk}/").content.decode()
    assert '<input type="hidden" name="lock_version" value="1"' in page  # the version the handler sees
    response = client.post(
        f"/handelser/{incident.pk}/status/", {"lock_version": 1, "to_status": "acknowledged", "comment": ""}
    )
    assert response.status_code == 302 and response["Location"] == f"/handelser/{incident.pk}/"
    incident.refresh_from_db()
    assert (incident.status, incident.lock_version) == (Status.ACKNOWLEDGED, 2)
    response = client.post(
        f"/handelser/{incident.pk}/status/",
        {"lock_version": 2, "to_status": "closed", "comment": "Sanerat av fastighetsägaren."},
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
    response = cast.client("coordinator").post(
        f"/handelser/{incident.pk}/status/", {"lock_version": 1, "to_status": "closed"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Skriv en kommentar om varför händelsen avslutas." in page and "govuk-error-summary" in page
    incident.refresh_from_db()
    assert incident.status == Status.NEW


def test_comment_with_a_personnummer_is_refused(cast, incident):
    number = skatteverket_numbers()[2]
    response = cast.client("coordinator").post(
        f"/handelser/{incident.pk}/status/", {"lock_version": 1, "to_status": "closed", "comment": f"Gäller {number}"}
    )
    assert "liknar ett personnummer" in response.content.decode()
    assert not StatusChange.objects.exists()


@pytest.mark.parametrize("value", ["", "new", "deleted"])
def test_an_impossible_status_is_an_error_not_a_crash(cast, incident, value):
    response = cast.client("coordinator").post(
        f"/handelser/{incident.pk}/status/", {"lock_version": 1, "to_status": value}
    )
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()


def test_a_closed_incident_cannot_be_acknowledged(cast, incident):
    closed = services.close_incident(
        incident_id=incident.pk, actor=cast["coordinator"], lock_version=1, comment="Klart."
    )
    current = closed.lock_version  # the closed incident's own version: only the state stands in the way
    with pytest.raises(ValidationError, match="redan avslutad"):
        services.acknowledge_incident(incident_id=incident.pk, actor=cast["coordinator"], lock_version=current)
    with pytest.raises(ValidationError, match="redan avslutad"):
        services.close_incident(
            incident_id=incident.pk, actor=cast["coordinator"], lock_version=current, comment="Igen."
        )
    assert StatusChange.objects.count() == 1


def test_a_stale_page_gets_a_clear_message(cast, incident):
    """Two handlers on the same page: the second one's change meets the version the first one made."""
    services.close_incident(incident_id=incident.pk, actor=cast["coordinator"], lock_version=1, comment="Klart.")
    with pytest.raises(ValidationError, match="ändrats av någon annan sedan du öppnade sidan. Ladda om sidan"):
        services.acknowledge_incident(incident_id=incident.pk, actor=cast["coordinator"], lock_version=1)
    assert Incident.objects.get(pk=incident.pk).status == Status.CLOSED
    assert StatusChange.objects.count() == 1


@pytest.mark.parametrize("role", ["staff", "unit_manager", "coordinator_other", "central_coordinator", "admin"])
def test_only_the_councils_coordinators_may_handle(cast, incident, role):
    with pytest.raises(PermissionDenied):
        services.acknowledge_incident(incident_id=incident.pk, actor=cast[role], lock_version=incident.lock_version)
    incident.refresh_from_db()
    assert incident.status == Status.NEW and not StatusChange.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("staff", 404), ("unit_manager", 404), ("coordinator_other", 404)])
def test_status_page_refuses_non_handlers(cast, incident, role, status):
    response = cast.client(role).post(
        f"/handelser/{incident.pk}/status/", {"lock_version": 1, "to_status": "acknowledged"}
    )
    assert response.status_code == status
    incident.refresh_from_db()
    assert incident.status == Status.NEW


def test_status_is_post_only(cast, incident):
    assert cast.client("coordinator").get(f"/handelser/{incident.pk}/status/").status_code == 405


def test_a_page_left_open_meets_the_new_state_with_a_message(cast, incident):
    services.close_incident(incident_id=incident.pk, actor=cast["coordinator"], lock_version=1, comment="Klart.")
    response = cast.client("coordinator").post(
        f"/handelser/{incident.pk}/status/", {"lock_version": 1, "to_status": "acknowledged", "comment": ""}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Händelsen kan inte få den statusen nu." in page and "govuk-error-summary" in page
    assert StatusChange.objects.count() == 1


def test_a_page_left_open_while_another_handler_acknowledged_it_cannot_close_it_unseen(cast, incident):
    """Closing is still a possible next step, but not from the page the handler saw: their comment is
    kept on the page, the incident stays as the other handler left it."""
    services.acknowledge_incident(incident_id=incident.pk, actor=cast["coordinator"], lock_version=1)
    response = cast.client("coordinator").post(
        f"/handelser/{incident.pk}/status/", {"lock_version": 1, "to_status": "closed", "comment": "Sanerat."}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Händelsen har ändrats av någon annan sedan du öppnade sidan." in page and "Sanerat." in page
    incident.refresh_from_db()
    assert (incident.status, incident.lock_version) == (Status.ACKNOWLEDGED, 2)
    assert StatusChange.objects.count() == 1


@pytest.mark.parametrize("lock_version", [None, "", "x"])
def test_a_status_change_without_the_version_seen_changes_nothing(cast, incident, lock_version):
    data = {"to_status": "acknowledged", "comment": ""}
    if lock_version is not None:
        data["lock_version"] = lock_version
    response = cast.client("coordinator").post(f"/handelser/{incident.pk}/status/", data)
    assert response.status_code == 400
    incident.refresh_from_db()
    assert (incident.status, incident.lock_version) == (Status.NEW, 1)
    assert not StatusChange.objects.exists()
