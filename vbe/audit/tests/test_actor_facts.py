"""Item 6 of issue 7 (first part): the log names the membership used for the access."""

from __future__ import annotations

import inspect

from vbe.accounts.models import Membership, Role, User
from vbe.audit import log
from vbe.audit.log import record
from vbe.audit.models import AccessLogEntry
from vbe.incidents.tests.factories import SODERMALM, make_incident
from vbe.organisations.models import Organisation, Unit, UnitKind


def _coordinator_in_jarva_and_sodermalm(cast) -> tuple[User, Organisation]:
    sodermalm = Organisation.objects.get(slug="sodermalm")
    Membership.objects.create(user=cast["coordinator"], organisation=sodermalm, role=Role.COORDINATOR)
    return User.objects.get(pk=cast["coordinator"].pk), sodermalm


def test_reading_a_sodermalm_incident_logs_the_sodermalm_coordinatorship(cast):
    user, sodermalm = _coordinator_in_jarva_and_sodermalm(cast)
    incident = make_incident(reporter=cast["coordinator_other"], district_code=SODERMALM)
    assert incident.organisation == sodermalm
    client = cast.client("coordinator")
    assert client.get(incident.get_absolute_url()).status_code == 200
    entry = AccessLogEntry.objects.get(action="incident_viewed", actor_id=user.pk)
    # Before: the alphabetically first organisation (Järva), not the one whose incident was read.
    assert (entry.actor_role, entry.actor_organisation) == (Role.COORDINATOR, sodermalm.name)


def test_obj_with_an_organisation_chooses_the_membership(cast):
    user, sodermalm = _coordinator_in_jarva_and_sodermalm(cast)
    unit = Unit.objects.create(organisation=sodermalm, name="Testbiblioteket", kind=UnitKind.LIBRARY)
    entry = record(action="unit_viewed", actor=user, obj=unit)
    assert (entry.actor_role, entry.actor_organisation) == (Role.COORDINATOR, sodermalm.name)


def test_explicit_organisation_id_wins_over_the_objects(cast):
    """A reader who came through a disclosure acts in their own organisation, not the object's."""
    user, sodermalm = _coordinator_in_jarva_and_sodermalm(cast)
    jarva_unit = Unit.objects.get(organisation__slug="jarva", name="Testfritidsgården")
    entry = record(action="x", actor=user, obj=jarva_unit, organisation_id=sodermalm.pk)
    assert entry.actor_organisation == sodermalm.name


def test_most_responsible_role_within_the_organisation(cast):
    user = User.objects.get(pk=cast["staff"].pk)  # staff in Järva
    sodermalm = Organisation.objects.get(slug="sodermalm")
    Membership.objects.create(user=user, organisation=sodermalm, role=Role.STAFF)
    Membership.objects.create(user=user, organisation=sodermalm, role=Role.CASEWORKER)
    assert user.audit_facts(sodermalm.pk) == (Role.CASEWORKER, sodermalm.name)
    assert user.audit_facts(Organisation.objects.get(slug="jarva").pk) == (Role.STAFF, "Järva stadsdelsnämnd")


def test_without_a_membership_in_the_organisation_the_primary_one_is_logged(cast):
    """A city-wide role acting on a district's object: the log says so, it does not invent a membership."""
    jarva_unit = Unit.objects.get(organisation__slug="jarva", name="Testfritidsgården")
    entry = record(action="x", actor=cast["central_coordinator"], obj=jarva_unit)
    assert entry.actor_role == Role.CENTRAL_COORDINATOR
    assert entry.actor_organisation == Organisation.objects.get(slug="ks").name
    assert cast["staff"].audit_facts(None) == (Role.STAFF, "Järva stadsdelsnämnd")


def test_audit_takes_the_facts_from_the_actor_not_from_the_permission_rules():
    assert "accounts.permissions" not in inspect.getsource(log)


def test_an_organisation_as_the_object_is_its_own_scope(cast):
    user, sodermalm = _coordinator_in_jarva_and_sodermalm(cast)
    entry = record(action="organisation_viewed", actor=user, obj=sodermalm)
    assert (entry.actor_role, entry.actor_organisation) == (Role.COORDINATOR, sodermalm.name)
