"""Sharing a concern with others: the consents recorded, handing it over to another organisation,
and disclosing it to one (and withdrawing that). Every write goes through vbe.concerns.writes."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.accounts import recipients
from vbe.accounts.models import User
from vbe.accounts.permissions import Action
from vbe.concerns.intake import _routed, notify_handlers
from vbe.concerns.models import Concern, Consent, Disclosure, Transfer
from vbe.concerns.writes import _check_date, _locked, _log, _open, _save
from vbe.organisations.models import Organisation


def _receiving(organisation: Organisation) -> None:
    """The organisation a concern is handed or shown to is one in use today, asked of the database (the
    form's list was read before, and a district merge may have retired it since)."""
    if not Organisation.objects.filter(pk=organisation.pk, is_active=True).exists():
        raise ValidationError(
            _("%(organisation)s är inte längre en aktiv organisation.") % {"organisation": organisation.name}
        )


@transaction.atomic
def record_consent(
    *, actor: User, concern_id: int, lock_version: int, purpose: str, given_by: str, given_on: datetime.date
) -> Consent:
    concern = _locked(concern_id, actor=actor, action=Action.HANDLE_CONCERN, lock_version=lock_version)
    _open(concern)
    consent = Consent.objects.create(
        concern=concern, purpose=purpose, given_by=given_by, given_on=_check_date(concern, given_on), recorded_by=actor
    )
    _save(concern, actor=actor, kind="consent", summary=_("Samtycke registrerat"))
    _log(actor=actor, action="concern_consent_recorded", concern=concern)
    return consent


@transaction.atomic
def withdraw_consent(*, actor: User, concern_id: int, lock_version: int, consent_id: int) -> Consent:
    """Also on a closed concern (no ``_open``): consent can be withdrawn at any time, and what it allowed
    ends even after the handling, as a disclosure is withdrawn (``withdraw_disclosure``)."""
    concern = _locked(concern_id, actor=actor, action=Action.HANDLE_CONCERN, lock_version=lock_version)
    consent = Consent.objects.select_for_update().get(pk=consent_id, concern=concern)
    if consent.withdrawn_on is not None:
        raise ValidationError(_("Samtycket är redan återkallat."))
    consent.withdrawn_on = timezone.localdate()
    consent.save(update_fields=["withdrawn_on"])
    _save(concern, actor=actor, kind="consent_withdrawn", summary=_("Samtycke återkallat"))
    _log(actor=actor, action="concern_consent_withdrawn", concern=concern)
    return consent


@transaction.atomic
def transfer(
    *, actor: User, concern_id: int, lock_version: int, to_organisation: Organisation, legal_ground: str
) -> Concern:
    """Hands the concern over to another organisation; its handlers take over, ours lose access."""
    # Under the lock: a central coordinator's right to hand over ends the moment the organisation gets a
    # coordinator, even between the page's check and this one.
    concern = _locked(concern_id, actor=actor, action=Action.HAND_OVER_CONCERN, lock_version=lock_version)
    _open(concern)
    coordinators = list(recipients.coordinators_of(to_organisation.pk))
    if to_organisation.pk == concern.organisation_id:
        raise ValidationError(_("Välj en annan organisation än den som har ärendet nu."))
    _receiving(to_organisation)
    if not legal_ground.strip():
        raise ValidationError(_("Ange den rättsliga grunden för överlämnandet."))
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
        # the legal ground stays on the encrypted record
        summary=_("Överlämnad till %(organisation)s") % {"organisation": to_organisation.name},
    )
    # The legal ground is free text and the log can never be erased: the log names the record instead.
    _log(
        actor=actor,
        action="concern_transferred",
        concern=concern,
        detail=f"till {to_organisation.name}",
        legal_ground=f"transfer:{handover.pk}",
        organisation_id=handover.from_organisation_id,
    )
    _routed(concern=concern, actor=actor, coordinators=coordinators, handed_over=True)
    notify_handlers(concern=concern, coordinators=coordinators, handed_over=True)
    return concern


NEEDS_COORDINATOR = gettext_lazy(
    "Ärendet kan bara lämnas över till en organisation som har en aktiv lokal samordnare. Välj en annan organisation."
)


@transaction.atomic
def hand_over_unread(
    *, actor: User, concern_id: int, lock_version: int, to_organisation: Organisation, legal_ground: str
) -> Concern:
    """The central coordinator hands over a concern waiting, unread, for a new coordinator
    (vbe.concerns.awaiting): a ``transfer`` that must arrive where a coordinator receives it.

    Decided in the hand-over's own transaction: had the receiver lost its coordinator meanwhile, the
    concern would arrive in the central queue, readable by the very user who may not read it. The
    whole hand-over (record, chronology, log, messages) is undone instead."""
    concern = transfer(
        actor=actor,
        concern_id=concern_id,
        lock_version=lock_version,
        to_organisation=to_organisation,
        legal_ground=legal_ground,
    )
    if concern.without_coordinator:
        raise ValidationError(NEEDS_COORDINATOR)
    return concern


@transaction.atomic
def disclose(
    *,
    actor: User,
    concern_id: int,
    to_organisation: Organisation,
    legal_ground: str,
    decided_by: str,
) -> Disclosure:
    """Shows the concern to another organisation: a recorded decision with its legal ground. No version:
    a disclosure changes nothing the user saw, but the right to make one is checked under the lock (a
    coordinator whose colleague has just handed the concern over must not give their own organisation
    access again)."""
    concern = _locked(concern_id, actor=actor, action=Action.COORDINATE_CONCERN, lock_version=None)
    if to_organisation.pk == concern.organisation_id:
        raise ValidationError(_("Organisationen har redan ärendet."))
    _receiving(to_organisation)
    if not legal_ground.strip() or not decided_by.strip():
        raise ValidationError(_("Ange rättslig grund och vem som har fattat beslutet."))
    disclosure = Disclosure.objects.create(
        concern=concern,
        to_organisation=to_organisation,
        legal_ground=legal_ground.strip(),
        decided_by=decided_by.strip(),
        decided_at=timezone.now(),
        recorded_by=actor,
    )
    # Who decided and on what ground stay on the encrypted record; the summary and the log name no one.
    _save(
        concern,
        actor=actor,
        kind="disclosed",
        summary=_("Röjd för %(organisation)s") % {"organisation": to_organisation.name},
    )
    _log(
        actor=actor,
        action="concern_disclosed",
        concern=concern,
        detail=f"till {to_organisation.name}",
        legal_ground=f"disclosure:{disclosure.pk}",
    )
    return disclosure


@transaction.atomic
def withdraw_disclosure(*, actor: User, concern_id: int, disclosure_id: int, reason: str) -> Disclosure:
    """Ends another organisation's access at once (no version, as for ``disclose``). The reason is kept
    encrypted, never logged."""
    concern = _locked(concern_id, actor=actor, action=Action.COORDINATE_CONCERN, lock_version=None)
    disclosure = Disclosure.objects.select_for_update().get(pk=disclosure_id, concern=concern)
    if disclosure.revoked_at is not None:
        raise ValidationError(_("Röjandet är redan återkallat."))
    if not reason.strip():
        raise ValidationError(_("Skriv varför röjandet återkallas."))
    disclosure.revoked_at, disclosure.revoked_by, disclosure.revocation_reason = timezone.now(), actor, reason.strip()
    disclosure.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    _save(
        concern,
        actor=actor,
        kind="disclosure_withdrawn",
        summary=_("Röjandet för %(organisation)s återkallat") % {"organisation": disclosure.to_organisation.name},
    )
    _log(
        actor=actor,
        action="concern_disclosure_withdrawn",
        concern=concern,
        detail=f"för {disclosure.to_organisation.name}",
        legal_ground=f"disclosure:{disclosure.pk}",
    )
    return disclosure
