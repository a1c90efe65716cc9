"""The criteria of the democracy condition: the city's wording as data, kept by the central coordinator
(MANAGE_DEMOCRACY_CRITERIA). A criterion is retired, never deleted, and changing its wording never
changes what an assessment answered: each finding keeps a copy of the wording it answered
(``CriterionFinding.text``). A new draft answers the active criteria only."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.accounts.models import User
from vbe.accounts.permissions import Action, require
from vbe.audit.log import record
from vbe.collaboration.models import Criterion
from vbe.core.textcheck import reject_identifying_numbers

STALE = gettext_lazy(
    "Kriteriet har ändrats av någon annan sedan du öppnade sidan. Ladda om sidan och gör ändringen igen."
)
MAX_TEXT = 5_000


@dataclass(frozen=True)
class Wording:
    number: int
    text: str
    guidance: str = ""
    is_active: bool = True


def _check(wording: Wording) -> Wording:
    text, guidance = wording.text.strip(), wording.guidance.strip()
    if not text:
        raise ValidationError(_("Skriv kriteriets lydelse."))
    if not 1 <= wording.number <= 999:
        raise ValidationError(_("Numret ska vara mellan 1 och 999."))
    for value in (text, guidance):
        if len(value) > MAX_TEXT:
            raise ValidationError(_("En text får vara högst %(max)s tecken.") % {"max": MAX_TEXT})
        reject_identifying_numbers(value)
    return Wording(wording.number, text, guidance, wording.is_active)


@transaction.atomic
def create_criterion(*, user: User, wording: Wording) -> Criterion:
    require(user, Action.MANAGE_DEMOCRACY_CRITERIA)
    wording = _check(wording)
    criterion = Criterion.objects.create(
        number=wording.number, text=wording.text, guidance=wording.guidance, is_active=wording.is_active
    )
    record(action="democracy_criterion_created", actor=user, obj=criterion, detail=f"nr {criterion.number}")
    return criterion


@transaction.atomic
def update_criterion(*, user: User, criterion_id: int, lock_version: int, wording: Wording) -> Criterion:
    """Saves the new wording (or retires or reinstates the criterion). Returns it unchanged, without a
    log row, when nothing changed."""
    require(user, Action.MANAGE_DEMOCRACY_CRITERIA)
    criterion = Criterion.objects.select_for_update().get(pk=criterion_id)
    if criterion.lock_version != lock_version:
        raise ValidationError(STALE, code="stale")
    wording = _check(wording)
    before = (criterion.number, criterion.text, criterion.guidance, criterion.is_active)
    after = (wording.number, wording.text, wording.guidance, wording.is_active)
    if before == after:
        return criterion
    criterion.number, criterion.text, criterion.guidance, criterion.is_active = after
    criterion.lock_version += 1
    criterion.save()
    retired = before[3] and not wording.is_active
    reinstated = not before[3] and wording.is_active
    record(
        action=(
            "democracy_criterion_retired"
            if retired
            else "democracy_criterion_reinstated"
            if reinstated
            else "democracy_criterion_changed"
        ),
        actor=user,
        obj=criterion,
        detail=f"nr {criterion.number}",
    )
    return criterion
