"""The concern routine's one write path, shared by every service module (intake, services, sharing,
closure). Every write locks the row, then checks under the lock the actor's right, the state and the
version the user saw, writes a chronology entry, and writes the access log. Views only call the services."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.accounts import permissions
from vbe.accounts.models import User
from vbe.accounts.permissions import Action
from vbe.audit.log import record
from vbe.concerns.models import Concern, Event, State

STALE = gettext_lazy(
    "Ärendet har ändrats av någon annan sedan du öppnade sidan. Ladda om sidan och gör ändringen igen."
)
PURGED = gettext_lazy("Ärendet är gallrat och kan inte ändras.")
# A date recorded in a concern (an action, a consent, an orosanmälan) lying further back than this
# before the concern was received cannot be about it: a typing error (or 0001-01-01), refused.
EARLIEST_YEARS_BEFORE_RECEIVED = 5


def _log(
    *,
    actor: User,
    action: str,
    concern: Concern,
    detail: str = "",
    legal_ground: str = "",
    organisation_id: int | None = None,
) -> None:
    """The write's one row in the access log (vbe.audit.log.record), naming the concern's reference.
    ``organisation_id``: the organisation in whose name the actor acted, when it is not the one
    holding the concern now (a hand-over is logged as the handing organisation's act)."""
    record(
        action=action,
        actor=actor,
        obj=concern,
        subject_ref=concern.reference,
        detail=detail,
        legal_ground=legal_ground,
        organisation_id=organisation_id,
    )


def _locked(concern_id: int, *, actor: User, action: Action, lock_version: int | None) -> Concern:
    """The one write path: lock the row, then, under the lock, check the actor's right to ``action``
    (it may have ended since the page checked it: a colleague handed the concern over, unassigned the
    caseworker …), that the concern is not purged, and the version the user saw (``lock_version``; None
    only for a write that changes nothing the user saw).

    A purged concern takes no writes at all: the purge skips concerns already purged, so any text
    written afterwards would never be cleared."""
    concern = Concern.objects.select_for_update().get(pk=concern_id)
    permissions.require(actor, action, concern)
    if concern.purged_at is not None:
        raise ValidationError(PURGED)
    if lock_version is not None and concern.lock_version != lock_version:
        raise ValidationError(STALE)
    return concern


def _received_on(concern: Concern) -> datetime.date:
    return timezone.localtime(concern.created_at).date()


def _check_date(concern: Concern, value: datetime.date | None) -> datetime.date:
    """A date recorded in the concern: not in the future, and not long before it was received."""
    if value is None:
        raise ValidationError(_("Ange ett datum."))
    if value > timezone.localdate():
        raise ValidationError(_("Datumet kan inte ligga i framtiden."))
    received = _received_on(concern)
    years = EARLIEST_YEARS_BEFORE_RECEIVED
    try:
        earliest = received.replace(year=received.year - years)
    except ValueError:  # received on 29 February
        earliest = received.replace(year=received.year - years, day=28)
    if value < earliest:
        raise ValidationError(
            _("Datumet kan inte ligga mer än fem år före den dag oron togs emot (%(received)s). Kontrollera datumet.")
            % {"received": f"{received:%Y-%m-%d}"}
        )
    return value


def _open(concern: Concern) -> None:
    if concern.state == State.CLOSED:
        raise ValidationError(_("Ärendet är avslutat och kan inte ändras."))


def _save(concern: Concern, *, actor: User, kind: str, summary: str, note: str = "", from_state: str = "") -> None:
    # Written while its organisation has a coordinator: taken over there, so it no longer counts as
    # arrived without one, and the central queue does not reopen to that work if the coordinators go.
    if concern.without_coordinator and permissions.has_active_coordinator(concern.organisation_id):
        concern.without_coordinator = False
    concern.lock_version += 1
    concern.save()
    Event.objects.create(
        concern=concern,
        actor=actor,
        kind=kind,
        summary=summary,
        note=note,
        from_state=from_state,
        to_state=concern.state if from_state else "",
    )
