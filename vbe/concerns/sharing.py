"""Sharing a concern with others: the consents recorded, handing it over to another organisation,
and disclosing it to one (and withdrawing that). Every write goes through vbe.concerns.writes."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from vbe.accounts.models import User
from vbe.accounts.permissions import Action
from vbe.concerns.intake import _routed, notify_handlers
from vbe.concerns.models import Concern, Consent, Disclosure, Transfer
from vbe.concerns.writes import _check_date, _locked, _log, _open, _save
from vbe.notifications import recipients
from vbe.organisations.models import Organisation


@transaction.atomic
def record_consent(
    *, request: Any, concern_id: int, actor: User, version: int, purpose: str, given_by: str, given_on: datetime.date
) -> Consent:
    concern = _locked(concern_id, actor=actor, action=Action.HANDLE_CONCERN, version=version)
    _open(concern)
    _check_date(concern, given_on)
    consent = Consent.objects.create(
        concern=concern, purpose=purpose, given_by=given_by, given_on=given_on, recorded_by=actor
    )
    _save(concern, actor=actor, kind="consent", summary="Samtycke registrerat")
    _log(request, actor, "concern_consent_recorded", concern)
    return consent


@transaction.atomic
def withdraw_consent(*, request: Any, concern_id: int, consent_id: int, actor: User, version: int) -> Consent:
    concern = _locked(concern_id, actor=actor, action=Action.HANDLE_CONCERN, version=version)
    consent = Consent.objects.select_for_update().get(pk=consent_id, concern=concern)
    if consent.withdrawn_on is not None:
        raise ValidationError("Samtycket är redan återkallat.")
    consent.withdrawn_on = timezone.localdate()
    consent.save(update_fields=["withdrawn_on"])
    _save(concern, actor=actor, kind="consent_withdrawn", summary="Samtycke återkallat")
    _log(request, actor, "concern_consent_withdrawn", concern)
    return consent


@transaction.atomic
def transfer(
    *, request: Any, concern_id: int, actor: User, version: int, to_organisation: Organisation, legal_ground: str
) -> Concern:
    """Hands the concern over to another organisation; its handlers take over, ours lose access."""
    # Under the lock: a central coordinator's right to hand over ends the moment the organisation gets a
    # coordinator, even between the page's check and this one.
    concern = _locked(concern_id, actor=actor, action=Action.HAND_OVER_CONCERN, version=version)
    _open(concern)
    coordinators = list(recipients.coordinators_of(to_organisation.pk))
    if to_organisation.pk == concern.organisation_id:
        raise ValidationError("Välj en annan organisation än den som har ärendet nu.")
    if not legal_ground.strip():
        raise ValidationError("Ange den rättsliga grunden för överlämnandet.")
    handover = Transfer.objects.create(
        concern=concern,
        from_organisation_id=concern.organisation_id,
        to_organisation=to_organisation,
        legal_ground=legal_ground.strip(),
        by=actor,
    )
    concern.organisation, concern.assigned_to = to_organisation, None
    # History only (it arrived where nobody could receive it); the central queue itself is decided when
    # asked (vbe.accounts.permissions.concern_in_central_queue).
    concern.without_coordinator = not coordinators
    _save(
        concern,
        actor=actor,
        kind="transferred",
        summary=f"Överlämnad till {to_organisation.name}",  # the legal ground stays on the encrypted record
    )
    # The legal ground is free text and the log can never be erased: the log names the record instead.
    _log(
        request,
        actor,
        "concern_transferred",
        concern,
        detail=f"till {to_organisation.name}",
        legal_ground=f"transfer:{handover.pk}",
        organisation_id=handover.from_organisation_id,
    )
    _routed(request=request, concern=concern, actor=actor, coordinators=coordinators, handed_over=True)
    notify_handlers(concern=concern, coordinators=coordinators, handed_over=True)
    return concern


@transaction.atomic
def disclose(
    *,
    request: Any,
    concern_id: int,
    actor: User,
    to_organisation: Organisation,
    legal_ground: str,
    decided_by: str,
) -> Disclosure:
    """Shows the concern to another organisation: a recorded decision with its legal ground. No version:
    a disclosure changes nothing the user saw, but the right to make one is checked under the lock (a
    coordinator whose colleague has just handed the concern over must not give their own organisation
    access again)."""
    concern = _locked(concern_id, actor=actor, action=Action.COORDINATE_CONCERN, version=None)
    if to_organisation.pk == concern.organisation_id:
        raise ValidationError("Organisationen har redan ärendet.")
    if not legal_ground.strip() or not decided_by.strip():
        raise ValidationError("Ange rättslig grund och vem som har fattat beslutet.")
    disclosure = Disclosure.objects.create(
        concern=concern,
        to_organisation=to_organisation,
        legal_ground=legal_ground.strip(),
        decided_by=decided_by.strip(),
        decided_at=timezone.now(),
        recorded_by=actor,
    )
    # Who decided and on what ground stay on the encrypted record; the summary and the log name no one.
    _save(concern, actor=actor, kind="disclosed", summary=f"Röjd för {to_organisation.name}")
    _log(
        request,
        actor,
        "concern_disclosed",
        concern,
        detail=f"till {to_organisation.name}",
        legal_ground=f"disclosure:{disclosure.pk}",
    )
    return disclosure


@transaction.atomic
def withdraw_disclosure(*, request: Any, concern_id: int, disclosure_id: int, actor: User, reason: str) -> Disclosure:
    """Ends another organisation's access at once. The reason is kept encrypted, never logged."""
    concern = _locked(concern_id, actor=actor, action=Action.COORDINATE_CONCERN, version=None)
    disclosure = Disclosure.objects.select_for_update().get(pk=disclosure_id, concern=concern)
    if disclosure.revoked_at is not None:
        raise ValidationError("Röjandet är redan återkallat.")
    if not reason.strip():
        raise ValidationError("Skriv varför röjandet återkallas.")
    disclosure.revoked_at, disclosure.revoked_by, disclosure.revocation_reason = timezone.now(), actor, reason.strip()
    disclosure.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    _save(
        concern,
        actor=actor,
        kind="disclosure_withdrawn",
        summary=f"Röjandet för {disclosure.to_organisation.name} återkallat",
    )
    _log(
        request,
        actor,
        "concern_disclosure_withdrawn",
        concern,
        detail=f"för {disclosure.to_organisation.name}",
        legal_ground=f"disclosure:{disclosure.pk}",
    )
    return disclosure
