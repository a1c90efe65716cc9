"""Raising a concern in SSPF or BUS: the concern's action "Lyft i SSPF" / "Lyft i BUS".

A person may be raised in a forum only with their recorded consent or a legal ground written out, and
only in a forum the concern's organisation takes part in. The concern is locked and checked through the
concern routine's own write path (``vbe.concerns.services.locked_for_handling``: the right to handle it,
not purged, not closed, the version the user saw); the action is recorded there too, so the chronology
and the access log are the routine's. What is kept here (``ForumRaising``) points at the forum, never at
a meeting: a meeting record knows nothing of the concern, and the raising holds no note about the person.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from vbe.accounts.models import User
from vbe.collaboration.models import Forum, ForumKind, ForumRaising
from vbe.concerns import services
from vbe.concerns.models import ActionKind, Concern, Consent
from vbe.core.textcheck import reject_identifying_numbers

# The action kind of each forum kind a concern can be raised in.
FORUM_KIND: dict[str, str] = {ActionKind.RAISED_IN_SSPF: ForumKind.SSPF, ActionKind.RAISED_IN_BUS: ForumKind.BUS}
MIN_LEGAL_GROUND_LENGTH = 10


def forums_for(concern: Concern, kind: str | None = None) -> QuerySet[Forum]:
    """The forums ``concern`` can be raised in: active, of the kind (SSPF or BUS), with the concern's
    organisation as a member."""
    kinds = [FORUM_KIND[kind]] if kind is not None and kind in FORUM_KIND else list(FORUM_KIND.values())
    return (
        Forum.objects.filter(is_active=True, kind__in=kinds, member_organisations=concern.organisation_id)
        .select_related("district")
        .defer("district__geometry")
        .order_by("name", "pk")
    )


def _forum(concern: Concern, kind: str, forum_id: int | None) -> Forum:
    forum = Forum.objects.select_for_update().filter(pk=forum_id).first() if forum_id else None
    if forum is None:
        raise ValidationError(_("Välj ett forum i listan."))
    if not forum.is_active:
        raise ValidationError(_("Forumet %(forum)s är inte aktivt längre. Välj ett annat.") % {"forum": forum.name})
    if forum.kind != FORUM_KIND[kind]:
        raise ValidationError(
            _("%(forum)s är inte ett forum av typen %(kind)s. Välj ett forum av rätt typ.")
            % {"forum": forum.name, "kind": ForumKind(FORUM_KIND[kind]).label}
        )
    if not forum.member_organisations.filter(pk=concern.organisation_id).exists():
        raise ValidationError(
            _("%(organisation)s deltar inte i %(forum)s. Välj ett forum som organisationen deltar i.")
            % {"organisation": concern.organisation.name, "forum": forum.name}
        )
    return forum


def _ground(
    concern: Concern, consent_id: int | None, legal_ground: str, done_on: datetime.date | None
) -> tuple[Consent | None, str]:
    """Exactly one ground: an active consent of this concern given on or before the day, or a legal
    ground written out."""
    legal_ground = legal_ground.strip()
    if consent_id and legal_ground:
        raise ValidationError(
            _("Ange antingen ett samtycke eller en rättslig grund, inte båda. Välj den grund lyftet faktiskt vilar på.")
        )
    if not consent_id and not legal_ground:
        raise ValidationError(
            _(
                "En person får lyftas i forumet bara med samtycke eller annat rättsligt stöd. Välj ett samtycke eller skriv den rättsliga grunden."
            )
        )
    if legal_ground:
        if len(legal_ground) < MIN_LEGAL_GROUND_LENGTH:
            raise ValidationError(
                _("Skriv ut den rättsliga grunden, till exempel ”Offentlighets- och sekretesslagen 10 kap. 2 §”.")
            )
        reject_identifying_numbers(legal_ground)
        return None, legal_ground
    consent = Consent.objects.select_for_update().filter(pk=consent_id or 0, concern_id=concern.pk).first()
    if consent is None:
        raise ValidationError(_("Välj ett samtycke som är registrerat i det här ärendet."))
    if not consent.is_active:
        raise ValidationError(_("Samtycket är återkallat. Välj ett gällande samtycke eller skriv en rättslig grund."))
    if done_on is not None and consent.given_on > done_on:
        raise ValidationError(
            _("Samtycket lämnades %(given)s, efter den dag ärendet lyftes. Välj ett samtycke som gällde då.")
            % {"given": f"{consent.given_on:%Y-%m-%d}"}
        )
    return consent, ""


def raise_in_forum(
    *,
    actor: User,
    concern_id: int,
    lock_version: int,
    kind: str,
    forum_id: int | None,
    done_on: datetime.date | None,
    consent_id: int | None = None,
    legal_ground: str = "",
) -> ForumRaising:
    """Records that the concern was raised in ``forum_id`` on ``done_on``, on the ground of
    ``consent_id`` or ``legal_ground`` (exactly one). Nothing is written unless every rule holds."""
    with transaction.atomic():
        concern = services.locked_for_handling(actor=actor, concern_id=concern_id, lock_version=lock_version)
        if kind not in FORUM_KIND:
            raise ValidationError(_("Välj om ärendet lyfts i SSPF eller i BUS."))
        forum = _forum(concern, kind, forum_id)
        consent, legal_ground = _ground(concern, consent_id, legal_ground, done_on)
        ground = f"consent:{consent.pk}" if consent else "legal_ground"
        action = services.record_raised_in_forum(
            concern=concern,
            actor=actor,
            kind=kind,
            done_on=done_on,
            forum_name=forum.name,
            detail=f"{kind} forum:{forum.pk} {ground}",  # ids only: the ground's text stays in its record
        )
        return ForumRaising.objects.create(action=action, forum=forum, consent=consent, legal_ground=legal_ground)
