"""Incidents: who may read what waits for lack of a coordinator, and the receipt says what the reporter
was told at intake, never where the incident is now (issue 7, items 2 and 11, red team).

The central coordinators read and handle an open incident only while it is in the central queue: it
ARRIVED at a council without an active coordinator and that council still has none. An incident whose
council's coordinators left after it arrived waits, unread, for a new coordinator: the central
coordinators see its reference, district, date and category and may re-route it to an organisation
that has a coordinator."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from vbe.accounts import permissions
from vbe.accounts.models import Membership, Role, User
from vbe.accounts.permissions import Action
from vbe.audit.models import AccessLogEntry
from vbe.incidents import services
from vbe.incidents.models import Incident, IncidentIntake, IntakeRoute, Status
from vbe.incidents.tests.factories import attach_photo, make_incident
from vbe.incidents.tests.test_report import report
from vbe.organisations.models import Organisation

SKARHOLMEN = "Skärholmen stadsdelsnämnd"
AWAITING = 'id="vantar-pa-samordnare"'
SECRET = "Klistermärken med extremistiska symboler på en busskur."  # the factory's description


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


def _sections(page: str) -> tuple[str, str]:
    main, _, awaiting = page.partition(AWAITING)
    return main, awaiting


def _central_sees(cast, incident: Incident) -> tuple[bool, bool, bool, int, bool]:
    """(view rule, handle rule, selector, detail status, in the list) for the central coordinator."""
    user = User.objects.get(pk=cast["central_coordinator"].pk)
    incident = Incident.objects.get(pk=incident.pk)
    view = permissions.can(user, Action.VIEW_INCIDENT, incident)
    handle = permissions.can(user, Action.HANDLE_INCIDENT, incident)
    selector = permissions.incidents_visible_to(user, Incident.objects.all()).filter(pk=incident.pk).exists()
    client = cast.client("central_coordinator")
    status = client.get(f"/handelser/{incident.pk}/").status_code
    listed = incident.reference in _sections(client.get("/handelser/").content.decode())[0]
    return view, handle, selector, status, listed


def _awaits(cast, incident: Incident) -> tuple[bool, bool, int, bool]:
    """(selector, re-route rule, re-route page status, in the waiting section) for the central coordinator."""
    user = User.objects.get(pk=cast["central_coordinator"].pk)
    incident = Incident.objects.get(pk=incident.pk)
    selector = permissions.incidents_awaiting_coordinator(user, Incident.objects.all()).filter(pk=incident.pk).exists()
    rule = permissions.can(user, Action.REROUTE_INCIDENT, incident)
    client = cast.client("central_coordinator")
    status = client.get(f"/handelser/{incident.pk}/vantar-pa-samordnare/").status_code
    listed = incident.reference in _sections(client.get("/handelser/").content.decode())[1]
    return selector, rule, status, listed


READ = (True, True, True, 200, True)
UNREAD = (False, False, False, 404, False)
WAITING = (True, True, 200, True)
NOT_WAITING = (False, False, 404, False)


def _orphan(cast) -> Incident:
    """An incident routed to Järva (it has a coordinator), whose coordinator is then deactivated."""
    incident = make_incident(reporter=cast["staff"], place_description="Testgatan 12")
    User.objects.filter(pk=cast["coordinator"].pk).update(is_active=False)
    return incident


def test_when_the_council_gets_a_coordinator_central_access_ends_at_once(cast):
    report(cast.client("staff"), district=_skarholmen_code())
    incident = Incident.objects.get()
    assert _central_sees(cast, incident) == READ
    assert _awaits(cast, incident)[0] is False
    _appoint_coordinator("skarholmen")
    assert _central_sees(cast, incident) == UNREAD
    assert _awaits(cast, incident) == NOT_WAITING
    central = cast.client("central_coordinator")
    # Neither the reporter's name and e-mail on the page nor the handling are theirs any more.
    acknowledge = {"lock_version": 1, "to_status": "acknowledged"}
    assert central.post(f"/handelser/{incident.pk}/status/", acknowledge).status_code == 404
    sodermalm = _org("sodermalm").pk
    reroute = {"lock_version": 1, "to_organisation": sodermalm}
    assert central.post(f"/handelser/{incident.pk}/skicka-vidare/", reroute).status_code == 404
    assert Incident.objects.get().status == Status.NEW


def test_once_a_coordinator_has_handled_it_it_never_returns_to_the_queue(cast):
    report(cast.client("staff"), district=_skarholmen_code())
    incident = Incident.objects.get()
    newcomer = _appoint_coordinator("skarholmen")
    services.acknowledge_incident(incident_id=incident.pk, actor=newcomer, lock_version=1, comment="Vi tittar på det.")
    assert not Incident.objects.get().without_coordinator
    User.objects.filter(pk=newcomer.pk).update(is_active=False)
    assert _central_sees(cast, incident) == UNREAD
    assert _awaits(cast, incident) == WAITING


def test_when_the_last_coordinator_goes_the_open_incident_waits_unread(cast):
    incident = _orphan(cast)
    photo = attach_photo(incident)
    assert _central_sees(cast, incident) == UNREAD
    central = cast.client("central_coordinator")
    assert central.get(f"/handelser/{incident.pk}/bild/{photo.pk}/").status_code == 404
    acknowledge = {"lock_version": 1, "to_status": "acknowledged"}
    assert central.post(f"/handelser/{incident.pk}/status/", acknowledge).status_code == 404
    assert _awaits(cast, incident) == WAITING
    _, section = _sections(central.get("/handelser/").content.decode())
    assert "Händelser som väntar på en ny samordnare" in section
    assert incident.reference in section and "Järva" in section and "Propaganda" in section
    assert SECRET not in section and "Testgatan" not in section


def test_a_closed_incident_is_neither_read_nor_waiting(cast):
    queued = make_incident(
        reporter=cast["staff"], district_code=_skarholmen_code(), status=Status.CLOSED, without_coordinator=True
    )
    orphan = _orphan(cast)
    Incident.objects.filter(pk=orphan.pk).update(status=Status.CLOSED)
    for incident in (queued, orphan):
        assert _central_sees(cast, incident) == UNREAD
        assert _awaits(cast, incident) == NOT_WAITING


def test_the_reroute_page_shows_only_the_facts_and_is_logged(cast):
    incident = _orphan(cast)
    page = cast.client("central_coordinator").get(f"/handelser/{incident.pk}/vantar-pa-samordnare/")
    text = page.content.decode()
    assert page.status_code == 200
    assert incident.reference in text and "Järva" in text and "Propaganda" in text
    for secret in (SECRET, "Testgatan", cast["staff"].email, cast["staff"].full_name, "Testfritidsgården"):
        assert secret not in text
    assert f'value="{_org("sodermalm").pk}"' in text and f'value="{_org("sisab").pk}"' not in text
    entry = AccessLogEntry.objects.get(action="incident_awaiting_viewed")
    assert entry.object_id == str(incident.pk) and entry.actor_id == cast["central_coordinator"].pk
    cast.client("central_coordinator").get("/handelser/")
    assert incident.reference in AccessLogEntry.objects.get(action="incident_awaiting_list_viewed").detail


def test_the_central_coordinator_reroutes_it_unread(cast, django_capture_on_commit_callbacks):
    incident = _orphan(cast)
    central = cast.client("central_coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        response = central.post(
            f"/handelser/{incident.pk}/vantar-pa-samordnare/",
            {"lock_version": 1, "to_organisation": _org("sodermalm").pk},
        )
    assert response.status_code == 302 and response["Location"] == "/handelser/"
    incident.refresh_from_db()
    assert incident.organisation.slug == "sodermalm" and not incident.without_coordinator
    assert AccessLogEntry.objects.filter(action="incident_rerouted", object_id=str(incident.pk)).exists()
    assert [m.to for m in mail.outbox] == [["coordinator_other@test.example"]]
    assert _central_sees(cast, incident) == UNREAD and _awaits(cast, incident) == NOT_WAITING


def test_an_unread_reroute_checks_the_version_the_page_showed(cast):
    incident = _orphan(cast)
    central = cast.client("central_coordinator")
    page = central.get(f"/handelser/{incident.pk}/vantar-pa-samordnare/").content.decode()
    assert '<input type="hidden" name="lock_version" value="1"' in page
    Incident.objects.filter(pk=incident.pk).update(lock_version=2)  # changed meanwhile
    response = central.post(
        f"/handelser/{incident.pk}/vantar-pa-samordnare/", {"lock_version": 1, "to_organisation": _org("sodermalm").pk}
    )
    assert response.status_code == 400
    assert "Händelsen har ändrats av någon annan sedan du öppnade sidan." in response.content.decode()
    incident.refresh_from_db()
    assert incident.organisation.slug == "jarva"
    assert not AccessLogEntry.objects.filter(action="incident_rerouted").exists()


def test_an_unread_incident_is_never_rerouted_where_the_central_coordinator_could_read_it(cast):
    incident = _orphan(cast)
    response = cast.client("central_coordinator").post(
        f"/handelser/{incident.pk}/vantar-pa-samordnare/", {"lock_version": 1, "to_organisation": _org("sisab").pk}
    )
    assert response.status_code == 400 and "Välj en organisation i listan" in response.content.decode()
    # The service refuses it too, under the row lock, whoever calls it.
    with pytest.raises(ValidationError, match="saknar lokal samordnare"):
        services.reroute_incident(
            incident_id=incident.pk,
            actor=User.objects.get(pk=cast["central_coordinator"].pk),
            lock_version=1,
            to_organisation=_org("sisab"),
        )
    incident.refresh_from_db()
    assert incident.organisation.slug == "jarva" and not incident.without_coordinator


def test_the_reroute_page_is_for_waiting_incidents_and_the_central_coordinator_only(cast):
    queued = make_incident(reporter=cast["staff"], district_code=_skarholmen_code(), without_coordinator=True)
    handled = make_incident(reporter=cast["coordinator_other"], district_code="80127")  # Södermalm has one
    orphan = _orphan(cast)
    central = cast.client("central_coordinator")
    assert central.get(f"/handelser/{queued.pk}/vantar-pa-samordnare/").status_code == 404
    assert central.get(f"/handelser/{handled.pk}/vantar-pa-samordnare/").status_code == 404
    for name in ("staff", "unit_manager", "coordinator_other", "admin", "auditor"):
        client = cast.client(name)
        assert client.get(f"/handelser/{orphan.pk}/vantar-pa-samordnare/").status_code == 404, name
        sodermalm = _org("sodermalm").pk
        response = client.post(
            f"/handelser/{orphan.pk}/vantar-pa-samordnare/", {"lock_version": 1, "to_organisation": sodermalm}
        )
        assert response.status_code == 404, name
    assert Incident.objects.get(pk=orphan.pk).organisation.slug == "jarva"


def test_queue_rule_and_selector_agree_through_every_transition(cast):
    for district, status in [(_skarholmen_code(), Status.NEW), (_skarholmen_code(), Status.CLOSED)]:
        make_incident(reporter=cast["staff"], district_code=district, status=status, without_coordinator=True)
    make_incident(reporter=cast["staff"], district_code=_skarholmen_code())  # stored before the flag
    make_incident(reporter=cast["coordinator_other"])

    def check(stage: str) -> None:
        for name in cast:
            user = User.objects.get(pk=cast[name].pk)
            selected = set(permissions.incidents_visible_to(user, Incident.objects.all()).values_list("pk", flat=True))
            allowed = {i.pk for i in Incident.objects.all() if permissions.can(user, Action.VIEW_INCIDENT, i)}
            assert selected == allowed, (stage, name)
            waiting = set(
                permissions.incidents_awaiting_coordinator(user, Incident.objects.all()).values_list("pk", flat=True)
            )
            unread_reroute = {
                i.pk
                for i in Incident.objects.all()
                if permissions.can(user, Action.REROUTE_INCIDENT, i)
                and not permissions.can(user, Action.VIEW_INCIDENT, i)
            }
            assert waiting == unread_reroute, (stage, name)

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
        incident_id=incident.pk,
        actor=User.objects.get(pk=cast["central_coordinator"].pk),
        lock_version=1,
        to_organisation=_org("sodermalm"),
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
        incident_id=incident.pk,
        actor=User.objects.get(pk=cast["central_coordinator"].pk),
        lock_version=1,
        to_organisation=_org("sodermalm"),
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
    services.reroute_incident(incident_id=moved.pk, actor=central, lock_version=1, to_organisation=_org("sodermalm"))
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
