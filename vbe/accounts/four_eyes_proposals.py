"""Proposing a four-eyes change (vbe.accounts.four_eyes): recorded, logged and e-mailed; nothing
changes until a second person approves it (vbe.accounts.four_eyes_decisions)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vbe.accounts import permissions
from vbe.accounts.four_eyes import (
    ALREADY_PENDING,
    EMAIL_TAKEN,
    _creator_refusal,
    _log_detail,
    _roles_granted,
    _snapshot,
    check_email_domain,
    needs_four_eyes,
    personal_data_memberships,
)
from vbe.accounts.four_eyes_decisions import _expire
from vbe.accounts.four_eyes_mail import _notify
from vbe.accounts.models import AccessChangeRequest, ChangeKind, ChangeState, User
from vbe.accounts.permissions import Action
from vbe.audit.log import record
from vbe.organisations.models import District, Organisation, Unit
from vbe.organisations.services import check_merge


@transaction.atomic
def propose(
    *,
    actor: User,
    kind: str,
    target: User | None = None,
    organisation: Organisation | None = None,
    unit: Unit | None = None,
    role: str = "",
    new_email: str = "",
    districts: list[District] | None = None,
    district: District | None = None,
) -> AccessChangeRequest:
    """Records a proposal; nothing changes until a second person approves it."""
    if kind == ChangeKind.MERGE_DISTRICTS:
        return _propose_merge(actor=actor, districts=districts or [], district=district)
    permissions.require(actor, Action.MANAGE_USERS)
    if target is None:
        raise ValidationError(_("Förslaget måste gälla ett konto."))
    target = User.objects.select_for_update().get(pk=target.pk)  # one pending proposal per change, even under races
    if kind == ChangeKind.GRANT_ROLE:
        if organisation is None or not needs_four_eyes(role):
            raise ValidationError(_("Bara roller som ger åtkomst till personuppgifter behöver ett förslag."))
        if unit is not None and unit.organisation_id != organisation.pk:
            raise ValidationError(
                _("Verksamheten %(unit)s hör inte till %(organisation)s.")
                % {"unit": unit.name, "organisation": organisation.name}
            )
    if kind == ChangeKind.CHANGE_EMAIL:
        new_email = new_email.strip().lower()
        check_email_domain(new_email)
        if User.objects.filter(email=new_email).exclude(pk=target.pk).exists():
            raise ValidationError(EMAIL_TAKEN)
    if kind == ChangeKind.REACTIVATE_ACCOUNT and (target.is_active or not personal_data_memberships(target)):
        raise ValidationError(
            _("Bara ett inaktivt konto med roller som ger åtkomst till personuppgifter behöver ett förslag.")
        )
    refusal = _creator_refusal(
        proposer_id=actor.pk, target=target, roles=_roles_granted(kind, role, target), at=timezone.now(), who=_("Du")
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
    record(action="access_change_proposed", actor=actor, obj=target, detail=_log_detail(proposal))
    _notify(proposal, "proposed")
    return proposal


def _propose_merge(*, actor: User, districts: list[District], district: District | None) -> AccessChangeRequest:
    """A merge moves the old councils' incidents to the target council: personal data changes hands,
    so it waits for a second person like a grant does."""
    permissions.require(actor, Action.MANAGE_ORGANISATIONS)
    if district is None:
        raise ValidationError(_("Välj det område som de andra ska slås ihop till."))
    target = District.objects.select_for_update().get(pk=district.pk)
    sources, _council = check_merge(sources=districts, target=target)
    pending = AccessChangeRequest.objects.filter(state=ChangeState.PENDING, kind=ChangeKind.MERGE_DISTRICTS)
    _expire(pending)
    # One merge at a time per district: two in flight over one district (Järva into Södermalm while
    # Södermalm goes into Farsta) would each be decided without the other in view.
    named = {target.pk, *(d.pk for d in sources)}
    if any(named & {p.district_id, *p.source_district_ids} for p in pending):  # evaluated after the expiry
        raise ValidationError(ALREADY_PENDING)
    proposal = AccessChangeRequest.objects.create(
        kind=ChangeKind.MERGE_DISTRICTS,
        district=target,
        source_district_ids=sorted(d.pk for d in sources),
        proposed_by=actor,
        snapshot=_snapshot(kind=ChangeKind.MERGE_DISTRICTS, target=None, districts=sources, district=target),
    )
    record(action="access_change_proposed", actor=actor, obj=target, detail=_log_detail(proposal))
    _notify(proposal, "proposed")
    return proposal
