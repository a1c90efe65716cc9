"""The coordinator's yearly self-report on the duties the guideline gives them.

One save answers every duty at once. It follows the portal's write shape: the year's ``SelfReport``
row is locked (made on the first save), the actor's right (REPORT_DUTIES) and the version the form was
shown with (``lock_version``) are checked under the lock, the answers are written, and the save is
logged once.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.accounts import permissions
from vbe.accounts.models import User
from vbe.accounts.permissions import Action
from vbe.audit.log import record
from vbe.guidelines.models import CoordinatorDuty
from vbe.organisations.models import Organisation
from vbe.plans.models import DutyAnswer, DutyReport, SelfReport

STALE = gettext_lazy(
    "Någon annan har sparat samordnaruppdraget sedan du öppnade sidan. Ladda om sidan och gör ändringen igen."
)


def current_lock_version(organisation: Organisation, year: int) -> int:
    """The version of the organisation's self-report for ``year`` that a form carries (0: never saved)."""
    found = SelfReport.objects.filter(organisation=organisation, year=year).values_list("lock_version", flat=True)
    return next(iter(found), 0)


@transaction.atomic
def report_duties(
    *,
    actor: User,
    organisation: Organisation,
    year: int,
    lock_version: int,
    answers: Mapping[int, tuple[str, str]],
) -> SelfReport:
    """Saves the answers (duty id -> (answer, comment)) against the version the form was shown with.
    Two first saves at once: the second finds the first one's row and is refused as stale."""
    report, _created = SelfReport.objects.select_for_update().get_or_create(organisation=organisation, year=year)
    permissions.require(actor, Action.REPORT_DUTIES, organisation)
    if report.lock_version != lock_version:
        raise ValidationError(STALE)
    if year > timezone.localdate().year:
        raise ValidationError(_("Samordnaruppdraget rapporteras för innevarande eller tidigare år."))
    current = set(CoordinatorDuty.objects.filter(guideline__is_current=True).values_list("pk", flat=True))
    if set(answers) - current:
        raise ValidationError(_("Uppgifterna hör inte till de gällande riktlinjerna."))
    for duty_id, (answer, comment) in answers.items():
        if answer not in DutyAnswer.values:
            raise ValidationError(_("Svara gjort, delvis eller inte gjort för varje uppgift."))
        DutyReport.objects.update_or_create(
            organisation=organisation,
            year=year,
            duty_id=duty_id,
            defaults={"answer": answer, "comment": comment.strip(), "reported_by": actor},
        )
    report.lock_version += 1
    report.save(update_fields=["lock_version"])
    record(action="duty_report_saved", actor=actor, obj=organisation, detail=str(year))
    return report
