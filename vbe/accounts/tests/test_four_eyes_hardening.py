"""Four eyes that cannot be talked round: what the second person approves is what was proposed (a
snapshot, refused when it changed since), proposals expire, a proposer who is no longer an
administrator proposes nothing, a reactivated account gets its roles back only with a second person,
and the second person checks people, not just accounts (who created the account, and when)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD
from vbe.accounts import four_eyes_decisions, four_eyes_proposals
from vbe.accounts.models import AccessChangeRequest, ChangeKind, ChangeState, Membership, Role, User
from vbe.accounts.tests import test_four_eyes
from vbe.accounts.tests.test_admin_roles import user_form
from vbe.accounts.tests.test_four_eyes import client_for, decide, membership_form
from vbe.audit.models import AccessLogEntry
from vbe.organisations.models import Organisation, Unit, UnitKind

second_admin = test_four_eyes.second_admin  # the fixture: another administrator


def organisation_form(organisation: Organisation, **changes) -> dict:
    """Everything the organisation's change page posts, with ``changes``."""
    data = {
        "name": organisation.name,
        "short_name": organisation.short_name,
        "slug": organisation.slug,
        "kind": organisation.kind,
        "parent": organisation.parent_id or "",
        "district": organisation.district_id or "",
        "requires_coordinator": "on" if organisation.requires_coordinator else "",
        "mission": organisation.mission,
        "is_active": "on" if organisation.is_active else "",
    }
    data.update(changes)
    # The contact-routes inline's management form, posting no route: the routes stay as they are.
    inline = {
        "contact_routes-TOTAL_FORMS": "0",
        "contact_routes-INITIAL_FORMS": "0",
        "contact_routes-MIN_NUM_FORMS": "0",
        "contact_routes-MAX_NUM_FORMS": "1000",
    }
    return {k: v for k, v in data.items() if v != ""} | inline


def page_text(client) -> str:
    return client.get("/behorighetsforslag/").content.decode()


# --- 1. The second person approves what was proposed, or nothing --------------------------------


def test_a_renamed_organisation_does_not_change_what_the_proposal_says_and_voids_it(
    cast, second_admin, django_capture_on_commit_callbacks
):
    admin, jarva = cast["admin"], Organisation.objects.get(slug="jarva")
    real_name = jarva.name
    client = cast.client("admin")
    client.post(
        f"/admin/accounts/user/{admin.pk}/change/",
        membership_form(admin, {"organisation": jarva.pk, "role": Role.COORDINATOR}),
    )
    proposal = AccessChangeRequest.objects.get()
    # The proposer renames Järva into something harmless-looking, through the admin site.
    harmless = "Övningsorganisation (test, inga ärenden)"
    response = client.post(
        f"/admin/organisations/organisation/{jarva.pk}/change/", organisation_form(jarva, name=harmless)
    )
    assert response.status_code == 302
    assert Organisation.objects.get(pk=jarva.pk).name == harmless
    renamed = AccessLogEntry.objects.get(action="organisation_renamed")
    assert (renamed.actor_id, renamed.object_id) == (admin.pk, str(jarva.pk))
    assert harmless not in renamed.detail and real_name not in renamed.detail  # references only
    # The decider is shown what was proposed, and told that it has changed since.
    central = cast.client("central_coordinator")
    page = page_text(central)
    assert f"Lokal samordnare i {real_name}" in page and harmless not in page
    assert "har ändrats sedan förslaget lades fram" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(central, proposal)
    assert "har ändrats sedan förslaget lades fram" in central.get(response["Location"]).content.decode()
    assert not Membership.objects.filter(user=admin, role=Role.COORDINATOR).exists()
    assert AccessChangeRequest.objects.get().state == ChangeState.VOID
    assert AccessLogEntry.objects.filter(action="access_change_voided", object_id=str(admin.pk)).exists()
    assert not AccessLogEntry.objects.filter(action="access_change_approved").exists()
    # Renamed back, the void proposal stays void: a new one is needed.
    Organisation.objects.filter(pk=jarva.pk).update(name=real_name)
    decide(central, proposal)
    assert not Membership.objects.filter(user=admin, role=Role.COORDINATOR).exists()


def test_a_renamed_target_voids_the_proposal(cast, second_admin):
    staff, jarva = cast["staff"], Organisation.objects.get(slug="jarva")
    proposal = four_eyes_proposals.propose(
        actor=cast["admin"],
        kind=ChangeKind.GRANT_ROLE,
        target=staff,
        organisation=jarva,
        role="caseworker",
    )
    assert proposal.snapshot["target_name"] == staff.full_name
    assert proposal.snapshot["target_email"] == staff.email
    form = membership_form(staff)
    form["full_name"] = "Någon Annan"
    cast.client("admin").post(f"/admin/accounts/user/{staff.pk}/change/", form)
    assert User.objects.get(pk=staff.pk).full_name == "Någon Annan"
    with pytest.raises(ValidationError, match="har ändrats"):
        four_eyes_decisions.approve(actor=second_admin, proposal_id=proposal.pk)
    assert AccessChangeRequest.objects.get().state == ChangeState.VOID
    assert not Membership.objects.filter(user=staff, role=Role.CASEWORKER).exists()


def test_a_renamed_unit_voids_the_proposal(cast, second_admin):
    manager_unit = Unit.objects.get(name="Testfritidsgården")
    proposal = four_eyes_proposals.propose(
        actor=cast["admin"],
        kind=ChangeKind.GRANT_ROLE,
        target=cast["staff"],
        organisation=manager_unit.organisation,
        unit=manager_unit,
        role=Role.UNIT_MANAGER,
    )
    Unit.objects.filter(pk=manager_unit.pk).update(name="Någon annan enhet")
    with pytest.raises(ValidationError, match="har ändrats"):
        four_eyes_decisions.approve(actor=second_admin, proposal_id=proposal.pk)
    assert not Membership.objects.filter(user=cast["staff"], role=Role.UNIT_MANAGER).exists()


# --- 6. Expiry, the proposer's role, deleted targets, units of other organisations ---------------


def test_a_proposal_expires(cast, second_admin, settings):
    settings.ACCESS_CHANGE_EXPIRY_DAYS = 7
    staff, jarva = cast["staff"], Organisation.objects.get(slug="jarva")
    kwargs = {"actor": cast["admin"], "kind": ChangeKind.GRANT_ROLE, "target": staff}
    proposal = four_eyes_proposals.propose(**kwargs, organisation=jarva, role="caseworker")
    AccessChangeRequest.objects.filter(pk=proposal.pk).update(proposed_at=timezone.now() - datetime.timedelta(days=8))
    assert "har gått ut" in page_text(cast.client("central_coordinator"))
    with pytest.raises(ValidationError, match="gått ut"):
        four_eyes_decisions.approve(actor=second_admin, proposal_id=proposal.pk)
    assert AccessChangeRequest.objects.get().state == ChangeState.EXPIRED
    assert not Membership.objects.filter(user=staff, role=Role.CASEWORKER).exists()
    assert AccessLogEntry.objects.filter(action="access_change_expired").exists()
    # An expired proposal no longer blocks a new one.
    fresh = four_eyes_proposals.propose(**kwargs, organisation=jarva, role="caseworker")
    four_eyes_decisions.approve(actor=second_admin, proposal_id=fresh.pk)
    assert Membership.objects.filter(user=staff, role=Role.CASEWORKER).exists()


def test_a_proposal_of_someone_who_is_no_longer_an_administrator_cannot_be_approved(cast, second_admin):
    staff, jarva = cast["staff"], Organisation.objects.get(slug="jarva")
    proposal = four_eyes_proposals.propose(
        actor=second_admin,
        kind=ChangeKind.GRANT_ROLE,
        target=staff,
        organisation=jarva,
        role="coordinator",
    )
    Membership.objects.filter(user=second_admin, role=Role.ADMIN).delete()
    with pytest.raises(ValidationError, match="inte längre administratör"):
        four_eyes_decisions.approve(actor=cast["central_coordinator"], proposal_id=proposal.pk)
    assert AccessChangeRequest.objects.get().state == ChangeState.VOID
    assert not Membership.objects.filter(user=staff, role=Role.COORDINATOR).exists()


def test_deleting_the_user_keeps_the_proposal_and_what_it_said(cast, second_admin):
    staff = cast["staff"]
    email = staff.email
    proposal = four_eyes_proposals.propose(actor=cast["admin"], kind=ChangeKind.RESET_PASSWORD, target=staff)
    response = cast.client("admin").post(f"/admin/accounts/user/{staff.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=staff.pk).exists()
    kept = AccessChangeRequest.objects.get(pk=proposal.pk)
    assert kept.target_id is None and kept.snapshot["target_email"] == email
    central = cast.client("central_coordinator")
    assert email in page_text(central)
    with pytest.raises(ValidationError, match="finns inte längre"):
        four_eyes_decisions.approve(actor=second_admin, proposal_id=proposal.pk)
    assert AccessChangeRequest.objects.get().state == ChangeState.VOID


def test_a_grant_in_a_unit_of_another_organisation_is_refused(cast, second_admin):
    staff = cast["staff"]
    jarva, sodermalm = Organisation.objects.get(slug="jarva"), Organisation.objects.get(slug="sodermalm")
    elsewhere = Unit.objects.create(organisation=sodermalm, name="Annan enhet", kind=UnitKind.LIBRARY)
    with pytest.raises(ValidationError, match="hör inte till"):
        four_eyes_proposals.propose(
            actor=cast["admin"],
            kind=ChangeKind.GRANT_ROLE,
            target=staff,
            organisation=jarva,
            unit=elsewhere,
            role=Role.UNIT_MANAGER,
        )
    # In the admin site the row is refused, for roles with personal data and without.
    client = cast.client("admin")
    for role in (Role.UNIT_MANAGER, Role.BOARD_READER):
        response = client.post(
            f"/admin/accounts/user/{staff.pk}/change/",
            membership_form(staff, {"organisation": jarva.pk, "unit": elsewhere.pk, "role": role}),
        )
        assert response.status_code == 200 and "hör inte till" in response.content.decode()
    assert not AccessChangeRequest.objects.exists()
    assert not Membership.objects.filter(unit=elsewhere).exists()
    # A unit moved to another organisation after the proposal: the approval is refused.
    here = Unit.objects.create(organisation=jarva, name="Järvaenhet", kind=UnitKind.LIBRARY)
    proposal = four_eyes_proposals.propose(
        actor=cast["admin"],
        kind=ChangeKind.GRANT_ROLE,
        target=staff,
        organisation=jarva,
        unit=here,
        role=Role.UNIT_MANAGER,
    )
    Unit.objects.filter(pk=here.pk).update(organisation=sodermalm)
    with pytest.raises(ValidationError):
        four_eyes_decisions.approve(actor=second_admin, proposal_id=proposal.pk)
    assert not Membership.objects.filter(user=staff, role=Role.UNIT_MANAGER).exists()


# --- 3. Reactivation restores roles with personal data only with a second person ------------------


def test_reactivating_an_account_with_roles_that_see_personal_data_is_a_proposal(
    cast, second_admin, django_capture_on_commit_callbacks
):
    coordinator = cast["coordinator"]
    User.objects.filter(pk=coordinator.pk).update(is_active=False)
    coordinator.refresh_from_db()
    form = membership_form(coordinator)
    form["is_active"] = "on"
    response = cast.client("admin").post(f"/admin/accounts/user/{coordinator.pk}/change/", form, follow=True)
    assert "är inte genomfört än" in response.content.decode()
    assert not User.objects.get(pk=coordinator.pk).is_active
    assert Membership.objects.filter(user=coordinator, role=Role.COORDINATOR).exists()  # nothing lost
    proposal = AccessChangeRequest.objects.get()
    assert (proposal.kind, proposal.target_id) == (ChangeKind.REACTIVATE_ACCOUNT, coordinator.pk)
    assert "Lokal samordnare i Järva" in page_text(cast.client("central_coordinator"))
    with django_capture_on_commit_callbacks(execute=True):
        decide(client_for(second_admin), proposal)
    assert User.objects.get(pk=coordinator.pk).is_active
    reactivated = AccessLogEntry.objects.get(action="account_reactivated")
    assert (reactivated.actor_id, reactivated.object_id) == (second_admin.pk, str(coordinator.pk))


def test_reactivating_an_account_without_personal_data_is_direct(cast):
    board_reader = cast["board_reader"]
    User.objects.filter(pk=board_reader.pk).update(is_active=False)
    board_reader.refresh_from_db()
    form = membership_form(board_reader)
    form["is_active"] = "on"
    cast.client("admin").post(f"/admin/accounts/user/{board_reader.pk}/change/", form)
    assert User.objects.get(pk=board_reader.pk).is_active
    assert not AccessChangeRequest.objects.exists()


# --- 4. Four eyes on people: who made the account --------------------------------------------------


def create_through_admin(cast, email: str = "ny@test.example", name: str = "admin") -> User:
    response = cast.client(name).post("/admin/accounts/user/add/", user_form(email=email))
    assert response.status_code == 302, response.content.decode()[:2000]
    return User.objects.get(email=email.lower())


def test_the_creator_of_an_account_cannot_propose_a_grant_for_it_at_first(cast, second_admin):
    created = create_through_admin(cast)
    assert created.created_by == cast["admin"]
    jarva = Organisation.objects.get(slug="jarva")
    response = cast.client("admin").post(
        f"/admin/accounts/user/{created.pk}/change/",
        membership_form(created, {"organisation": jarva.pk, "role": Role.COORDINATOR}),
        follow=True,
    )
    assert "skapade kontot" in response.content.decode()
    assert not AccessChangeRequest.objects.exists()
    # Another administrator may propose it, and the decider sees who made the account and its state.
    proposal = four_eyes_proposals.propose(
        actor=second_admin,
        kind=ChangeKind.GRANT_ROLE,
        target=created,
        organisation=jarva,
        role="coordinator",
    )
    page = page_text(cast.client("central_coordinator"))
    assert f"{cast['admin'].full_name}, {timezone.localtime(created.date_joined):%Y-%m-%d}" in page
    assert 'Lösenord valt</dt><dd class="govuk-summary-list__value">Nej' in page
    assert 'Senast inloggad</dt><dd class="govuk-summary-list__value">Aldrig' in page
    four_eyes_decisions.approve(actor=cast["central_coordinator"], proposal_id=proposal.pk)
    assert Membership.objects.filter(user=created, role=Role.COORDINATOR).exists()


def test_the_creator_rule_holds_at_approval_too(cast, second_admin):
    staff, jarva = cast["staff"], Organisation.objects.get(slug="jarva")
    proposal = four_eyes_proposals.propose(
        actor=cast["admin"],
        kind=ChangeKind.GRANT_ROLE,
        target=staff,
        organisation=jarva,
        role="caseworker",
    )
    User.objects.filter(pk=staff.pk).update(created_by=cast["admin"], date_joined=timezone.now())
    with pytest.raises(ValidationError, match="skapade kontot"):
        four_eyes_decisions.approve(actor=second_admin, proposal_id=proposal.pk)
    assert not Membership.objects.filter(user=staff, role=Role.CASEWORKER).exists()


def test_an_administrator_never_proposes_the_admin_role_for_an_account_they_created(cast, second_admin):
    created = create_through_admin(cast)
    User.objects.filter(pk=created.pk).update(date_joined=timezone.now() - datetime.timedelta(days=400))
    ks = Organisation.objects.get(slug="ks")
    kwargs = {"actor": cast["admin"], "kind": ChangeKind.GRANT_ROLE, "target": created}
    with pytest.raises(ValidationError, match="skapade kontot"):
        four_eyes_proposals.propose(**kwargs, organisation=ks, role=Role.ADMIN)
    # Long after creation, other roles may be proposed by the creator.
    four_eyes_proposals.propose(**kwargs, organisation=ks, role=Role.COORDINATOR)


def test_account_email_domains_are_enforced_in_the_admin(cast, settings):
    settings.ACCOUNT_EMAIL_DOMAINS = ["stad.example"]
    client = cast.client("admin")
    response = client.post("/admin/accounts/user/add/", user_form(email="hemma@privat.example"))
    assert response.status_code == 200 and "stad.example" in response.content.decode()
    assert not User.objects.filter(email="hemma@privat.example").exists()
    create_through_admin(cast, email="ny@STAD.example")
    staff = cast["staff"]
    form = membership_form(staff)
    form["email"] = "annan@privat.example"
    response = client.post(f"/admin/accounts/user/{staff.pk}/change/", form)
    assert response.status_code == 200
    assert not AccessChangeRequest.objects.exists()
    # An account from before the setting keeps its address and can still be deactivated.
    form = membership_form(staff)
    del form["is_active"]
    assert client.post(f"/admin/accounts/user/{staff.pk}/change/", form).status_code == 302
    assert not User.objects.get(pk=staff.pk).is_active
    settings.ACCOUNT_EMAIL_DOMAINS = []
    create_through_admin(cast, email="vem-som-helst@privat.example")


def test_last_sign_in_and_password_are_shown(cast, second_admin):
    user = cast["caseworker"]
    Client().post("/logga-in/", {"email": user.email, "password": PASSWORD})  # no factor yet: signed in
    four_eyes_proposals.propose(actor=cast["admin"], kind=ChangeKind.RESET_SECOND_FACTOR, target=user)
    page = page_text(cast.client("central_coordinator"))
    last = timezone.localtime(User.objects.get(pk=user.pk).last_login)
    assert f'Senast inloggad</dt><dd class="govuk-summary-list__value">{last:%Y-%m-%d %H:%M}' in page
    assert 'Lösenord valt</dt><dd class="govuk-summary-list__value">Ja' in page
