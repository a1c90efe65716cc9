from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from vbe.audit.models import AccessLogEntry
from vbe.organisations.models import District, Neighbourhood, Organisation, Unit, UnitKind
from vbe.organisations.services import merge_districts


def test_merging_moves_neighbourhoods_and_units_and_keeps_history(db):
    farsta, skarpnack = District.objects.get(name="Farsta"), District.objects.get(name="Skarpnäck")
    old_council = Organisation.objects.get(district=skarpnack)
    unit = Unit.objects.create(organisation=old_council, name="Fältgruppen Skarpnäck test", kind=UnitKind.FIELD_TEAM)
    moved = set(skarpnack.neighbourhoods.values_list("name", flat=True))
    merge_districts(sources=[skarpnack, farsta], target=farsta, actor=None)
    assert moved <= set(Neighbourhood.objects.filter(district=farsta).values_list("name", flat=True))
    unit.refresh_from_db()
    assert unit.organisation == Organisation.objects.get(district=farsta)
    skarpnack.refresh_from_db()
    old_council.refresh_from_db()
    assert not skarpnack.is_active and not old_council.is_active
    assert District.objects.get(pk=farsta.pk).geometry["type"] == "MultiPolygon"
    assert AccessLogEntry.objects.get(action="districts_merged").detail == "Skarpnäck → Farsta"


def test_merging_a_district_into_itself_is_refused(db):
    farsta = District.objects.get(name="Farsta")
    with pytest.raises(ValidationError, match="minst ett område"):
        merge_districts(sources=[farsta], target=farsta, actor=None)


def test_admin_merges_through_the_admin_action_once_a_second_person_approves(cast):
    from vbe.accounts import four_eyes_decisions
    from vbe.accounts.models import AccessChangeRequest, ChangeKind, ChangeState

    client = cast.client("admin")
    ids = list(District.objects.filter(name__in=["Bromma", "Kungsholmen"]).values_list("pk", flat=True))
    confirm = client.post("/admin/organisations/district/", {"action": "merge", "_selected_action": ids})
    assert confirm.status_code == 200 and "Slå ihop till" in confirm.content.decode()
    assert "en andra person" in confirm.content.decode()
    bromma = District.objects.get(name="Bromma")
    response = client.post(
        "/admin/organisations/district/",
        {"action": "merge", "_selected_action": ids, "confirm": "1", "target": bromma.pk},
        follow=True,
    )
    assert "är inte genomförd än" in response.content.decode()
    # Nothing moves until a second person approves.
    assert District.objects.get(name="Kungsholmen").is_active
    assert Neighbourhood.objects.get(name="Stora Essingen").district.name == "Kungsholmen"
    proposal = AccessChangeRequest.objects.get()
    assert (proposal.kind, proposal.state, proposal.district_id) == (
        ChangeKind.MERGE_DISTRICTS,
        ChangeState.PENDING,
        bromma.pk,
    )
    assert AccessLogEntry.objects.filter(action="access_change_proposed", object_id=str(bromma.pk)).exists()
    page = cast.client("central_coordinator").get("/behorighetsforslag/").content.decode()
    assert "Kungsholmen" in page and "Bromma" in page
    four_eyes_decisions.approve(actor=cast["central_coordinator"], proposal_id=proposal.pk)
    assert not District.objects.get(name="Kungsholmen").is_active
    assert Neighbourhood.objects.get(name="Stora Essingen").district == bromma
    assert AccessChangeRequest.objects.get().state == ChangeState.APPROVED


def test_an_administrator_cannot_merge_a_district_into_a_council_they_coordinate_alone(
    cast, django_capture_on_commit_callbacks
):
    """The red team's route: an innocent approval as coordinator of an empty new council, then Järva
    merged into it, moved every incident of Järva to the administrator."""
    from vbe.accounts import four_eyes_decisions, four_eyes_proposals, permissions
    from vbe.accounts.models import AccessChangeRequest, ChangeKind, Membership, Role, User
    from vbe.accounts.permissions import Action
    from vbe.accounts.tests.test_four_eyes import client_for
    from vbe.incidents.tests.factories import JARVA, make_incident
    from vbe.organisations.models import OrganisationKind

    incident = make_incident(reporter=cast["staff"], district_code=JARVA)
    jarva_council = incident.organisation
    admin = cast["admin"]
    new_district = District.objects.create(name="Testområde", code="99999")
    new_council = Organisation.objects.create(
        name="Testnämnd", slug="testnamnd", kind=OrganisationKind.DISTRICT_COUNCIL, district=new_district
    )
    proposal = four_eyes_proposals.propose(
        actor=admin,
        kind=ChangeKind.GRANT_ROLE,
        target=admin,
        organisation=new_council,
        role=Role.COORDINATOR,
    )
    four_eyes_decisions.approve(actor=cast["central_coordinator"], proposal_id=proposal.pk)
    assert Membership.objects.filter(user=admin, organisation=new_council).exists()
    client = client_for(User.objects.get(pk=admin.pk))
    ids = [District.objects.get(code=JARVA).pk, new_district.pk]
    client.post(
        "/admin/organisations/district/",
        {"action": "merge", "_selected_action": ids, "confirm": "1", "target": new_district.pk},
    )
    incident.refresh_from_db()
    assert incident.organisation == jarva_council
    assert not permissions.can(User.objects.get(pk=admin.pk), Action.VIEW_INCIDENT, incident)
    merge = AccessChangeRequest.objects.get(kind=ChangeKind.MERGE_DISTRICTS)
    # The decider sees where the incidents would go, and who coordinates there.
    page = cast.client("central_coordinator").get("/behorighetsforslag/").content.decode()
    assert "Testnämnd" in page and admin.full_name in page
    # The proposer cannot approve their own merge.
    assert client.post(f"/behorighetsforslag/{merge.pk}/", {"decision": "approve"}).status_code == 403
    incident.refresh_from_db()
    assert incident.organisation == jarva_council
    # Nor can someone who coordinates the council the incidents would go to.
    colleague = User.objects.create_user(email="kollega@test.example", password="x", full_name="Kollega")
    Membership.objects.create(user=colleague, organisation=Organisation.objects.get(slug="ks"), role=Role.ADMIN)
    Membership.objects.create(user=colleague, organisation=new_council, role=Role.COORDINATOR)
    with pytest.raises(ValidationError, match="arbetar i den nämnd"):
        four_eyes_decisions.approve(actor=colleague, proposal_id=merge.pk)
    assert AccessChangeRequest.objects.get(pk=merge.pk).state == "pending"
    incident.refresh_from_db()
    assert incident.organisation == jarva_council


def test_a_merge_proposal_is_void_when_the_target_council_changed_since(cast):
    from vbe.accounts import four_eyes_decisions, four_eyes_proposals
    from vbe.accounts.models import AccessChangeRequest, ChangeKind, ChangeState

    farsta, skarpnack = District.objects.get(name="Farsta"), District.objects.get(name="Skarpnäck")
    proposal = four_eyes_proposals.propose(
        actor=cast["admin"],
        kind=ChangeKind.MERGE_DISTRICTS,
        target=None,
        districts=[skarpnack],
        district=farsta,
    )
    Organisation.objects.filter(district=farsta).update(name="Farsta (ny)")
    with pytest.raises(ValidationError, match="har ändrats"):
        four_eyes_decisions.approve(actor=cast["central_coordinator"], proposal_id=proposal.pk)
    assert AccessChangeRequest.objects.get().state == ChangeState.VOID
    assert District.objects.get(pk=skarpnack.pk).is_active


def test_the_district_of_an_organisation_cannot_be_changed_in_the_admin(cast):
    from vbe.accounts.tests.test_four_eyes_hardening import organisation_form

    jarva = Organisation.objects.get(slug="jarva")
    sodermalm = Organisation.objects.get(slug="sodermalm")
    jarva_district = jarva.district
    # Free Södermalm's council's district first, then try to take Järva's area for it.
    client = cast.client("admin")
    client.post(f"/admin/organisations/organisation/{jarva.pk}/change/", organisation_form(jarva, district=""))
    client.post(
        f"/admin/organisations/organisation/{sodermalm.pk}/change/",
        organisation_form(sodermalm, district=jarva_district.pk),
    )
    assert Organisation.objects.get(pk=jarva.pk).district_id == jarva_district.pk
    assert Organisation.objects.get(pk=sodermalm.pk).district_id != jarva_district.pk
    page = client.get(f"/admin/organisations/organisation/{jarva.pk}/change/").content.decode()
    assert 'name="district"' not in page
    # A new organisation may name a district that has no council yet (there is nothing to move).
    assert 'name="district"' in client.get("/admin/organisations/organisation/add/").content.decode()
