"""Four eyes on power: grants of roles that see personal data, and resets of someone's credentials.

One administrator proposes (``propose``); the change takes effect only when a second person approves
it (``approve``): another administrator or the central coordinator, never the proposer and never the
person concerned. Each step is written to the access log (references only) and e-mailed, one message
per recipient, to the auditors and to the person concerned.

A password reset never carries a password: approving it makes the user's password unusable (which
also ends their sessions) and e-mails the user, and only the user, a one-time link to choose a new
one. Neither administrator ever knows the password. New accounts get the same link when created.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from vbe.accounts import permissions, services
from vbe.accounts.models import AccessChangeRequest, ChangeKind, ChangeState, Membership, Role, User
from vbe.accounts.permissions import Action
from vbe.audit.log import record
from vbe.audit.models import Outcome
from vbe.notifications import outbox

logger = logging.getLogger(__name__)

ALREADY_DECIDED = "Förslaget är redan beslutat. Ladda om sidan för att se beslutet."
EMAIL_TAKEN = "E-postadressen används redan av ett annat konto."
ALREADY_PENDING = "Det finns redan ett förslag om samma ändring som väntar på beslut."


def needs_four_eyes(role: str) -> bool:
    """Roles that see personal data somewhere: granting one needs a second person."""
    return role in permissions.PERSONAL_DATA_ROLES


def _log_detail(proposal: AccessChangeRequest) -> str:
    """References only: the proposal number, the kind, and for a grant the role and organisation ids."""
    detail = f"förslag {proposal.pk}: {proposal.kind}"
    if proposal.kind == ChangeKind.GRANT_ROLE:
        detail += f" {proposal.role} org {proposal.organisation_id}"
        if proposal.unit_id:
            detail += f" enhet {proposal.unit_id}"
    return detail


@transaction.atomic
def propose(
    *,
    request: Any,
    actor: User,
    kind: str,
    target: User,
    organisation: Any = None,
    unit: Any = None,
    role: str = "",
    new_email: str = "",
) -> AccessChangeRequest:
    """Records a proposal; nothing changes for ``target`` until a second person approves it."""
    permissions.require(actor, Action.MANAGE_USERS)
    User.objects.select_for_update().get(pk=target.pk)  # one pending proposal per change, even under races
    if kind == ChangeKind.GRANT_ROLE and (organisation is None or not needs_four_eyes(role)):
        raise ValidationError("Bara roller som ger åtkomst till personuppgifter behöver ett förslag.")
    if kind == ChangeKind.CHANGE_EMAIL:
        new_email = new_email.strip().lower()
        if User.objects.filter(email=new_email).exclude(pk=target.pk).exists():
            raise ValidationError(EMAIL_TAKEN)
    same = AccessChangeRequest.objects.filter(state=ChangeState.PENDING, kind=kind, target=target)
    if kind == ChangeKind.GRANT_ROLE:
        same = same.filter(organisation=organisation, role=role)
    if same.exists():
        raise ValidationError(ALREADY_PENDING)
    proposal = AccessChangeRequest.objects.create(
        kind=kind,
        target=target,
        organisation=organisation,
        unit=unit,
        role=role,
        new_email=new_email,
        proposed_by=actor,
    )
    record(action="access_change_proposed", request=request, actor=actor, obj=target, detail=_log_detail(proposal))
    _notify(proposal, "proposed")
    return proposal


def _locked_pending(*, actor: User, proposal_id: int) -> AccessChangeRequest:
    proposal = AccessChangeRequest.objects.select_for_update().get(pk=proposal_id)
    permissions.require(actor, Action.DECIDE_ACCESS_CHANGE, proposal)  # 403, logged by the middleware
    if proposal.state != ChangeState.PENDING:
        raise ValidationError(ALREADY_DECIDED)
    return proposal


@transaction.atomic
def approve(*, request: Any, actor: User, proposal_id: int) -> AccessChangeRequest:
    """Applies the proposed change, under the lock of the proposal and of the user it concerns."""
    proposal = _locked_pending(actor=actor, proposal_id=proposal_id)
    target = User.objects.select_for_update().get(pk=proposal.target_id)
    reference = f"förslag {proposal.pk}"
    old_email = target.email
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
            request=request, membership=membership, change="granted" if created else "changed", detail=reference
        )
    elif proposal.kind == ChangeKind.RESET_SECOND_FACTOR:
        services.reset_second_factor(request=request, user=target, detail=reference)
    elif proposal.kind == ChangeKind.RESET_PASSWORD:
        target.set_unusable_password()  # also ends every session: they are bound to the password hash
        target.save(update_fields=["password"])
        record(action="password_reset", request=request, obj=target, detail=reference)
    elif proposal.kind == ChangeKind.CHANGE_EMAIL:
        try:
            with transaction.atomic():  # the unique index decides, even against a simultaneous change
                User.objects.filter(pk=target.pk).update(
                    email=proposal.new_email, session_generation=F("session_generation") + 1
                )
        except IntegrityError:
            raise ValidationError(EMAIL_TAKEN) from None
        record(action="email_changed", request=request, obj=target, detail=reference)
    proposal.state = ChangeState.APPROVED
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["state", "decided_by", "decided_at"])
    record(action="access_change_approved", request=request, actor=actor, obj=target, detail=_log_detail(proposal))
    target.refresh_from_db()
    proposal.target = target
    _notify(proposal, "approved", old_email=old_email)
    if proposal.kind == ChangeKind.RESET_PASSWORD:
        transaction.on_commit(lambda: send_password_link(request=None, user_id=target.pk, reason="reset"))
    return proposal


@transaction.atomic
def reject(*, request: Any, actor: User, proposal_id: int, reason: str = "") -> AccessChangeRequest:
    """Closes the proposal without any change. The reason stays on the proposal, out of the log."""
    proposal = _locked_pending(actor=actor, proposal_id=proposal_id)
    proposal.state = ChangeState.REJECTED
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.reason = reason.strip()
    proposal.save(update_fields=["state", "decided_by", "decided_at", "reason"])
    record(
        action="access_change_rejected",
        request=request,
        actor=actor,
        obj=proposal.target,
        outcome=Outcome.DENIED,
        detail=_log_detail(proposal),
    )
    _notify(proposal, "rejected")
    return proposal


# --- E-mail ------------------------------------------------------------------------------------


def password_link(user: User) -> str:
    """A one-time link: the token is bound to the current password hash, so it stops working as soon as
    a password is chosen, and it expires after settings.PASSWORD_RESET_TIMEOUT."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return outbox.absolute_url(reverse("accounts:set_password", args=[uid, default_token_generator.make_token(user)]))


def send_password_link(*, request: Any, user_id: int, reason: str) -> None:
    """E-mails the user, and only the user, the link to choose a password. reason: "new" or "reset".

    Sent directly, not through the outbox: a usable link must not sit in the database. A failed send
    is logged (access log ``mail_failed``); the administrator then proposes a new password reset."""
    user = User.objects.get(pk=user_id)
    if reason == "new":
        intro = "Ett konto i VBE-portalen har skapats åt dig."
    else:
        intro = "Lösenordet till ditt konto i VBE-portalen har nollställts efter beslut av två personer."
    body = (
        f"{intro}\n\nVälj ett lösenord här (länken fungerar en gång och i "
        f"{settings.PASSWORD_RESET_TIMEOUT // 3600} timmar):\n{password_link(user)}\n\n"
        "Har du inte väntat dig detta? Kontakta portalens administratör."
    )
    try:
        send_mail("Välj lösenord till VBE-portalen", body, None, [user.email], fail_silently=False)
    except Exception:  # any failure of the mail system: logged, never passed over in silence
        logger.exception("Länken för att välja lösenord kunde inte skickas till användare %s", user.pk)
        record(action="mail_failed", request=request, obj=user, outcome=Outcome.FAILED, detail=reason)
        return
    record(action="password_link_sent", request=request, obj=user, detail=reason)


EVENT_TEXT = {
    "proposed": "har föreslagits och väntar på att en andra person godkänner den",
    "approved": "har godkänts och gäller nu",
    "rejected": "har avslagits; ingenting har ändrats",
}
EVENT_SUBJECT = {"proposed": "förslag", "approved": "godkänd", "rejected": "avslagen"}


def _notify(proposal: AccessChangeRequest, event: str, *, old_email: str = "") -> None:
    """Queues one message per recipient (vbe.notifications): each auditor, and the person concerned.
    Called inside the decision's transaction, so a decision is never saved without its messages. No
    names in the auditors' messages: the proposal number and user ids lead them to the access log."""
    what, happened = proposal.describe(), EVENT_TEXT[event]
    reference = f"förslag {proposal.pk}"
    auditors = User.objects.filter(is_active=True, memberships__role=Role.AUDITOR).distinct()
    outbox.queue(
        recipients=auditors,
        kind=f"access_change_{event}",
        reference=reference,
        subject=f"Behörighetsförslag {proposal.pk}: {EVENT_SUBJECT[event]}",
        body=(
            f"Behörighetsförslag {proposal.pk} ({what}) för användare nr {proposal.target_id}, föreslaget av "
            f"användare nr {proposal.proposed_by_id}, {happened}."
            + (f" Beslutat av användare nr {proposal.decided_by_id}." if proposal.decided_by_id else "")
            + "\n\nDetaljerna finns i åtkomstloggen (loggkontroll)."
        ),
    )
    user_text = (
        f"En ändring av ditt konto i VBE-portalen ({what}) {happened}.\n\n"
        "Ändringar som ger åtkomst till personuppgifter eller nollställer inloggningen kräver beslut av två "
        "personer. Har du inte väntat dig detta? Kontakta portalens administratör."
    )
    subject = f"Ändring av ditt konto: {EVENT_SUBJECT[event]}"
    outbox.queue(
        recipients=[proposal.target],
        kind=f"access_change_{event}",
        reference=reference,
        subject=subject,
        body=user_text,
    )
    if old_email and old_email != proposal.target.email:
        # The outbox writes to the account's address, now the new one; the old one must hear of it too.
        transaction.on_commit(lambda: _send_to_old_address(old_email, subject, user_text, proposal.target_id))


def _send_to_old_address(address: str, subject: str, body: str, user_id: int) -> None:
    try:
        send_mail(subject, body, None, [address], fail_silently=False)
    except Exception:  # logged, never passed over in silence
        logger.exception("Meddelandet till den tidigare e-postadressen för användare %s kunde inte skickas", user_id)
        record(action="mail_failed", outcome=Outcome.FAILED, object_type="accounts.user", object_id=str(user_id))
