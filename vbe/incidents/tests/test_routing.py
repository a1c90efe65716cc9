"""Incidents in a district whose council has no active coordinator wait with the central coordinators,
who handle them or send them on (issue 7, item 2)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from vbe.accounts import permissions
from vbe.accounts.models import Membership, Role
from vbe.audit.models import AccessLogEntry
from vbe.incidents import services
from vbe.incidents.models import Incident, IntakeRoute, Status, StatusChange
from vbe.incidents.tests.factories import make_incident
from vbe.incidents.tests.test_report import report
from vbe.organisations.models import Organisation

SKARHOLMEN = "Skärholmen stadsdelsnämnd"


def _skarholmen_code() -> str:
    return Organisation.objects.get(slug="skarholmen").district.code


def _flagged(cast) -> Incident:
    """An open incident that arrived at Skärholmen, whose council has no coordinator: in the central queue."""
    return make_incident(reporter=cast["staff"], district_code=_skarholmen_code(), without_coordinator=True)


def test_an_incident_for_a_council_without_coordinator_goes_to_the_central_coordinators(
    cast, django_capture_on_commit_callbacks
):
    staff = cast.client("staff")
    with django_capture_on_commit_callbacks(execute=True):
        response = report(staff, district=_skarholmen_code())
    incident = Incident.objects.get()
    assert incident.organisation.slug == "skarholmen" and permissions.incident_in_central_queue(incident)
    assert incident.intake.reported_to.slug == "skarholmen" and incident.intake.route == IntakeRoute.CENTRAL
    entry = AccessLogEntry.objects.get(action="incident_routed_to_central", object_id=str(incident.pk))
    assert entry.detail == (
        f"{incident.reference} inrapporterad till organisation utan aktiv lokal samordnare; "
        "centrala samordnare underrättade"
    )
    assert [m.to for m in mail.outbox] == [["central_coordinator@test.example"]]
    message = mail.outbox[0]
    assert incident.reference in message.subject and "utan lokal samordnare" in message.subject
    assert SKARHOLMEN in message.body and f"/handelser/{incident.pk}/" in message.body
    receipt = staff.get(response["Location"]).content.decode()
    assert f"{SKARHOLMEN} hade ingen lokal samordnare när händelsen rapporterades" in receipt
    assert "skickats till den centrala samordnaren" in receipt
    assert "får ett meddelande" not in receipt


def test_an_incident_with_a_coordinator_says_who_is_told(cast):
    response = report(cast.client("staff"))
    receipt = cast.client("staff").get(response["Location"]).content.decode()
    assert "De lokala samordnarna vid Järva stadsdelsnämnd får ett meddelande" in receipt
    incident = Incident.objects.get()
    assert incident.intake.route == IntakeRoute.COORDINATOR and not permissions.incident_in_central_queue(incident)


def test_the_central_coordinator_lists_reads_and_handles_the_waiting_incidents(cast):
    waiting = _flagged(cast)
    routed = make_incident(reporter=cast["staff"])
    central = cast.client("central_coordinator")
    page = central.get("/handelser/").content.decode()
    assert waiting.reference in page and "Saknar samordnare" in page and routed.reference not in page
    detail = central.get(f"/handelser/{waiting.pk}/").content.decode()
    assert f'action="/handelser/{waiting.pk}/skicka-vidare/"' in detail
    assert central.get(f"/handelser/{routed.pk}/").status_code == 404
    response = central.post(
        f"/handelser/{waiting.pk}/status/", {"lock_version": 1, "to_status": "acknowledged", "comment": ""}
    )
    assert response.status_code == 302
    assert Incident.objects.get(pk=waiting.pk).status == Status.ACKNOWLEDGED


def test_the_central_coordinator_sends_it_on_and_then_loses_access(cast, django_capture_on_commit_callbacks):
    incident = _flagged(cast)
    central = cast.client("central_coordinator")
    sodermalm = Organisation.objects.get(slug="sodermalm")
    with django_capture_on_commit_callbacks(execute=True):
        response = central.post(
            f"/handelser/{incident.pk}/skicka-vidare/", {"lock_version": 1, "to_organisation": sodermalm.pk}
        )
    assert response.status_code == 302 and response["Location"] == "/handelser/"
    incident.refresh_from_db()
    assert incident.organisation == sodermalm and not permissions.incident_in_central_queue(incident)
    assert [m.to for m in mail.outbox] == [["coordinator_other@test.example"]]
    assert "skickats vidare till Södermalm stadsdelsnämnd" in mail.outbox[0].body
    assert StatusChange.objects.filter(incident=incident, changed_by=cast["central_coordinator"]).exists()
    entry = AccessLogEntry.objects.get(action="incident_rerouted", object_id=str(incident.pk))
    assert entry.detail == f"{incident.reference} från {SKARHOLMEN} till Södermalm stadsdelsnämnd"
    assert central.get(f"/handelser/{incident.pk}/").status_code == 404
    assert cast.client("coordinator_other").get(f"/handelser/{incident.pk}/").status_code == 200


def test_sent_on_to_another_organisation_without_coordinator_it_stays_in_the_queue(
    cast, django_capture_on_commit_callbacks
):
    incident = _flagged(cast)
    with django_capture_on_commit_callbacks(execute=True):
        services.reroute_incident(
            incident_id=incident.pk,
            actor=cast["central_coordinator"],
            lock_version=1,
            to_organisation=Organisation.objects.get(slug="sisab"),
        )
    incident.refresh_from_db()
    assert incident.lock_version == 2
    assert incident.organisation.slug == "sisab" and permissions.incident_in_central_queue(incident)
    assert AccessLogEntry.objects.filter(action="incident_routed_to_central", object_id=str(incident.pk)).exists()
    assert [m.to for m in mail.outbox] == [["central_coordinator@test.example"]]
    with pytest.raises(ValidationError, match="saknar fortfarande"):
        services.reroute_incident(
            incident_id=incident.pk,
            actor=cast["central_coordinator"],
            lock_version=2,
            to_organisation=incident.organisation,
        )


def test_a_reroute_from_a_page_left_open_while_it_was_handled_changes_nothing(cast):
    """The central coordinator's page showed version 1; another of them acknowledged it meanwhile."""
    incident = _flagged(cast)
    central = cast.client("central_coordinator")
    assert (
        '<input type="hidden" name="lock_version" value="1"'
        in central.get(f"/handelser/{incident.pk}/").content.decode()
    )
    services.acknowledge_incident(incident_id=incident.pk, actor=cast["central_coordinator"], lock_version=1)
    sodermalm = Organisation.objects.get(slug="sodermalm")
    response = central.post(
        f"/handelser/{incident.pk}/skicka-vidare/", {"lock_version": 1, "to_organisation": sodermalm.pk}
    )
    assert response.status_code == 400
    assert "Händelsen har ändrats av någon annan sedan du öppnade sidan." in response.content.decode()
    incident.refresh_from_db()
    assert (incident.organisation.slug, incident.lock_version) == ("skarholmen", 2)
    assert not AccessLogEntry.objects.filter(action="incident_rerouted").exists()


def test_only_the_central_coordinator_sends_on_and_only_a_waiting_incident(cast):
    waiting, routed = _flagged(cast), make_incident(reporter=cast["staff"])
    sodermalm = Organisation.objects.get(slug="sodermalm")
    for name in ("coordinator", "staff", "admin", "auditor"):
        status = cast.client(name).post(
            f"/handelser/{waiting.pk}/skicka-vidare/", {"lock_version": 1, "to_organisation": sodermalm.pk}
        )
        assert status.status_code in (403, 404), name
    # Järva's coordinator sees it (the reporting organisation) but may not send it on.
    with pytest.raises(PermissionDenied):
        services.reroute_incident(
            incident_id=waiting.pk, actor=cast["coordinator"], lock_version=1, to_organisation=sodermalm
        )
    central = cast.client("central_coordinator")
    refused = central.post(
        f"/handelser/{routed.pk}/skicka-vidare/", {"lock_version": 1, "to_organisation": sodermalm.pk}
    )
    assert refused.status_code == 404
    page = central.post(f"/handelser/{waiting.pk}/skicka-vidare/", {"lock_version": 1, "to_organisation": "x"})
    assert page.status_code == 400 and "Välj en organisation i listan" in page.content.decode()
    assert Incident.objects.get(pk=waiting.pk).organisation.slug == "skarholmen"


def test_without_a_central_coordinator_the_incident_is_saved_and_the_receipt_says_nobody_was_told(
    cast, django_capture_on_commit_callbacks
):
    Membership.objects.filter(role=Role.CENTRAL_COORDINATOR).delete()
    staff = cast.client("staff")
    with django_capture_on_commit_callbacks(execute=True):
        response = report(staff, district=_skarholmen_code())
    incident = Incident.objects.get()
    assert incident.intake.route == IntakeRoute.NOBODY and not mail.outbox
    entry = AccessLogEntry.objects.get(action="incident_routed_to_central", object_id=str(incident.pk))
    assert entry.detail.endswith("ingen aktiv central samordnare finns")
    receipt = staff.get(response["Location"]).content.decode()
    assert "Ingen har fått något meddelande om den ännu" in receipt
