"""The four-eyes decisions asked of the services directly (vbe.accounts.four_eyes_decisions), not through
the proposals page: who may decide, that a decided proposal stays decided, and that the decision names
who made it, in the proposal and in the access log."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from vbe.accounts import four_eyes_decisions, four_eyes_mail, four_eyes_proposals
from vbe.accounts.models import AccessChangeRequest, ChangeKind, ChangeState, Membership, Role, User
from vbe.audit.models import AccessLogEntry, Outcome
from vbe.organisations.models import District, Organisation, Unit, UnitKind


@pytest.fixture
def proposal(cast) -> AccessChangeRequest:
    """The administrator proposes that Järva's staff member becomes a coordinator."""
    return four_eyes_proposals.propose(
        actor=cast["admin"],
        kind=ChangeKind.GRANT_ROLE,
        target=cast["staff"],
        organisation=Organisation.objects.get(slug="jarva"),
        role=Role.COORDINATOR,
    )


def _state(proposal: AccessChangeRequest) -> tuple:
    fresh = AccessChangeRequest.objects.get(pk=proposal.pk)
    return fresh.state, fresh.decided_by_id, fresh.decided_at, fresh.reason


def _is_coordinator(user) -> bool:
    return Membership.objects.filter(user=user, role=Role.COORDINATOR).exists()


@pytest.mark.parametrize("decision", ["approve", "reject"])
@pytest.mark.parametrize("who", ["admin", "staff", "auditor", "coordinator"])
def test_neither_the_proposer_the_person_concerned_nor_another_role_decides(cast, proposal, decision, who):
    before = _state(proposal)
    with pytest.raises(PermissionDenied):
        getattr(four_eyes_decisions, decision)(actor=cast[who], proposal_id=proposal.pk)
    assert _state(proposal) == before and before[0] == ChangeState.PENDING
    assert not _is_coordinator(cast["staff"])


def test_a_rejection_names_who_decided_and_when_and_is_logged_as_a_denial(cast, proposal):
    central = cast["central_coordinator"]
    four_eyes_decisions.reject(actor=central, proposal_id=proposal.pk, reason="  Inte nu  ")
    state, decided_by, decided_at, reason = _state(proposal)
    assert (state, decided_by, reason) == (ChangeState.REJECTED, central.pk, "Inte nu")
    assert decided_at is not None
    row = AccessLogEntry.objects.get(action="access_change_rejected")
    assert (row.actor_id, row.outcome, row.object_id) == (central.pk, Outcome.DENIED, str(cast["staff"].pk))
    assert not _is_coordinator(cast["staff"])


def test_an_approval_applies_the_change_and_names_who_decided(cast, proposal):
    central = cast["central_coordinator"]
    four_eyes_decisions.approve(actor=central, proposal_id=proposal.pk)
    state, decided_by, decided_at, _ = _state(proposal)
    assert (state, decided_by) == (ChangeState.APPROVED, central.pk) and decided_at is not None
    assert _is_coordinator(cast["staff"])
    row = AccessLogEntry.objects.get(action="access_change_approved")
    assert (row.actor_id, row.outcome) == (central.pk, Outcome.ALLOWED)


@pytest.mark.parametrize("first", ["approve", "reject"])
@pytest.mark.parametrize("then", ["approve", "reject"])
def test_a_decided_proposal_stays_decided(cast, proposal, first, then):
    getattr(four_eyes_decisions, first)(actor=cast["central_coordinator"], proposal_id=proposal.pk)
    decided = _state(proposal)
    coordinator_after_first = _is_coordinator(cast["staff"])
    with pytest.raises(ValidationError):
        getattr(four_eyes_decisions, then)(actor=cast["central_coordinator"], proposal_id=proposal.pk)
    assert _state(proposal) == decided
    assert _is_coordinator(cast["staff"]) == coordinator_after_first == (first == "approve")


# --- Merging districts waits for a second person, one proposal at a time --------------------------------


def _propose_merge(cast, source: str, target: str | None) -> AccessChangeRequest:
    return four_eyes_proposals.propose(
        actor=cast["admin"],
        kind=ChangeKind.MERGE_DISTRICTS,
        target=None,
        districts=[District.objects.get(name=source)],
        district=District.objects.get(name=target) if target else None,
    )


def test_a_second_merge_into_the_same_district_waits_for_the_first(cast):
    first = _propose_merge(cast, "Skarpnäck", "Farsta")
    assert (first.state, first.kind, first.proposed_by_id) == (
        ChangeState.PENDING,
        ChangeKind.MERGE_DISTRICTS,
        cast["admin"].pk,
    )
    assert AccessLogEntry.objects.filter(action="access_change_proposed", actor_id=cast["admin"].pk).exists()
    with pytest.raises(ValidationError, match="väntar på beslut"):
        _propose_merge(cast, "Skarpnäck", "Farsta")
    # Skarpnäck into another district would be decided without the first in view: it waits too.
    with pytest.raises(ValidationError, match="väntar på beslut"):
        _propose_merge(cast, "Skarpnäck", "Enskede-Årsta-Vantör")
    # A merge of other districts is another change.
    _propose_merge(cast, "Bromma", "Enskede-Årsta-Vantör")
    assert AccessChangeRequest.objects.filter(kind=ChangeKind.MERGE_DISTRICTS).count() == 2


def test_a_merge_names_the_district_to_merge_into_and_is_for_the_administrator_only(cast):
    with pytest.raises(ValidationError, match="Välj det område"):
        _propose_merge(cast, "Skarpnäck", None)
    with pytest.raises(PermissionDenied):
        four_eyes_proposals.propose(
            actor=cast["central_coordinator"],
            kind=ChangeKind.MERGE_DISTRICTS,
            target=None,
            districts=[District.objects.get(name="Skarpnäck")],
            district=District.objects.get(name="Farsta"),
        )
    assert not AccessChangeRequest.objects.exists()


# --- The password link: sent to the user alone, and a failed send is never silent -------------------------


def test_a_failed_password_link_is_logged_as_failed(cast, monkeypatch, mailoutbox):
    def broken(*args, **kwargs):
        raise ConnectionRefusedError("smtp")

    monkeypatch.setattr(four_eyes_mail, "send_mail", broken)
    four_eyes_mail.send_password_link(user_id=cast["staff"].pk, reason="reset")
    row = AccessLogEntry.objects.get(action="mail_failed")
    assert (row.outcome, row.object_id, row.detail) == (Outcome.FAILED, str(cast["staff"].pk), "reset")
    assert not AccessLogEntry.objects.filter(action="password_link_sent").exists()


@pytest.mark.parametrize(("reason", "words"), [("new", "har skapats åt dig"), ("reset", "har nollställts")])
def test_the_password_link_goes_to_the_user_alone_and_says_why(cast, mailoutbox, reason, words):
    four_eyes_mail.send_password_link(user_id=cast["staff"].pk, reason=reason)
    (mail,) = mailoutbox
    assert mail.to == ["staff@test.example"] and words in mail.body and mail.subject
    row = AccessLogEntry.objects.get(action="password_link_sent")
    assert (row.object_id, row.detail) == (str(cast["staff"].pk), reason)


# --- Overdue proposals close as expired; nothing else is touched --------------------------------------


def test_expire_overdue_closes_only_overdue_pending_proposals(cast, settings, proposal):
    days = settings.ACCESS_CHANGE_EXPIRY_DAYS
    overdue = proposal
    fresh = four_eyes_proposals.propose(actor=cast["admin"], kind=ChangeKind.RESET_PASSWORD, target=cast["caseworker"])
    decided = four_eyes_proposals.propose(
        actor=cast["admin"], kind=ChangeKind.RESET_PASSWORD, target=cast["unit_manager"]
    )
    four_eyes_decisions.reject(actor=cast["central_coordinator"], proposal_id=decided.pk)
    long_ago = timezone.now() - datetime.timedelta(days=days + 1)
    AccessChangeRequest.objects.filter(pk__in=[overdue.pk, decided.pk]).update(proposed_at=long_ago)
    four_eyes_decisions.expire_overdue()
    states = dict(AccessChangeRequest.objects.values_list("pk", "state"))
    assert states == {overdue.pk: ChangeState.EXPIRED, fresh.pk: ChangeState.PENDING, decided.pk: ChangeState.REJECTED}
    expired = AccessChangeRequest.objects.get(pk=overdue.pk)
    assert expired.decided_at is not None and expired.reason  # the proposals page says why
    row = AccessLogEntry.objects.get(action="access_change_expired")
    assert (row.outcome, row.object_id) == (Outcome.DENIED, str(cast["staff"].pk))
    assert not _is_coordinator(cast["staff"])


def test_granting_a_role_held_in_another_unit_moves_it_to_the_proposed_unit(cast):
    """Järva's staff member is a unit manager of Testfritidsgården; the proposal names another unit."""
    jarva = Organisation.objects.get(slug="jarva")
    other, _ = Unit.objects.get_or_create(
        organisation=jarva, name="Annan fritidsgård", defaults={"kind": UnitKind.YOUTH_CENTRE}
    )
    manager = cast["unit_manager"]
    granted = four_eyes_proposals.propose(
        actor=cast["admin"],
        kind=ChangeKind.GRANT_ROLE,
        target=manager,
        organisation=jarva,
        unit=other,
        role=Role.UNIT_MANAGER,
    )
    four_eyes_decisions.approve(actor=cast["central_coordinator"], proposal_id=granted.pk)
    assert list(Membership.objects.filter(user=manager, role=Role.UNIT_MANAGER).values_list("unit", flat=True)) == [
        other.pk
    ]


# --- Who gains access by a merge does not decide on it ----------------------------------------------------


@pytest.mark.parametrize(
    ("membership", "may_decide"),
    [
        ("coordinator_of_target", False),  # the incidents and concerns would come to them
        ("caseworker_of_target", False),  # concerns assigned to them would
        ("staff_of_target", True),  # a role there that reads neither gains nothing by it
        ("coordinator_elsewhere", True),
        ("someone_else_coordinates_target", True),
    ],
)
def test_who_reads_in_the_council_merged_into_does_not_decide_the_merge(cast, membership, may_decide):
    central = cast["central_coordinator"]
    farsta_council = Organisation.objects.get(district__name="Farsta")
    if membership == "coordinator_of_target":
        Membership.objects.create(user=central, organisation=farsta_council, role=Role.COORDINATOR)
    elif membership == "caseworker_of_target":
        Membership.objects.create(user=central, organisation=farsta_council, role=Role.CASEWORKER)
    elif membership == "staff_of_target":
        Membership.objects.create(user=central, organisation=farsta_council, role=Role.STAFF)
    elif membership == "coordinator_elsewhere":
        Membership.objects.create(
            user=central, organisation=Organisation.objects.get(slug="sodermalm"), role=Role.COORDINATOR
        )
    else:
        Membership.objects.create(user=cast["staff"], organisation=farsta_council, role=Role.COORDINATOR)
    merge = _propose_merge(cast, "Skarpnäck", "Farsta")
    if may_decide:
        four_eyes_decisions.approve(actor=central, proposal_id=merge.pk)
        assert _state(merge)[0] == ChangeState.APPROVED
    else:
        with pytest.raises(ValidationError):
            four_eyes_decisions.approve(actor=central, proposal_id=merge.pk)
        assert _state(merge)[0] == ChangeState.PENDING


# --- The administrator who created an account: its roles wait, its password does not -----------------------


def _new_account_by(admin, email: str) -> User:
    user = User.objects.create_user(email=email, password="x-losenord-123", created_by=admin)
    Membership.objects.create(user=user, organisation=Organisation.objects.get(slug="jarva"), role=Role.CASEWORKER)
    return user


def test_the_creator_of_a_new_account_may_have_its_password_reset_but_not_grant_it_roles_yet(cast):
    admin, central = cast["admin"], cast["central_coordinator"]
    account = _new_account_by(admin, "ny-handlaggare@test.example")
    reset = four_eyes_proposals.propose(actor=admin, kind=ChangeKind.RESET_PASSWORD, target=account)
    four_eyes_decisions.approve(actor=central, proposal_id=reset.pk)
    assert _state(reset)[0] == ChangeState.APPROVED
    with pytest.raises(ValidationError):
        grant = four_eyes_proposals.propose(
            actor=admin,
            kind=ChangeKind.GRANT_ROLE,
            target=account,
            organisation=Organisation.objects.get(slug="jarva"),
            role=Role.COORDINATOR,
        )
        four_eyes_decisions.approve(actor=central, proposal_id=grant.pk)
    assert not Membership.objects.filter(user=account, role=Role.COORDINATOR).exists()
