"""Incidents: the central queue is decided when asked, and the receipt says what the reporter was told
at intake, never where the incident is now (issue 7, items 2 and 11, red team)."""

from __future__ import annotations

import pytest
from django.core import mail

from vbe.accounts import permissions
from vbe.accounts.models import Membership, Role, User
from vbe.accounts.permissions import Action
from vbe.incidents import services
from vbe.incidents.models import Incident, IncidentIntake, IntakeRoute, Status
from vbe.incidents.tests.factories import make_incident
from vbe.incidents.tests.test_report import report
from vbe.organisations.models import Organisation

SKARHOLMEN = "Skärholmen stadsdelsnämnd"


def _org(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def _skarholmen_code() -> str:
    return _org("skarholmen").district.code


def _receipt(client, url: str) -> str:
    """The receipt's content (the page around it shows the signed-in user, not the incident)."""
    page = client.get(url).content.decode()
    return page.split('id="main-content">', 1)[1].split("</main>", 1)[0]


def _appoint_coordinator(slug: str) -> User:
    user = User.objects.create_user(email="ny-samordnare@test.example", password="x-losenord-123", full_name="Ny")
    Membership.objects.create(user=user, organisation=_org(slug), role=Role.COORDINATOR)
    return user


def _central_sees(cast, incident: Incident) -> tuple[bool, bool, bool, int, bool]:
    """(view rule, handle rule, selector, detail status, in the list) for the central coordinator."""
    user = User.objects.get(pk=cast["central_coordinator"].pk)
    incident = Incident.objects.get(pk=incident.pk)
    view = permissions.can(user, Action.VIEW_INCIDENT, incident)
    handle = permissions.can(user, Action.HANDLE_INCIDENT, incident)
    selector = permissions.incidents_visible_to(user, Incident.objects.all()).filter(pk=incident.pk).exists()
    client = cast.client("central_coordinator")
    status = client.get(f"/handelser/{incident.pk}/").status_code
    listed = incident.reference in client.get("/handelser/").content.decode()
    return view, handle, selector, status, listed


def test_when_the_council_gets_a_coordinator_central_access_ends_at_once(cast):
    report(cast.client("staff"), district=_skarholmen_code())
    incident = Incident.objects.get()
    assert _central_sees(cast, incident) == (True, True, True, 200, True)
    _appoint_coordinator("skarholmen")
    assert _central_sees(cast, incident) == (False, False, False, 404, False)
    central = cast.client("central_coordinator")
    # Neither the reporter's name and e-mail on the page nor the handling are theirs any more.
    assert central.post(f"/handelser/{incident.pk}/status/", {"to_status": "acknowledged"}).status_code == 404
    sodermalm = _org("sodermalm").pk
    assert central.post(f"/handelser/{incident.pk}/skicka-vidare/", {"to_organisation": sodermalm}).status_code == 404
    assert Incident.objects.get().status == Status.NEW


def test_when_the_last_coordinator_goes_the_central_coordinator_sees_the_open_incident(cast):
    incident = make_incident(reporter=cast["staff"])  # Järva: it has a coordinator
    assert _central_sees(cast, incident) == (False, False, False, 404, False)
    User.objects.filter(pk=cast["coordinator"].pk).update(is_active=False)
    assert _central_sees(cast, incident) == (True, True, True, 200, True)
    assert "Saknar samordnare" in cast.client("central_coordinator").get("/handelser/").content.decode()


def test_a_closed_incident_is_not_in_the_queue(cast):
    incident = make_incident(reporter=cast["staff"], district_code=_skarholmen_code(), status=Status.CLOSED)
    assert _central_sees(cast, incident) == (False, False, False, 404, False)


def test_closing_an_incident_from_the_queue_takes_the_central_coordinator_back_to_the_list(cast):
    incident = make_incident(reporter=cast["staff"], district_code=_skarholmen_code())
    response = cast.client("central_coordinator").post(
        f"/handelser/{incident.pk}/status/", {"to_status": "closed", "comment": "Sanerat."}
    )
    assert response.status_code == 302 and response["Location"] == "/handelser/"
    assert Incident.objects.get().status == Status.CLOSED


def test_queue_rule_and_selector_agree_through_every_transition(cast):
    for district, status in [(_skarholmen_code(), Status.NEW), (_skarholmen_code(), Status.CLOSED)]:
        make_incident(reporter=cast["staff"], district_code=district, status=status)
    make_incident(reporter=cast["coordinator_other"])

    def check(stage: str) -> None:
        for name in cast:
            user = User.objects.get(pk=cast[name].pk)
            selected = set(permissions.incidents_visible_to(user, Incident.objects.all()).values_list("pk", flat=True))
            allowed = {i.pk for i in Incident.objects.all() if permissions.can(user, Action.VIEW_INCIDENT, i)}
            assert selected == allowed, (stage, name)

    check("start")
    _appoint_coordinator("skarholmen")
    check("skarholmen has a coordinator")
    Membership.objects.filter(organisation__slug="jarva", role=Role.COORDINATOR).delete()
    check("jarva lost its coordinator")


# --- The receipt: what the reporter was told at intake ------------------------------------------------


def test_the_receipt_is_what_the_reporter_was_told_even_after_a_reroute(cast, django_capture_on_commit_callbacks):
    staff = cast.client("staff")
    response = report(staff, district=_skarholmen_code())
    incident = Incident.objects.get()
    assert incident.intake.reported_to.slug == "skarholmen" and incident.intake.route == IntakeRoute.CENTRAL
    before = _receipt(staff, response["Location"])
    services.reroute_incident(
        incident=incident, actor=User.objects.get(pk=cast["central_coordinator"].pk), to_organisation=_org("sodermalm")
    )
    incident.refresh_from_db()
    assert incident.organisation.slug == "sodermalm"
    after = _receipt(staff, response["Location"])
    assert after == before
    assert "Södermalm" not in after and SKARHOLMEN in after
    assert "De lokala samordnarna vid" not in after  # nobody at Skärholmen was told, then or now


def test_the_receipt_does_not_change_when_the_council_gets_a_coordinator(cast):
    staff = cast.client("staff")
    response = report(staff, district=_skarholmen_code())
    before = _receipt(staff, response["Location"])
    assert "den centrala samordnaren" in before
    _appoint_coordinator("skarholmen")
    assert _receipt(staff, response["Location"]) == before


def test_the_receipt_says_nobody_was_told_when_nobody_was_even_if_a_central_coordinator_comes_later(
    cast, django_capture_on_commit_callbacks
):
    central = list(Membership.objects.filter(role=Role.CENTRAL_COORDINATOR).values("user_id", "organisation_id"))
    Membership.objects.filter(role=Role.CENTRAL_COORDINATOR).delete()
    staff = cast.client("staff")
    with django_capture_on_commit_callbacks(execute=True):
        response = report(staff, district=_skarholmen_code())
    assert not mail.outbox and Incident.objects.get().intake.route == IntakeRoute.NOBODY
    for row in central:
        Membership.objects.create(role=Role.CENTRAL_COORDINATOR, **row)
    receipt = _receipt(staff, response["Location"])
    assert "Ingen har fått något meddelande om den" in receipt
    assert "skickats till den centrala samordnaren" not in receipt


def test_a_rerouted_incident_that_was_routed_normally_keeps_its_receipt(cast):
    staff = cast.client("staff")
    response = report(staff)  # Järva, with a coordinator
    incident = Incident.objects.get()
    assert incident.intake.reported_to.slug == "jarva" and incident.intake.route == IntakeRoute.COORDINATOR
    before = _receipt(staff, response["Location"])
    assert "De lokala samordnarna vid Järva stadsdelsnämnd får ett meddelande" in before
    Membership.objects.filter(organisation__slug="jarva", role=Role.COORDINATOR).delete()
    services.reroute_incident(
        incident=incident, actor=User.objects.get(pk=cast["central_coordinator"].pk), to_organisation=_org("sodermalm")
    )
    assert _receipt(staff, response["Location"]) == before


@pytest.mark.django_db(transaction=True)
def test_the_migration_records_what_incidents_already_stored_were_told(reference_data, cast):
    """Every incident stored before the intake record gets one: where it was first sent (even after a
    re-routing) and, where the log or the outbox shows it, who was told."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    central = User.objects.get(pk=cast["central_coordinator"].pk)
    report(cast.client("staff"))  # Järva: its coordinators told (a routing message in the outbox)
    report(cast.client("staff"), district=_skarholmen_code())  # Skärholmen: the central coordinator
    moved = Incident.objects.get(district__code=_skarholmen_code())
    services.reroute_incident(incident=moved, actor=central, to_organisation=_org("sodermalm"))
    unknown = make_incident(reporter=cast["staff"], district_code=_skarholmen_code())  # no trace of routing
    expected = {
        Incident.objects.get(organisation__slug="jarva").pk: ("jarva", IntakeRoute.COORDINATOR),
        moved.pk: ("skarholmen", IntakeRoute.CENTRAL),
        unknown.pk: ("skarholmen", ""),
    }

    before = [("incidents", "0003_reference_numbers_in_core")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    found = {
        intake.incident_id: (intake.reported_to.slug, intake.route)
        for intake in IncidentIntake.objects.select_related("reported_to")
    }
    assert found == expected
