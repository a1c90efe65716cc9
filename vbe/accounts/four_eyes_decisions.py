"""Deciding on a four-eyes proposal (vbe.accounts.four_eyes): approving applies it if it is still what
was proposed, rejecting closes it, and an overdue or void one is closed as such."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from vbe.accounts import permissions, services
from vbe.accounts.coordinators import organisation_lost_coordinator
from vbe.accounts.four_eyes import (
    ALREADY_DECIDED,
    EMAIL_TAKEN,
    GAINS_ACCESS,
    _log_detail,
    _subject,
    expired_message,
    gains_access,
    obstacle,
)
from vbe.accounts.four_eyes_mail import _notify, send_password_link
from vbe.accounts.models import AccessChangeRequest, ChangeKind, ChangeState, Membership, User
from vbe.accounts.permissions import Action
from vbe.audit.log import record
from vbe.audit.models import Outcome
from vbe.organisations.models import District, Organisation
from vbe.organisations.services import merge_districts


def _close(proposal: AccessChangeRequest, *, state: str, code: str, message: str, actor: User | None) -> None:
    """Closes a proposal that can no longer be approved (expired or void); nothing else changes. The
    message stays on the proposal (shown on the proposals page); the log gets a code only."""
    proposal.state = state
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.reason = message
    proposal.save(update_fields=["state", "decided_by", "decided_at", "reason"])
    record(
        action="access_change_expired" if state == ChangeState.EXPIRED else "access_change_voided",
        actor=actor,
        outcome=Outcome.DENIED,
        detail=f"{_log_detail(proposal)} ({code})",
        **_subject(proposal),
    )
    _notify(proposal, "expired" if state == ChangeState.EXPIRED else "void")


def _expire(pending: QuerySet[AccessChangeRequest]) -> None:
    """Closes the overdue proposals among ``pending`` (inside the caller's transaction)."""
    cutoff = timezone.now() - datetime.timedelta(days=settings.ACCESS_CHANGE_EXPIRY_DAYS)
    for proposal in pending.filter(proposed_at__lt=cutoff).select_for_update():
        if proposal.state == ChangeState.PENDING:
            _close(proposal, state=ChangeState.EXPIRED, code="expired", message=expired_message(), actor=None)


def expire_overdue() -> None:
    """Closes every overdue pending proposal (the proposals page asks this first), each in its own
    transaction, so that a list never offers what can no longer be approved."""
    cutoff = timezone.now() - datetime.timedelta(days=settings.ACCESS_CHANGE_EXPIRY_DAYS)
    overdue = AccessChangeRequest.objects.filter(state=ChangeState.PENDING, proposed_at__lt=cutoff)
    for pk in overdue.values_list("pk", flat=True):
        with transaction.atomic():
            _expire(AccessChangeRequest.objects.filter(pk=pk, state=ChangeState.PENDING))


def _closed_message(proposal: AccessChangeRequest) -> str:
    if proposal.state in (ChangeState.EXPIRED, ChangeState.VOID) and proposal.reason:
        return proposal.reason
    return str(ALREADY_DECIDED)


def _locked_pending(*, actor: User, proposal_id: int) -> AccessChangeRequest:
    proposal = AccessChangeRequest.objects.select_for_update().get(pk=proposal_id)
    permissions.require(actor, Action.DECIDE_ACCESS_CHANGE, proposal)  # 403, logged by the middleware
    if proposal.state != ChangeState.PENDING:
        raise ValidationError(_closed_message(proposal))
    return proposal


def approve(*, actor: User, proposal_id: int) -> AccessChangeRequest:
    """Applies the proposed change, under the lock of the proposal and of what it concerns, if it is
    still what was proposed. Otherwise closes it (expired or void, kept and logged) and raises
    ValidationError saying why."""
    with transaction.atomic():
        proposal = _locked_pending(actor=actor, proposal_id=proposal_id)
        if gains_access(actor, proposal):
            raise ValidationError(GAINS_ACCESS)
        target = None
        if proposal.target_id is not None:
            target = User.objects.select_for_update().filter(pk=proposal.target_id).first()
        blocked = obstacle(proposal, lock=True)
        if blocked is None:
            return _apply(actor=actor, proposal=proposal, target=target)
        state, code, message = blocked
        _close(proposal, state=state, code=code, message=message, actor=actor)
    raise ValidationError(message)  # after the block, so the closing and its log row are kept


def _apply(*, actor: User, proposal: AccessChangeRequest, target: User | None) -> AccessChangeRequest:
    reference = f"förslag {proposal.pk}"
    old_email = target.email if target is not None else ""
    if proposal.kind == ChangeKind.MERGE_DISTRICTS:
        _merge(actor=actor, proposal=proposal)
    else:
        # Every other kind is about an account. obstacle() voids the proposal when its account is gone,
        # and approve() read the account under its row lock before asking, so it is here.
        assert target is not None
        _change_account(actor=actor, proposal=proposal, target=target, reference=reference)
    proposal.state = ChangeState.APPROVED
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["state", "decided_by", "decided_at"])
    record(
        action="access_change_approved",
        actor=actor,
        detail=_log_detail(proposal),
        **_subject(proposal),
    )
    if target is not None:
        target.refresh_from_db()
        proposal.target = target
    _notify(proposal, "approved", old_email=old_email)
    if proposal.kind == ChangeKind.RESET_PASSWORD and target is not None:
        user_id = target.pk
        transaction.on_commit(lambda: send_password_link(user_id=user_id, reason="reset"))
    return proposal


def _merge(*, actor: User, proposal: AccessChangeRequest) -> None:
    # A merge proposal names its target district when it is made, and the district is protected from
    # deletion while the proposal refers to it.
    district = proposal.district
    assert district is not None
    sources = list(District.objects.filter(pk__in=proposal.source_district_ids))
    merge_districts(sources=sources, target=district, actor=actor)
    # What moved to a council without an active coordinator now waits there for one: the central
    # coordinators are told, as when a council loses its last coordinator.
    council = Organisation.objects.filter(district=district).first()
    if council is not None and not permissions.has_active_coordinator(council.pk):
        organisation_lost_coordinator.send(sender=Organisation, organisation=council, actor=actor)


def _change_account(*, actor: User, proposal: AccessChangeRequest, target: User, reference: str) -> None:
    if proposal.kind == ChangeKind.GRANT_ROLE:
        membership, created = Membership.objects.get_or_create(
            user=target,
            organisation=proposal.organisation,
            role=proposal.role,
            defaults={"unit": proposal.unit},
        )
        if not created and membership.unit_id != proposal.unit_id:
            membership.unit = proposal.unit
            membership.save(update_fields=["unit"])
        services.log_membership_change(
            actor=actor, membership=membership, change="granted" if created else "changed", detail=reference
        )
    elif proposal.kind == ChangeKind.RESET_SECOND_FACTOR:
        services.reset_second_factor(actor=actor, user=target, detail=reference)
    elif proposal.kind == ChangeKind.RESET_PASSWORD:
        target.set_unusable_password()  # also ends every session: they are bound to the password hash
        target.save(update_fields=["password"])
        record(action="password_reset", actor=actor, obj=target, detail=reference)
    elif proposal.kind == ChangeKind.CHANGE_EMAIL:
        try:
            with transaction.atomic():  # the unique index decides, even against a simultaneous change
                User.objects.filter(pk=target.pk).update(
                    email=proposal.new_email, session_generation=F("session_generation") + 1
                )
        except IntegrityError:
            raise ValidationError(EMAIL_TAKEN) from None
        record(action="email_changed", actor=actor, obj=target, detail=reference)
    elif proposal.kind == ChangeKind.REACTIVATE_ACCOUNT and not target.is_active:
        target.is_active = True
        target.save(update_fields=["is_active"])
        services.log_account_change(actor=actor, user=target, was_active=False)


@transaction.atomic
def reject(*, actor: User, proposal_id: int, reason: str = "") -> AccessChangeRequest:
    """Closes the proposal without any change. The reason stays on the proposal, out of the log."""
    proposal = _locked_pending(actor=actor, proposal_id=proposal_id)
    proposal.state = ChangeState.REJECTED
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.reason = reason.strip()
    proposal.save(update_fields=["state", "decided_by", "decided_at", "reason"])
    record(
        action="access_change_rejected",
        actor=actor,
        outcome=Outcome.DENIED,
        detail=_log_detail(proposal),
        **_subject(proposal),
    )
    _notify(proposal, "rejected")
    return proposal
