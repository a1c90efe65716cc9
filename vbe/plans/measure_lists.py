"""Yearly measures lists of organisations that are responsible for focus areas but owe no plan.

The guideline names Kommunstyrelsen, Förskolenämnden, the housing companies, SHIS and SISAB among the
organisations responsible for focus areas, but gives them no reporting duty for a plan (the duties
with a plan document: lägesbild, åtgärdsplan, handlingsplan). Without a place to record what they do,
the coverage matrix and the status report showed gaps nobody could close. Such an organisation's
coordinators keep a simple list for each year: measures per focus area they are responsible for, with
a status, edited during the year and marked as reported; a reported list is what the coverage counts.

Every write follows the portal's write shape: the year's ``MeasureList`` row is locked (made on the
first write), the right (EDIT_PLAN, the plans' rule) and the version the form was shown with are
checked under the lock, the change is made, and it is logged once.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from vbe.accounts import permissions
from vbe.accounts.models import User
from vbe.accounts.permissions import Action
from vbe.audit.log import record
from vbe.guidelines.models import Document, FocusArea, Method, ReportingDuty
from vbe.organisations.models import Organisation
from vbe.plans.models import ListedMeasure, MeasureList, MeasureStatus

# The documents that make an organisation owe a plan (its measures then live in the plan).
PLAN_DOCUMENTS = frozenset({Document.SITUATION_PICTURE, Document.DISTRICT_PLAN, Document.BOARD_PLAN})

STALE = gettext_lazy(
    "Åtgärdslistan har ändrats av någon annan sedan du öppnade sidan. Ladda om sidan och gör ändringen igen."
)


def plan_duty_organisation_ids() -> set[int]:
    """One query: the organisations that owe a plan under the current guideline."""
    return set(
        ReportingDuty.objects.filter(guideline__is_current=True, document__in=PLAN_DOCUMENTS)
        .values_list("organisations", flat=True)
        .exclude(organisations=None)
    )


def responsible_areas(organisation: Organisation) -> list[FocusArea]:
    """The current guideline's focus areas the organisation is named responsible for, in order."""
    return list(
        FocusArea.objects.filter(intervention_area__guideline__is_current=True, responsible=organisation).order_by(
            "number"
        )
    )


def keeps_measure_list(organisation: Organisation) -> bool:
    """Responsible for some focus area, owing no plan: the organisations this module is for."""
    if organisation.pk in plan_duty_organisation_ids():
        return False
    return FocusArea.objects.filter(intervention_area__guideline__is_current=True, responsible=organisation).exists()


def lists_for(user: User) -> list[Organisation]:
    """The user's organisations that keep a measures list and whose list the user writes (for the
    link on the plan list)."""
    duty = plan_duty_organisation_ids()
    candidates = {m.organisation_id: m.organisation for m in permissions.memberships(user)}
    year = timezone.localdate().year
    return sorted(
        (
            o
            for o in candidates.values()
            if o.pk not in duty
            and permissions.can(user, Action.EDIT_PLAN, MeasureList(organisation=o, year=year))
            and keeps_measure_list(o)
        ),
        key=lambda o: o.name,
    )


def writable_years() -> range:
    """A list is written during its year, and the year before may still be completed (the status
    report covers it); next year's may be started."""
    year = timezone.localdate().year
    return range(year - 1, year + 2)


def current_lock_version(organisation: Organisation, year: int) -> int:
    """The version a form carries (0: nothing saved yet)."""
    found = MeasureList.objects.filter(organisation=organisation, year=year).values_list("lock_version", flat=True)
    return next(iter(found), 0)


def _locked(*, actor: User, organisation: Organisation, year: int, lock_version: int) -> MeasureList:
    """The one write path: the year's list locked (made on the first write), then, under the lock, the
    right, the version the user saw, and whether this organisation keeps such a list at all."""
    measure_list, _created = MeasureList.objects.select_for_update().get_or_create(organisation=organisation, year=year)
    permissions.require(actor, Action.EDIT_PLAN, measure_list)
    if measure_list.lock_version != lock_version:
        raise ValidationError(STALE)
    if not keeps_measure_list(organisation):
        raise ValidationError(
            _(
                "%(organisation)s har ingen åtgärdslista: organisationen skriver en plan, eller pekas inte ut "
                "som ansvarig för något område i riktlinjerna."
            )
            % {"organisation": organisation.name}
        )
    if year not in writable_years():
        raise ValidationError(_("Åtgärdslistan för %(year)s kan inte längre ändras.") % {"year": year})
    return measure_list


def _save(measure_list: MeasureList, *, actor: User, action: str, summary: str, values: dict[str, object]) -> None:
    measure_list.lock_version += 1
    measure_list.save()
    record(
        action=action,
        actor=actor,
        obj=measure_list,
        organisation_id=measure_list.organisation_id,
        detail=(summary % values)[:500],
    )


@transaction.atomic
def save_listed_measure(
    *,
    actor: User,
    organisation: Organisation,
    year: int,
    lock_version: int,
    measure_id: int | None = None,
    title: str,
    description: str = "",
    focus_area: FocusArea,
    status: str = MeasureStatus.PLANNED,
    method: Method | None = None,
) -> ListedMeasure:
    """Adds a measure to the organisation's list for ``year``, or changes one (``measure_id``)."""
    measure_list = _locked(actor=actor, organisation=organisation, year=year, lock_version=lock_version)
    title = title.strip()
    if not title:
        raise ValidationError(_("Skriv vad åtgärden heter."))
    if status not in MeasureStatus.values:
        raise ValidationError(_("Välj en av statusarna."))
    if focus_area.pk not in {area.pk for area in responsible_areas(organisation)}:
        raise ValidationError(_("Välj ett av de områden i riktlinjerna som organisationen är ansvarig för."))
    if method is not None and method.focus_area_id != focus_area.pk:
        raise ValidationError(_("Välj en metod under det område du valde."))
    if measure_id is None:
        measure = ListedMeasure(measure_list=measure_list)
        summary = gettext_noop("Åtgärden lades till i åtgärdslistan %(year)s")
    else:
        found = ListedMeasure.objects.filter(pk=measure_id, measure_list=measure_list).first()
        if found is None:
            raise ValidationError(_("Åtgärden finns inte längre i listan. Ladda om sidan."))
        measure = found
        summary = gettext_noop("En åtgärd i åtgärdslistan %(year)s ändrades")
    measure.title = title
    measure.description = description.strip()
    measure.focus_area = focus_area
    measure.status = status
    measure.method = method
    measure.save()
    _save(measure_list, actor=actor, action="measure_list_changed", summary=summary, values={"year": year})
    return measure


@transaction.atomic
def report_measure_list(*, actor: User, organisation: Organisation, year: int, lock_version: int) -> MeasureList:
    """Marks the list as reported: from now on the coverage and the status report count it. It stays
    editable during the year (a measure's status changes); reporting again moves the date."""
    measure_list = _locked(actor=actor, organisation=organisation, year=year, lock_version=lock_version)
    if not measure_list.measures.exists():
        raise ValidationError(_("Lägg till minst en åtgärd innan du rapporterar listan."))
    measure_list.reported_at = timezone.now()
    measure_list.reported_by = actor
    _save(
        measure_list,
        actor=actor,
        action="measure_list_reported",
        summary=gettext_noop("Åtgärdslistan %(year)s rapporterades"),
        values={"year": year},
    )
    return measure_list
