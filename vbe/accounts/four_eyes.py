"""Four eyes on power: grants of roles that see personal data, resets of someone's credentials,
reactivating an account that holds such roles, and merges of districts (which move incidents between
organisations).

One administrator proposes (``propose``); the change takes effect only when a second person approves
it (``approve``): another administrator or the central coordinator, never the proposer and never the
person concerned. Each step is written to the access log (references only) and e-mailed, one message
per recipient, to the auditors and to the person concerned.

What the decider approves is what was proposed: the names they read (user, e-mail, organisation, unit,
role, districts) are stored with the proposal (``snapshot``) and shown from there, and approval is
refused, the proposal closed as void, when any of them has changed since. So is a proposal older
than ``settings.ACCESS_CHANGE_EXPIRY_DAYS``, one whose proposer is no longer an administrator, one
whose account is gone, and a grant proposed by the administrator who created the account within
``NEW_ACCOUNT_DAYS`` (or an administrator role for an account they created at all): four eyes check
people, and an administrator could otherwise create an account at an address they control.

A password reset never carries a password: approving it makes the user's password unusable (which
also ends their sessions) and e-mails the user, and only the user, a one-time link to choose a new
one. Neither administrator ever knows the password. New accounts get the same link when created.
"""

from __future__ import annotations

import datetime
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

# An administrator may not propose roles for an account they created until it is this old: the
# set-password link goes to whatever address they typed, so "two people" would otherwise be one.
NEW_ACCOUNT_DAYS = 30

ALREADY_DECIDED = "Förslaget är redan beslutat. Ladda om sidan för att se beslutet."
EMAIL_TAKEN = "E-postadressen används redan av ett annat konto."
ALREADY_PENDING = "Det finns redan ett förslag om samma ändring som väntar på beslut."
NEW_PROPOSAL = " Lägg fram ett nytt förslag om ändringen fortfarande behövs."
CHANGED = (
    "Uppgifterna i förslaget har ändrats sedan förslaget lades fram (namn, e-postadress, organisation, "
    "verksamhet, roller eller område), så det kan inte godkännas." + NEW_PROPOSAL
)
PROPOSER_GONE = "Den som lade fram förslaget är inte längre administratör, så det kan inte godkännas." + NEW_PROPOSAL
TARGET_GONE = "Kontot som förslaget gäller finns inte längre."
GAINS_ACCESS = (
    "Du är samordnare i den nämnd som händelserna skulle flyttas till och kan därför inte besluta om "
    "sammanslagningen. En annan person beslutar."
)
CREATOR_RECENT = (
    "{who} skapade kontot för mindre än {days} dagar sedan. En annan administratör måste föreslå roller "
    "för det, så att två personer står för vem som får åtkomst."
)
CREATOR_ADMIN = (
    "{who} skapade kontot och kan därför inte föreslå administratörsrollen för det. En annan "
    "administratör måste föreslå den."
)


def expired_message() -> str:
    return f"Förslaget har gått ut: det är äldre än {settings.ACCESS_CHANGE_EXPIRY_DAYS} dagar." + NEW_PROPOSAL


def needs_four_eyes(role: str) -> bool:
    """Roles that see personal data somewhere: granting one needs a second person."""
    return role in permissions.PERSONAL_DATA_ROLES


def personal_data_memberships(user: User) -> list[Membership]:
    """The user's memberships whose roles see personal data (restored when the account is reactivated)."""
    return [
        m
        for m in Membership.objects.filter(user=user).select_related("organisation", "unit")
        if needs_four_eyes(m.role)
    ]


def check_email_domain(email: str) -> None:
    """``settings.ACCOUNT_EMAIL_DOMAINS`` (empty: any domain): accounts only at the city's own domains,
    so nobody can create or move an account to an address outside them."""
    domains = settings.ACCOUNT_EMAIL_DOMAINS
    if domains and email.rpartition("@")[2].lower() not in domains:
        raise ValidationError(
            f"Använd en e-postadress i någon av kommunens domäner: {', '.join(domains)}.", code="email_domain"
        )


def _log_detail(proposal: AccessChangeRequest) -> str:
    """References only: the proposal number, the kind, for a grant the role and organisation ids, for a
    merge the district ids."""
    detail = f"förslag {proposal.pk}: {proposal.kind}"
    if proposal.kind == ChangeKind.GRANT_ROLE:
        detail += f" {proposal.role} org {proposal.organisation_id}"
        if proposal.unit_id:
            detail += f" enhet {proposal.unit_id}"
    elif proposal.kind == ChangeKind.MERGE_DISTRICTS:
        detail += f" {','.join(map(str, proposal.source_district_ids))} → {proposal.district_id}"
    return detail


def _subject(proposal: AccessChangeRequest) -> dict[str, Any]:
    """What a log row about the proposal points at: the user, or for a merge the target district."""
    if proposal.kind == ChangeKind.MERGE_DISTRICTS:
        return {"object_type": "organisations.district", "object_id": str(proposal.district_id or "")}
    return {"object_type": "accounts.user", "object_id": str(proposal.target_id or "")}


# --- Snapshots: what the decider reads ---------------------------------------------------------------


def _membership_label(membership: Membership) -> str:
    label = f"{membership.get_role_display()} i {membership.organisation.name}"
    return label + (f", {membership.unit.name}" if membership.unit_id else "")


def _snapshot(
    *,
    kind: str,
    target: User | None,
    organisation: Any = None,
    unit: Any = None,
    role: str = "",
    districts: list[Any] | None = None,
    district: Any = None,
) -> dict[str, Any]:
    """The names shown to the decider, as they are now."""
    shot: dict[str, Any] = {}
    if target is not None:
        shot.update(target_name=target.full_name, target_email=target.email)
    if kind == ChangeKind.GRANT_ROLE:
        shot.update(
            organisation=organisation.name if organisation is not None else "",
            unit=unit.name if unit is not None else "",
            role=str(Role(role).label) if role in Role.values else role,
        )
    elif kind == ChangeKind.REACTIVATE_ACCOUNT and target is not None:
        shot["memberships"] = sorted(_membership_label(m) for m in personal_data_memberships(target))
    elif kind == ChangeKind.MERGE_DISTRICTS:
        from vbe.organisations.models import Organisation  # the tree is above accounts: asked lazily

        sources = sorted(districts or [], key=lambda d: d.name)
        council = Organisation.objects.filter(district=district).first() if district is not None else None
        shot.update(
            districts=[d.name for d in sources],
            target_district=district.name if district is not None else "",
            target_council=council.name if council is not None else "",
            target_council_id=council.pk if council is not None else None,
            source_councils=sorted(Organisation.objects.filter(district__in=sources).values_list("name", flat=True)),
        )
    return shot


def current_snapshot(proposal: AccessChangeRequest, *, lock: bool = False) -> dict[str, Any]:
    """The proposal's snapshot as it would be taken now; with ``lock``, the rows read stay locked."""
    from vbe.organisations.models import District, Organisation, Unit

    def get(model: Any, pk: int | None) -> Any:
        if pk is None:
            return None
        rows = model.objects.select_for_update() if lock else model.objects
        return rows.filter(pk=pk).first()

    districts = None
    if proposal.kind == ChangeKind.MERGE_DISTRICTS:
        rows = District.objects.select_for_update() if lock else District.objects
        districts = list(rows.filter(pk__in=proposal.source_district_ids).order_by("pk"))
    return _snapshot(
        kind=proposal.kind,
        target=get(User, proposal.target_id),
        organisation=get(Organisation, proposal.organisation_id),
        unit=get(Unit, proposal.unit_id),
        role=proposal.role,
        districts=districts,
        district=get(District, proposal.district_id),
    )


def _roles_granted(proposal_kind: str, role: str, target: User) -> set[str]:
    if proposal_kind == ChangeKind.GRANT_ROLE:
        return {role}
    if proposal_kind == ChangeKind.REACTIVATE_ACCOUNT:
        return {m.role for m in personal_data_memberships(target)}
    return set()


def _creator_refusal(*, proposer_id: int | None, target: User, roles: set[str], at: datetime.datetime, who: str) -> str:
    """Four eyes on people: the administrator who created the account may not propose its roles at
    first, nor ever the administrator role. "" when nothing is in the way."""
    if not roles or target.created_by_id is None or target.created_by_id != proposer_id:
        return ""
    if Role.ADMIN in roles:
        return CREATOR_ADMIN.format(who=who)
    if at - target.date_joined < datetime.timedelta(days=NEW_ACCOUNT_DAYS):
        return CREATOR_RECENT.format(who=who, days=NEW_ACCOUNT_DAYS)
    return ""


def gains_access(user: User, proposal: AccessChangeRequest) -> bool:
    """A merge concerns the coordinators of the council the incidents would go to: they gain access to
    them, so, like the person a grant concerns, they do not decide on it."""
    if proposal.kind != ChangeKind.MERGE_DISTRICTS or proposal.district_id is None:
        return False
    return Membership.objects.filter(
        user=user, role=Role.COORDINATOR, organisation__district_id=proposal.district_id
    ).exists()


def is_expired(proposal: AccessChangeRequest) -> bool:
    return timezone.now() - proposal.proposed_at > datetime.timedelta(days=settings.ACCESS_CHANGE_EXPIRY_DAYS)


def obstacle(proposal: AccessChangeRequest, *, lock: bool = False) -> tuple[str, str, str] | None:
    """Why a pending proposal cannot be approved now, as (closing state, log code, message), or None.

    Asked under the locks at approval, and without them on the proposals page (so the decider is told
    before pressing the button)."""
    if is_expired(proposal):
        return ChangeState.EXPIRED, "expired", expired_message()
    proposer = User.objects.filter(pk=proposal.proposed_by_id).first()
    needed = Action.MANAGE_ORGANISATIONS if proposal.kind == ChangeKind.MERGE_DISTRICTS else Action.MANAGE_USERS
    if proposer is None or not permissions.can(proposer, needed):
        return ChangeState.VOID, "proposer", PROPOSER_GONE
    if proposal.kind != ChangeKind.MERGE_DISTRICTS and proposal.target_id is None:
        return ChangeState.VOID, "target", TARGET_GONE
    if current_snapshot(proposal, lock=lock) != proposal.snapshot:
        return ChangeState.VOID, "changed", CHANGED
    unit = proposal.unit if proposal.kind == ChangeKind.GRANT_ROLE else None
    if unit is not None and unit.organisation_id != proposal.organisation_id:
        return ChangeState.VOID, "unit", "Verksamheten hör inte längre till organisationen i förslaget." + NEW_PROPOSAL
    if proposal.target_id is not None:
        target = User.objects.get(pk=proposal.target_id)
        roles = _roles_granted(proposal.kind, proposal.role, target)
        refusal = _creator_refusal(
            proposer_id=proposal.proposed_by_id,
            target=target,
            roles=roles,
            at=proposal.proposed_at,
            who="Den som lade fram förslaget",
        )
        if refusal:
            return ChangeState.VOID, "creator", refusal
    return None


# --- Proposing ---------------------------------------------------------------------------------------


@transaction.atomic
def propose(
    *,
    request: Any,
    actor: User,
    kind: str,
    target: User | None = None,
    organisation: Any = None,
    unit: Any = None,
    role: str = "",
    new_email: str = "",
    districts: list[Any] | None = None,
    district: Any = None,
) -> AccessChangeRequest:
    """Records a proposal; nothing changes until a second person approves it."""
    if kind == ChangeKind.MERGE_DISTRICTS:
        return _propose_merge(request=request, actor=actor, districts=districts or [], district=district)
    permissions.require(actor, Action.MANAGE_USERS)
    if target is None:
        raise ValidationError("Förslaget måste gälla ett konto.")
    target = User.objects.select_for_update().get(pk=target.pk)  # one pending proposal per change, even under races
    if kind == ChangeKind.GRANT_ROLE:
        if organisation is None or not needs_four_eyes(role):
            raise ValidationError("Bara roller som ger åtkomst till personuppgifter behöver ett förslag.")
        if unit is not None and unit.organisation_id != organisation.pk:
            raise ValidationError(f"Verksamheten {unit.name} hör inte till {organisation.name}.")
    if kind == ChangeKind.CHANGE_EMAIL:
        new_email = new_email.strip().lower()
        check_email_domain(new_email)
        if User.objects.filter(email=new_email).exclude(pk=target.pk).exists():
            raise ValidationError(EMAIL_TAKEN)
    if kind == ChangeKind.REACTIVATE_ACCOUNT and (target.is_active or not personal_data_memberships(target)):
        raise ValidationError(
            "Bara ett inaktivt konto med roller som ger åtkomst till personuppgifter behöver ett förslag."
        )
    refusal = _creator_refusal(
        proposer_id=actor.pk, target=target, roles=_roles_granted(kind, role, target), at=timezone.now(), who="Du"
    )
    if refusal:
        raise ValidationError(refusal)
    same = AccessChangeRequest.objects.filter(state=ChangeState.PENDING, kind=kind, target=target)
    if kind == ChangeKind.GRANT_ROLE:
        same = same.filter(organisation=organisation, role=role)
    _expire(same)
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
        snapshot=_snapshot(kind=kind, target=target, organisation=organisation, unit=unit, role=role),
    )
    record(action="access_change_proposed", request=request, actor=actor, obj=target, detail=_log_detail(proposal))
    _notify(proposal, "proposed")
    return proposal


def _propose_merge(*, request: Any, actor: User, districts: list[Any], district: Any) -> AccessChangeRequest:
    """A merge moves the old councils' incidents to the target council: personal data changes hands,
    so it waits for a second person like a grant does."""
    from vbe.organisations.models import District
    from vbe.organisations.services import check_merge

    permissions.require(actor, Action.MANAGE_ORGANISATIONS)
    if district is None:
        raise ValidationError("Välj det område som de andra ska slås ihop till.")
    target = District.objects.select_for_update().get(pk=district.pk)
    sources, _council = check_merge(sources=districts, target=target)
    same = AccessChangeRequest.objects.filter(
        state=ChangeState.PENDING, kind=ChangeKind.MERGE_DISTRICTS, district=target
    )
    _expire(same)
    if same.exists():
        raise ValidationError(ALREADY_PENDING)
    proposal = AccessChangeRequest.objects.create(
        kind=ChangeKind.MERGE_DISTRICTS,
        district=target,
        source_district_ids=sorted(d.pk for d in sources),
        proposed_by=actor,
        snapshot=_snapshot(kind=ChangeKind.MERGE_DISTRICTS, target=None, districts=sources, district=target),
    )
    record(action="access_change_proposed", request=request, actor=actor, obj=target, detail=_log_detail(proposal))
    _notify(proposal, "proposed")
    return proposal


# --- Deciding ----------------------------------------------------------------------------------------


def _close(
    proposal: AccessChangeRequest, *, state: str, code: str, message: str, actor: User | None, request: Any
) -> None:
    """Closes a proposal that can no longer be approved (expired or void); nothing else changes. The
    message stays on the proposal (shown on the proposals page); the log gets a code only."""
    proposal.state = state
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.reason = message
    proposal.save(update_fields=["state", "decided_by", "decided_at", "reason"])
    record(
        action="access_change_expired" if state == ChangeState.EXPIRED else "access_change_voided",
        request=request,
        actor=actor,
        outcome=Outcome.DENIED,
        detail=f"{_log_detail(proposal)} ({code})",
        **_subject(proposal),
    )
    _notify(proposal, "expired" if state == ChangeState.EXPIRED else "void")


def _expire(pending: Any) -> None:
    """Closes the overdue proposals among ``pending`` (inside the caller's transaction)."""
    cutoff = timezone.now() - datetime.timedelta(days=settings.ACCESS_CHANGE_EXPIRY_DAYS)
    for proposal in pending.filter(proposed_at__lt=cutoff).select_for_update():
        if proposal.state == ChangeState.PENDING:
            _close(
                proposal, state=ChangeState.EXPIRED, code="expired", message=expired_message(), actor=None, request=None
            )


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
    return ALREADY_DECIDED


def _locked_pending(*, actor: User, proposal_id: int) -> AccessChangeRequest:
    proposal = AccessChangeRequest.objects.select_for_update().get(pk=proposal_id)
    permissions.require(actor, Action.DECIDE_ACCESS_CHANGE, proposal)  # 403, logged by the middleware
    if proposal.state != ChangeState.PENDING:
        raise ValidationError(_closed_message(proposal))
    return proposal


def approve(*, request: Any, actor: User, proposal_id: int) -> AccessChangeRequest:
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
            return _apply(request=request, actor=actor, proposal=proposal, target=target)
        state, code, message = blocked
        _close(proposal, state=state, code=code, message=message, actor=actor, request=request)
    raise ValidationError(message)  # after the block, so the closing and its log row are kept


def _apply(*, request: Any, actor: User, proposal: AccessChangeRequest, target: User | None) -> AccessChangeRequest:
    reference = f"förslag {proposal.pk}"
    old_email = target.email if target is not None else ""
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
    elif proposal.kind == ChangeKind.REACTIVATE_ACCOUNT:
        if not target.is_active:
            target.is_active = True
            target.save(update_fields=["is_active"])
            services.log_account_change(request=request, user=target, was_active=False)
    elif proposal.kind == ChangeKind.MERGE_DISTRICTS:
        from vbe.organisations.models import District
        from vbe.organisations.services import merge_districts

        sources = list(District.objects.filter(pk__in=proposal.source_district_ids))
        merge_districts(sources=sources, target=proposal.district, request=request)
    proposal.state = ChangeState.APPROVED
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["state", "decided_by", "decided_at"])
    record(
        action="access_change_approved",
        request=request,
        actor=actor,
        detail=_log_detail(proposal),
        **_subject(proposal),
    )
    if target is not None:
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
        outcome=Outcome.DENIED,
        detail=_log_detail(proposal),
        **_subject(proposal),
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
    "expired": "har gått ut utan beslut; ingenting har ändrats",
    "void": "kan inte godkännas eftersom förutsättningarna har ändrats sedan den föreslogs; ingenting har ändrats",
}
EVENT_SUBJECT = {
    "proposed": "förslag",
    "approved": "godkänd",
    "rejected": "avslagen",
    "expired": "har gått ut",
    "void": "ogiltig",
}


def _notify(proposal: AccessChangeRequest, event: str, *, old_email: str = "") -> None:
    """Queues one message per recipient (vbe.notifications): each auditor, and the person concerned.
    Called inside the decision's transaction, so a decision is never saved without its messages. No
    names in the auditors' messages: the proposal number and user ids lead them to the access log."""
    what, happened = proposal.describe(), EVENT_TEXT[event]
    reference = f"förslag {proposal.pk}"
    auditors = User.objects.filter(is_active=True, memberships__role=Role.AUDITOR).distinct()
    concerns = (
        f"stadsdelsområde nr {proposal.district_id}"
        if proposal.kind == ChangeKind.MERGE_DISTRICTS
        else f"användare nr {proposal.target_id}"
    )
    outbox.queue(
        recipients=auditors,
        kind=f"access_change_{event}",
        reference=reference,
        subject=f"Behörighetsförslag {proposal.pk}: {EVENT_SUBJECT[event]}",
        body=(
            f"Behörighetsförslag {proposal.pk} ({what}) för {concerns}, föreslaget av "
            f"användare nr {proposal.proposed_by_id}, {happened}."
            + (f" Beslutat av användare nr {proposal.decided_by_id}." if proposal.decided_by_id else "")
            + "\n\nDetaljerna finns i åtkomstloggen (loggkontroll)."
        ),
    )
    if proposal.target is None:
        return  # a merge, or the account is gone: nobody else to tell
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
