"""Four eyes on power: an administrator alone can neither give a role that sees personal data (to
anyone, themselves included) nor reset someone's credentials. One proposes, a second person decides."""

from __future__ import annotations

import datetime
import re
from threading import Barrier, Thread

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD, sign_in_client
from vbe.accounts import four_eyes_decisions, four_eyes_proposals, services
from vbe.accounts.models import AccessChangeRequest, ChangeKind, ChangeState, Membership, Role, User
from vbe.accounts.tests.test_admin_roles import user_form
from vbe.audit.models import AccessLogEntry
from vbe.concerns.models import Concern
from vbe.concerns.tests.conftest import submit_test_concern
from vbe.organisations.models import Organisation


@pytest.fixture
def second_admin(cast) -> User:
    user = User.objects.create_user(email="admin2@test.example", password=PASSWORD, full_name="Andra Admin")
    Membership.objects.create(user=user, organisation=Organisation.objects.get(slug="ks"), role=Role.ADMIN)
    return user


def client_for(user: User) -> Client:
    client = Client()
    sign_in_client(client, user)
    return client


def membership_form(user: User, *new: dict) -> dict:
    existing = [
        {"id": m.pk, "organisation": m.organisation_id, "unit": m.unit_id or "", "role": m.role, "user": user.pk}
        for m in Membership.objects.filter(user=user)
    ]
    return user_form(user, memberships=[*existing, *({"unit": "", "user": user.pk, **m} for m in new)])


def without_tokens(content: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", content.decode())


def decide(client: Client, proposal: AccessChangeRequest, decision: str = "approve", reason: str = ""):
    return client.post(f"/behorighetsforslag/{proposal.pk}/", {"decision": decision, "reason": reason})


def test_admin_grants_self_coordinator_no_membership_until_a_second_person_approves(
    cast, mailoutbox, django_capture_on_commit_callbacks
):
    admin, jarva = cast["admin"], Organisation.objects.get(slug="jarva")
    concern = submit_test_concern(cast)
    client = cast.client("admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/accounts/user/{admin.pk}/change/",
            membership_form(admin, {"organisation": jarva.pk, "role": Role.COORDINATOR}),
            follow=True,
        )
    assert "är inte genomfört än" in response.content.decode()
    assert not Membership.objects.filter(user=admin, role=Role.COORDINATOR).exists()
    proposal = AccessChangeRequest.objects.get()
    assert (proposal.kind, proposal.state, proposal.target, proposal.proposed_by) == (
        ChangeKind.GRANT_ROLE,
        ChangeState.PENDING,
        admin,
        admin,
    )
    assert client.get(f"/oro/arenden/{concern.reference}/").status_code == 404
    # The admin cannot approve it: they proposed it, and it concerns them.
    assert decide(client, proposal).status_code == 403
    assert not Membership.objects.filter(user=admin, role=Role.COORDINATOR).exists()
    assert AccessLogEntry.objects.filter(action="request_denied", actor_id=admin.pk).exists()
    # The central coordinator approves: now, and only now, the membership exists.
    with django_capture_on_commit_callbacks(execute=True):
        assert decide(cast.client("central_coordinator"), proposal)["Location"] == "/behorighetsforslag/"
    assert Membership.objects.filter(user=admin, organisation=jarva, role=Role.COORDINATOR).exists()
    assert client.get(f"/oro/arenden/{concern.reference}/").status_code == 200
    proposed = AccessLogEntry.objects.get(action="access_change_proposed")
    approved = AccessLogEntry.objects.get(action="access_change_approved")
    assert (proposed.actor_id, proposed.object_id) == (admin.pk, str(admin.pk))
    assert (approved.actor_id, approved.object_id) == (cast["central_coordinator"].pk, str(admin.pk))
    assert approved.detail == f"förslag {proposal.pk}: grant_role coordinator org {jarva.pk}"
    assert AccessLogEntry.objects.filter(action="role_granted", object_id=str(admin.pk)).exists()
    # The auditor and the person concerned are told of both steps, one message per recipient.
    assert all(len(m.to) == 1 for m in mailoutbox)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([cast["auditor"].email, admin.email] * 2)
    auditor_mail = next(m for m in mailoutbox if m.to == [cast["auditor"].email])
    assert admin.email not in auditor_mail.body and admin.full_name not in auditor_mail.body


def test_proposer_cannot_approve_own_proposal(cast, second_admin):
    staff, jarva = cast["staff"], Organisation.objects.get(slug="jarva")
    client = cast.client("admin")
    client.post(
        f"/admin/accounts/user/{staff.pk}/change/",
        membership_form(staff, {"organisation": jarva.pk, "role": "caseworker"}),
    )
    proposal = AccessChangeRequest.objects.get(target=staff)
    assert decide(client, proposal).status_code == 403
    assert AccessChangeRequest.objects.get().state == ChangeState.PENDING
    assert not Membership.objects.filter(user=staff, role=Role.CASEWORKER).exists()
    # Another administrator may.
    assert decide(client_for(second_admin), proposal).status_code == 302
    assert Membership.objects.filter(user=staff, organisation=jarva, role=Role.CASEWORKER).exists()
    assert AccessChangeRequest.objects.get().decided_by == second_admin


def test_the_person_concerned_cannot_approve(cast, second_admin):
    central = cast["central_coordinator"]
    jarva = Organisation.objects.get(slug="jarva")
    cast.client("admin").post(
        f"/admin/accounts/user/{central.pk}/change/",
        membership_form(central, {"organisation": jarva.pk, "role": Role.COORDINATOR}),
    )
    proposal = AccessChangeRequest.objects.get()
    assert decide(cast.client("central_coordinator"), proposal).status_code == 403
    assert not Membership.objects.filter(user=central, role=Role.COORDINATOR).exists()
    assert decide(client_for(second_admin), proposal, "reject").status_code == 302
    assert AccessChangeRequest.objects.get().state == ChangeState.REJECTED


@pytest.mark.parametrize("name", ["staff", "coordinator", "auditor", "caseworker", "board_reader"])
def test_only_administrators_and_the_central_coordinator_decide(cast, name):
    proposal = four_eyes_proposals.propose(
        actor=cast["admin"], kind=ChangeKind.RESET_SECOND_FACTOR, target=cast["unit_manager"]
    )
    client = cast.client(name)
    assert client.get("/behorighetsforslag/").status_code == 403
    assert decide(client, proposal).status_code == 403
    assert AccessChangeRequest.objects.get().state == ChangeState.PENDING


def test_roles_without_personal_data_are_granted_directly(cast):
    staff, board = cast["staff"], Organisation.objects.get(slug="utbildningsnamnden")
    cast.client("admin").post(
        f"/admin/accounts/user/{staff.pk}/change/",
        membership_form(staff, {"organisation": board.pk, "role": Role.BOARD_READER}),
    )
    assert Membership.objects.filter(user=staff, organisation=board, role=Role.BOARD_READER).exists()
    assert not AccessChangeRequest.objects.exists()
    assert AccessLogEntry.objects.filter(action="role_granted", object_id=str(staff.pk)).exists()


def test_changing_a_membership_into_a_role_with_personal_data_is_a_proposal(cast, second_admin):
    staff = cast["staff"]
    membership = Membership.objects.get(user=staff)
    form = membership_form(staff)
    form["memberships-0-role"] = Role.UNIT_MANAGER
    cast.client("admin").post(f"/admin/accounts/user/{staff.pk}/change/", form)
    assert Membership.objects.get(pk=membership.pk).role == Role.STAFF  # unchanged
    proposal = AccessChangeRequest.objects.get()
    assert (proposal.role, proposal.organisation_id, proposal.unit_id) == (
        Role.UNIT_MANAGER,
        membership.organisation_id,
        membership.unit_id,
    )
    decide(client_for(second_admin), proposal)
    assert Membership.objects.filter(user=staff, role=Role.UNIT_MANAGER, unit_id=membership.unit_id).exists()


def test_password_reset_is_a_proposal_and_only_the_user_gets_the_link(
    cast, second_admin, mailoutbox, django_capture_on_commit_callbacks
):
    staff = cast["staff"]
    staff_session = cast.client("staff")
    form = membership_form(staff)
    form["propose_password_reset"] = "on"
    with django_capture_on_commit_callbacks(execute=True):
        cast.client("admin").post(f"/admin/accounts/user/{staff.pk}/change/", form)
    proposal = AccessChangeRequest.objects.get()
    assert proposal.kind == ChangeKind.RESET_PASSWORD
    assert User.objects.get(pk=staff.pk).check_password(PASSWORD)  # nothing changed yet
    assert staff_session.get("/").status_code == 200
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decide(client_for(second_admin), proposal)
    staff.refresh_from_db()
    assert not staff.has_usable_password()
    assert staff_session.get("/").status_code == 302  # the old sessions end with the password
    links = {m.to[0]: re.findall(r"/konto/valj-losenord/\S+/", m.body) for m in mailoutbox}
    assert links[staff.email] and not links.get(cast["auditor"].email)
    assert set(links) == {staff.email, cast["auditor"].email}  # nothing to either administrator
    assert AccessLogEntry.objects.filter(action="password_reset", object_id=str(staff.pk)).exists()
    assert AccessLogEntry.objects.filter(action="password_link_sent", object_id=str(staff.pk)).exists()


def test_second_factor_reset_is_a_proposal(cast, second_admin):
    user = cast["coordinator"]
    services.new_totp_secret(user=user)
    User.objects.filter(pk=user.pk).update(totp_confirmed_at=timezone.now())
    response = cast.client("admin").post(
        "/admin/accounts/user/",
        {"action": "propose_second_factor_reset", "_selected_action": [user.pk], "index": 0},
        follow=True,
    )
    assert "är inte genomfört än" in response.content.decode()
    assert User.objects.get(pk=user.pk).has_totp
    assert not AccessLogEntry.objects.filter(action="mfa_reset").exists()
    decide(client_for(second_admin), AccessChangeRequest.objects.get())
    assert not User.objects.get(pk=user.pk).has_totp
    assert AccessLogEntry.objects.get(action="mfa_reset").actor_id == second_admin.pk


def test_a_new_email_address_is_a_proposal(cast, second_admin, mailoutbox, django_capture_on_commit_callbacks):
    staff = cast["staff"]
    form = membership_form(staff)
    form["email"] = "ny-adress@test.example"
    cast.client("admin").post(f"/admin/accounts/user/{staff.pk}/change/", form)
    assert User.objects.get(pk=staff.pk).email == "staff@test.example"
    with django_capture_on_commit_callbacks(execute=True):
        decide(client_for(second_admin), AccessChangeRequest.objects.get())
    assert User.objects.get(pk=staff.pk).email == "ny-adress@test.example"
    told = {m.to[0] for m in mailoutbox}
    assert {"staff@test.example", "ny-adress@test.example"} <= told  # the old address learns of it


def test_rejection_changes_nothing_and_its_reason_stays_out_of_the_log(
    cast, mailoutbox, django_capture_on_commit_callbacks
):
    staff, jarva = cast["staff"], Organisation.objects.get(slug="jarva")
    proposal = four_eyes_proposals.propose(
        actor=cast["admin"],
        kind=ChangeKind.GRANT_ROLE,
        target=staff,
        organisation=jarva,
        role="coordinator",
    )
    with django_capture_on_commit_callbacks(execute=True):
        decide(cast.client("central_coordinator"), proposal, "reject", reason="Testperson Testsson är olämplig")
    proposal.refresh_from_db()
    assert proposal.state == ChangeState.REJECTED and proposal.reason == "Testperson Testsson är olämplig"
    assert not Membership.objects.filter(user=staff, role=Role.COORDINATOR).exists()
    assert AccessLogEntry.objects.filter(action="access_change_rejected", object_id=str(staff.pk)).exists()
    assert not AccessLogEntry.objects.filter(detail__contains="Testsson").exists()
    assert not any("Testsson" in m.body for m in mailoutbox)
    # Decided is decided.
    decide(cast.client("central_coordinator"), proposal)
    assert AccessChangeRequest.objects.get().state == ChangeState.REJECTED
    assert not Membership.objects.filter(user=staff, role=Role.COORDINATOR).exists()


def test_a_second_identical_proposal_is_refused(cast):
    kwargs = {"actor": cast["admin"], "kind": ChangeKind.RESET_SECOND_FACTOR, "target": cast["staff"]}
    four_eyes_proposals.propose(**kwargs)
    with pytest.raises(Exception, match="redan ett förslag"):
        four_eyes_proposals.propose(**kwargs)


def test_proposals_page_shows_buttons_only_to_those_who_may_decide(cast):
    four_eyes_proposals.propose(actor=cast["admin"], kind=ChangeKind.RESET_SECOND_FACTOR, target=cast["staff"])
    own = cast.client("admin").get("/behorighetsforslag/").content.decode()
    assert "Förslag" in own and "En annan person beslutar" in own and 'value="approve"' not in own
    central = cast.client("central_coordinator").get("/behorighetsforslag/").content.decode()
    assert 'value="approve"' in central and 'value="reject"' in central
    index = cast.client("central_coordinator").get("/admin/").content.decode()
    assert "/behorighetsforslag/" in index and "väntar på beslut: 1" in index


def test_deciding_needs_a_recent_authentication(cast):
    proposal = four_eyes_proposals.propose(
        actor=cast["admin"], kind=ChangeKind.RESET_SECOND_FACTOR, target=cast["staff"]
    )
    client = cast.client("central_coordinator")
    session = client.session
    session[services.SESSION_SIGNED_IN_AT] = (timezone.now() - datetime.timedelta(minutes=30)).timestamp()
    session.save()
    response = decide(client, proposal)
    assert response["Location"] == "/konto/bekrafta/?next=%2Fbehorighetsforslag%2F"
    assert AccessChangeRequest.objects.get().state == ChangeState.PENDING


def test_view_on_site_answers_the_same_for_existing_and_missing_concerns(cast):
    concern = submit_test_concern(cast)
    content_type = ContentType.objects.get_for_model(Concern).pk
    for name in ("admin", "central_coordinator"):
        client = cast.client(name)
        existing = client.get(f"/admin/r/{content_type}/{concern.pk}/")
        missing = client.get(f"/admin/r/{content_type}/{concern.pk + 1000}/")
        assert existing.status_code == missing.status_code == 404
        assert without_tokens(existing.content) == without_tokens(missing.content)
    # Models the site administers still work for those who administer them.
    jarva = Organisation.objects.get(slug="jarva")
    organisation_type = ContentType.objects.get_for_model(Organisation).pk
    assert cast.client("admin").get(f"/admin/r/{organisation_type}/{jarva.pk}/")["Location"].endswith("/jarva/")
    assert cast.client("admin").get(f"/admin/r/{organisation_type}/x/").status_code == 404
    assert cast.client("admin").get("/admin/r/x/1/").status_code == 404


@pytest.mark.parametrize("field", ["organisation", "unit"])
def test_admin_autocomplete_for_granting_roles_answers(cast, field):
    url = f"/admin/autocomplete/?app_label=accounts&model_name=membership&field_name={field}&term="
    response = cast.client("admin").get(url + ("Järva" if field == "organisation" else "Test"))
    assert response.status_code == 200
    names = [r["text"] for r in response.json()["results"]]
    assert names and all(("Järva" if field == "organisation" else "Test") in n for n in names)
    assert cast.client("central_coordinator").get(url + "a").status_code == 403
    assert cast.client("admin").get(url.replace(field, "nope") + "a").status_code == 403


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs row locks (PostgreSQL)")
def test_two_people_deciding_one_proposal_at_once_make_one_decision(cast, second_admin):
    jarva = Organisation.objects.get(slug="jarva")
    proposal = four_eyes_proposals.propose(
        actor=cast["admin"],
        kind=ChangeKind.GRANT_ROLE,
        target=cast["staff"],
        organisation=jarva,
        role="coordinator",
    )
    barrier, errors, outcomes = Barrier(2), [], []

    def run(actor_id: int, decision: str) -> None:
        try:
            barrier.wait(timeout=10)
            actor = User.objects.get(pk=actor_id)
            call = four_eyes_decisions.approve if decision == "approve" else four_eyes_decisions.reject
            call(actor=actor, proposal_id=proposal.pk)
            outcomes.append(decision)
        except Exception as exc:  # noqa: BLE001 - "already decided" is expected once; anything else is an error
            if "redan beslutat" in str(exc):
                outcomes.append("refused")
            else:
                errors.append(exc)
        finally:
            connection.close()

    threads = [
        Thread(target=run, args=(cast["central_coordinator"].pk, "approve")),
        Thread(target=run, args=(second_admin.pk, "reject")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert sorted(outcomes) in (["approve", "refused"], ["refused", "reject"])
    decided = AccessChangeRequest.objects.get()
    granted = Membership.objects.filter(user=cast["staff"], role=Role.COORDINATOR).exists()
    assert granted == (decided.state == ChangeState.APPROVED)
    decisions = AccessLogEntry.objects.filter(action__in=["access_change_approved", "access_change_rejected"])
    assert decisions.count() == 1


def test_approving_an_address_someone_took_meanwhile_is_refused(cast, second_admin):
    proposal = four_eyes_proposals.propose(
        actor=cast["admin"],
        kind=ChangeKind.CHANGE_EMAIL,
        target=cast["staff"],
        new_email="ny@test.example",
    )
    User.objects.filter(pk=cast["board_reader"].pk).update(email="ny@test.example")
    client = client_for(second_admin)
    response = decide(client, proposal)
    assert response.status_code == 302
    assert "används redan" in client.get(response["Location"]).content.decode()
    assert AccessChangeRequest.objects.get().state == ChangeState.PENDING
    assert User.objects.get(pk=cast["staff"].pk).email == "staff@test.example"
