"""No personal data in the records of the collaboration forums.

Every free text of a forum, a meeting and a follow-up action is refused when it holds a personnummer or
a phone number (``vbe.core.textcheck``). The texts of meetings and actions are also compared with the
names of the people in the concerns the writer may read: a match is not refused outright (a subject
may share a name with a place or an organisation), but the form is shown again with a warning, and it
is saved only when the writer confirms. The confirmation is logged, never the text or the name.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from vbe.accounts.models import User
from vbe.audit.log import record
from vbe.concerns.subject_names import mentions_concern_subject
from vbe.core.textcheck import reject_identifying_numbers

NAME_WARNING = _(
    "Texten verkar innehålla namnet på en person i ett ärende. Mötesanteckningar får inte innehålla "
    "uppgifter om enskilda."
)
NAME_WARNING_CODE = "subject_name"
HINT = _("Skriv organisationer och sakfrågor, aldrig namn på enskilda personer.")


def reject_numbers(*texts: str) -> None:
    """The service's own check of every text (the form checks each field first)."""
    for text in texts:
        reject_identifying_numbers(text)


def names_found(*, actor: User, texts: tuple[str, ...]) -> bool:
    """Whether a text names a concern subject the actor may read. It decrypts every readable concern's
    name, so it is asked before the service takes its transaction and row lock (on SQLite the lock is
    the whole database's): it only reads, and its answer is given under the lock by ``check_names``."""
    return mentions_concern_subject(actor, *texts)


def check_names(*, found: bool, confirmed: bool) -> bool:
    """Refuses with the warning when ``names_found`` found a name and the actor has not confirmed;
    returns True when there was such a match and it was confirmed (to be logged with ``log_confirmed``
    once the row is saved)."""
    if not found:
        return False
    if not confirmed:
        raise ValidationError(NAME_WARNING, code=NAME_WARNING_CODE)
    return True


def log_confirmed(*, actor: User, obj: models.Model, organisation_id: int | None) -> None:
    """One access-log row: the writer saved a text despite the warning. Which text and which name is not
    said, so the log holds no more personal data than the record."""
    record(
        action="meeting_text_name_warning_confirmed",
        actor=actor,
        obj=obj,
        organisation_id=organisation_id,
        detail="sparad trots varning om namn på en person i ett ärende",
    )
