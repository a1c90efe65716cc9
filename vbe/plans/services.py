"""The plan workflow: draft → ready for the board → decided → followed up.

Each transition is a named service in the portal's one write shape: it locks the plan row, checks
under the lock that the actor may still change it (EDIT_PLAN), its state and the version the user saw
(``lock_version``), writes the change history and one row in the access log. A decided plan is locked;
changes go through a new version (``new_version``), and the old one stays as history. The coordinator's
yearly self-report on the duties is ``vbe.plans.self_report``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from vbe.accounts import permissions
from vbe.accounts.models import User
from vbe.accounts.permissions import Action
from vbe.audit.log import record
from vbe.guidelines.models import FocusArea, Method
from vbe.organisations.models import Organisation, OrganisationKind, Unit
from vbe.plans.cycle import follow_up_years, off_cycle_error, plan_cycle
from vbe.plans.models import (
    FollowUp,
    FollowUpStatus,
    Indicator,
    Measure,
    MeasureStatus,
    Plan,
    PlanEvent,
    PlanKind,
    PlanState,
    plan_title,
)

STALE = gettext_lazy("Planen har ändrats av någon annan sedan du öppnade sidan. Ladda om sidan och gör ändringen igen.")
LOCKED = gettext_lazy("Planen är beslutad och låst. Skapa en ny version för att ändra den.")
AWAITING_DECISION = gettext_lazy("Planen väntar på nämndens beslut. Ta tillbaka den som utkast för att ändra den.")
NOT_FOLLOWED_UP = gettext_lazy("Bara åtgärder i en gällande, beslutad plan följs upp.")
FOLLOW_UP_DONE = gettext_noop("Uppföljningen för %(year)s är klar")


@dataclass(frozen=True)
class FollowUpEntry:
    """One measure's follow-up for a year, as the follow-up page sends it. ``indicator_values``:
    indicator id (as text) -> the value reached."""

    measure_id: int
    status: str
    comment: str = ""
    indicator_values: Mapping[str, str] = field(default_factory=dict)


def _locked(plan_id: int, *, actor: User, lock_version: int) -> Plan:
    """The one write path: lock the plan, then, under the lock, check that the actor may still change it
    (a membership may have ended since the page was shown) and that it is the version the user saw."""
    plan = Plan.objects.select_for_update().get(pk=plan_id)
    permissions.require(actor, Action.EDIT_PLAN, plan)
    if plan.lock_version != lock_version:
        raise ValidationError(STALE)
    return plan


def _editable(plan: Plan) -> None:
    """Only a current draft is changed: a decided plan is locked, one awaiting the board is taken back first."""
    if plan.is_locked:
        raise ValidationError(LOCKED)
    if plan.state != PlanState.DRAFT:
        raise ValidationError(AWAITING_DECISION)


def _touch(
    plan: Plan, *, actor: User, summary: str, values: Mapping[str, object] | None = None, action: str = "plan_changed"
) -> None:
    """``summary``: the change in a few words, a message id marked with ``gettext_noop`` and filled in
    from ``values``. The plan's history gets it in the writer's language; the access log gets it as
    written, in Swedish, like every row of the log."""
    plan.lock_version += 1
    plan.save()
    values = values or {}
    PlanEvent.objects.create(plan=plan, actor=actor, summary=(_(summary) % values)[:300])
    record(action=action, actor=actor, obj=plan, detail=(summary % values)[:500])


def kind_for(organisation: Organisation) -> str:
    if organisation.kind == OrganisationKind.DISTRICT_COUNCIL:
        return PlanKind.DISTRICT
    return PlanKind.BOARD


@transaction.atomic
def create_plan(*, actor: User, organisation: Organisation, year: int, title: str = "") -> Plan:
    """A new draft for ``year``. The organisation's row is locked, so two coordinators creating the same
    plan at once get one plan and a message, not two."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    permissions.require(actor, Action.EDIT_PLAN, Plan(organisation=organisation))
    kind = kind_for(organisation)
    cycle = plan_cycle(kind)
    if not cycle.applies_in(year):
        raise ValidationError(off_cycle_error(kind, cycle, year))
    if Plan.objects.filter(organisation=organisation, kind=kind, year=year, is_current=True).exists():
        raise ValidationError(
            _("%(organisation)s har redan en plan för %(year)s.") % {"organisation": organisation.name, "year": year}
        )
    end_year = cycle.end_year(year)
    # After an administrator changes the cadence a new start year can fall inside a plan already made
    # (a two-year plan from 2026, then odd years: 2027): two plans would be in force for one year.
    overlapping = Plan.objects.filter(
        organisation=organisation, kind=kind, is_current=True, year__lte=end_year, end_year__gte=year
    ).first()
    if overlapping is not None:
        new_period = str(year) if end_year == year else f"{year}–{end_year}"
        raise ValidationError(
            _(
                "%(organisation)s har redan en plan för %(period)s, och en plan för %(new)s skulle gälla under "
                "samma år. Två planer kan inte gälla samtidigt: välj ett år efter %(end)s."
            )
            % {
                "new": new_period,
                "organisation": organisation.name,
                "period": overlapping.period_label,
                "end": overlapping.end_year,
            }
        )
    plan = Plan.objects.create(
        organisation=organisation,
        kind=kind,
        year=year,
        end_year=end_year,
        title=title.strip()
        or plan_title(kind, str(year) if end_year == year else f"{year}–{end_year}", organisation.display_name),
        created_by=actor,
    )
    PlanEvent.objects.create(plan=plan, actor=actor, summary=_("Planen skapades"))
    record(action="plan_created", actor=actor, obj=plan)
    return plan


@transaction.atomic
def update_plan(*, actor: User, plan_id: int, lock_version: int, title: str, situation_analysis: str) -> Plan:
    plan = _locked(plan_id, actor=actor, lock_version=lock_version)
    _editable(plan)
    if not title.strip():
        raise ValidationError(_("Skriv en rubrik för planen."))
    plan.title, plan.situation_analysis = title.strip(), situation_analysis.strip()
    _touch(plan, actor=actor, summary=gettext_noop("Lägesbilden och rubriken uppdaterades"))
    return plan


def _measure_of(plan: Plan, measure_id: int | None) -> Measure:
    """The measure to change (``measure_id``), or a new one in ``plan``."""
    if measure_id is None:
        return Measure(plan=plan)
    measure = Measure.objects.filter(pk=measure_id).first()
    if measure is None:
        raise ValidationError(_("Åtgärden finns inte längre i planen."))
    if measure.plan_id != plan.pk:
        raise ValidationError(_("Åtgärden hör till en annan plan."))
    return measure


@transaction.atomic
def save_measure(
    *,
    actor: User,
    plan_id: int,
    lock_version: int,
    measure_id: int | None = None,
    title: str,
    focus_area: FocusArea,
    description: str = "",
    responsible_unit: Unit | None = None,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    status: str = MeasureStatus.PLANNED,
    methods: Sequence[Method] | None = None,
    indicators: Sequence[tuple[str, str]] | None = None,
) -> Measure:
    """Adds a measure (``measure_id`` None) or changes one. ``methods`` and ``indicators`` ((name,
    target) pairs) replace the old ones; None keeps them."""
    plan = _locked(plan_id, actor=actor, lock_version=lock_version)
    _editable(plan)
    if not title.strip():
        raise ValidationError(_("Skriv vad åtgärden heter."))
    if status not in MeasureStatus.values:
        raise ValidationError(_("Välj status."))
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError(_("Slutdatum kan inte vara före startdatum."))
    stray = [m for m in methods or [] if m.focus_area_id != focus_area.pk]
    if stray:
        names = ", ".join(m.name for m in stray)
        raise ValidationError(_("Metoderna hör till ett annat område än åtgärden: %(methods)s.") % {"methods": names})
    if responsible_unit is not None and responsible_unit.organisation_id != plan.organisation_id:
        raise ValidationError(_("Den ansvariga verksamheten hör till en annan organisation."))
    measure = _measure_of(plan, measure_id)
    created = measure.pk is None
    measure.title, measure.description, measure.focus_area = title.strip(), description.strip(), focus_area
    measure.responsible_unit, measure.starts_on, measure.ends_on = responsible_unit, starts_on, ends_on
    measure.status = status
    measure.save()
    if methods is not None:
        measure.methods.set(methods)
    if indicators is not None:
        measure.indicators.all().delete()
        Indicator.objects.bulk_create(Indicator(measure=measure, name=n, target=t) for n, t in indicators if n.strip())
    summary = gettext_noop("Åtgärd tillagd: %(title)s") if created else gettext_noop("Åtgärd ändrad: %(title)s")
    _touch(plan, actor=actor, summary=summary, values={"title": measure.title})
    return measure


@transaction.atomic
def delete_measure(*, actor: User, plan_id: int, lock_version: int, measure_id: int) -> Plan:
    plan = _locked(plan_id, actor=actor, lock_version=lock_version)
    _editable(plan)
    measure = Measure.objects.filter(pk=measure_id, plan=plan).first()
    if measure is None:
        raise ValidationError(_("Åtgärden finns inte längre i planen."))
    title = measure.title
    measure.delete()
    _touch(plan, actor=actor, summary=gettext_noop("Åtgärd borttagen: %(title)s"), values={"title": title})
    return plan


@transaction.atomic
def submit_for_decision(*, actor: User, plan_id: int, lock_version: int) -> Plan:
    """Draft → ready for the board. A plan needs a situation picture and at least one measure."""
    plan = _locked(plan_id, actor=actor, lock_version=lock_version)
    if plan.state != PlanState.DRAFT:
        raise ValidationError(_("Bara ett utkast kan lämnas till nämnden."))
    no_situation, no_measures = not plan.situation_analysis.strip(), not plan.measures.exists()
    if no_situation and no_measures:
        raise ValidationError(_("Planen behöver en lägesbild och minst en åtgärd innan den lämnas till nämnden."))
    if no_situation:
        raise ValidationError(_("Planen behöver en lägesbild innan den lämnas till nämnden."))
    if no_measures:
        raise ValidationError(_("Planen behöver minst en åtgärd innan den lämnas till nämnden."))
    plan.state = PlanState.READY
    _touch(plan, actor=actor, summary=gettext_noop("Lämnad till nämnden för beslut"), action="plan_submitted")
    return plan


@transaction.atomic
def return_to_draft(*, actor: User, plan_id: int, lock_version: int) -> Plan:
    plan = _locked(plan_id, actor=actor, lock_version=lock_version)
    if plan.state != PlanState.READY:
        raise ValidationError(_("Bara en plan som väntar på beslut kan tas tillbaka."))
    plan.state = PlanState.DRAFT
    _touch(plan, actor=actor, summary=gettext_noop("Tagen tillbaka till utkast"))
    return plan


@transaction.atomic
def record_decision(
    *, actor: User, plan_id: int, lock_version: int, decided_on: datetime.date, minute_reference: str
) -> Plan:
    """Ready → decided, with the board's decision date and minute reference. The plan is then locked."""
    plan = _locked(plan_id, actor=actor, lock_version=lock_version)
    if plan.state != PlanState.READY:
        raise ValidationError(_("Planen måste först lämnas till nämnden."))
    if decided_on > timezone.localdate():
        raise ValidationError(_("Beslutsdatumet kan inte ligga i framtiden."))
    if not minute_reference.strip():
        raise ValidationError(_("Ange protokollsparagrafen för beslutet."))
    plan.state, plan.decided_on, plan.minute_reference = PlanState.DECIDED, decided_on, minute_reference.strip()
    _touch(
        plan,
        actor=actor,
        summary=gettext_noop("Beslutad %(date)s, %(minute)s"),
        values={"date": f"{decided_on:%Y-%m-%d}", "minute": plan.minute_reference},
        action="plan_decided",
    )
    return plan


def _check_follow_up_year(plan: Plan, year: int) -> None:
    """A plan is followed up for the years its follow-up rule names, never for a year it does not cover."""
    years = follow_up_years(plan, plan_cycle(plan.kind))
    if year not in years:
        named = _(" och ").join(str(y) for y in years) or _("inget år")
        raise ValidationError(
            _("Planen gäller %(period)s och följs upp för %(years)s; uppföljning för %(year)s hör inte till den.")
            % {"period": plan.period_label, "years": named, "year": year}
        )


def _indicator_values(values: Mapping[str, str] | None) -> dict[str, str]:
    return {str(k): str(v).strip() for k, v in (values or {}).items() if str(v).strip()}


def _follow_up(plan: Plan, measure: Measure, *, actor: User, year: int, entry: FollowUpEntry) -> FollowUp:
    """Writes one measure's follow-up of the locked ``plan``, after the checks every follow-up passes."""
    if not plan.is_decided or not plan.is_current:
        raise ValidationError(NOT_FOLLOWED_UP)
    _check_follow_up_year(plan, year)
    if entry.status not in FollowUpStatus.values:
        raise ValidationError(_("Välj status för åtgärden %(measure)s.") % {"measure": measure.title})
    known = {str(pk) for pk in measure.indicators.values_list("pk", flat=True)}
    values = _indicator_values(entry.indicator_values)
    if set(values) - known:
        raise ValidationError(_("Indikatorvärdena hör inte till åtgärden %(measure)s.") % {"measure": measure.title})
    follow_up, _created = FollowUp.objects.update_or_create(
        measure=measure,
        year=year,
        defaults={
            "status": entry.status,
            "comment": entry.comment.strip(),
            "indicator_values": values,
            "recorded_by": actor,
        },
    )
    _touch(
        plan,
        actor=actor,
        summary=gettext_noop("Uppföljning %(year)s: %(title)s"),
        values={"year": year, "title": measure.title},
        action="plan_followed_up",
    )
    return follow_up


@transaction.atomic
def record_follow_up(
    *,
    actor: User,
    measure_id: int,
    lock_version: int,
    year: int,
    status: str,
    comment: str = "",
    indicator_values: Mapping[str, str] | None = None,
) -> FollowUp:
    """The yearly follow-up of one measure of a decided plan, against the version of the plan the user saw."""
    measure = Measure.objects.filter(pk=measure_id).first()
    if measure is None:
        raise ValidationError(_("Åtgärden finns inte längre i planen."))
    plan = _locked(measure.plan_id, actor=actor, lock_version=lock_version)
    entry = FollowUpEntry(measure_id, status, comment, indicator_values or {})
    return _follow_up(plan, measure, actor=actor, year=year, entry=entry)


@transaction.atomic
def record_follow_ups(
    *, actor: User, plan_id: int, lock_version: int, year: int, entries: Sequence[FollowUpEntry]
) -> int:
    """The follow-up page's save: each entry's follow-up, all or nothing, against the version of the
    plan the user saw. Entries equal to what is already recorded are skipped, so saving twice writes no
    new history. Returns how many were written."""
    plan = _locked(plan_id, actor=actor, lock_version=lock_version)
    if not plan.is_decided or not plan.is_current:
        raise ValidationError(NOT_FOLLOWED_UP)
    measures = {m.pk: m for m in plan.measures.all()}
    existing = {f.measure_id: f for f in FollowUp.objects.filter(measure__plan=plan, year=year)}
    written = 0
    for entry in entries:
        if entry.measure_id not in measures:
            raise ValidationError(_("Åtgärden hör till en annan plan."))
        old = existing.get(entry.measure_id)
        if (
            old is not None
            and old.status == entry.status
            and old.comment == entry.comment.strip()
            and old.indicator_values == _indicator_values(entry.indicator_values)
        ):
            continue
        _follow_up(plan, measures[entry.measure_id], actor=actor, year=year, entry=entry)
        written += 1
    return written


def follow_up_completed(plan: Plan, year: int) -> bool:
    """Whether the year's follow-up of ``plan`` has been marked done (read from its chronology)."""
    return year in plan.followed_up_years


@transaction.atomic
def complete_follow_up(*, actor: User, plan_id: int, lock_version: int, year: int) -> Plan:
    """Decided → followed up, once every measure has its follow-up for ``year``.

    A board's plan covers two years and is followed up each year: completing the second year's
    follow-up keeps the state and writes the history entry."""
    plan = _locked(plan_id, actor=actor, lock_version=lock_version)
    if not plan.is_decided or not plan.is_current:
        raise ValidationError(_("Bara en gällande, beslutad plan kan markeras som uppföljd."))
    _check_follow_up_year(plan, year)
    missing = plan.measures.exclude(follow_ups__year=year).count()
    if missing:
        raise ValidationError(
            ngettext(
                "%(count)s åtgärd saknar uppföljning för %(year)s.",
                "%(count)s åtgärder saknar uppföljning för %(year)s.",
                missing,
            )
            % {"count": missing, "year": year}
        )
    plan.state = PlanState.FOLLOWED_UP
    plan.followed_up_years = sorted({*plan.followed_up_years, year})
    _touch(plan, actor=actor, summary=FOLLOW_UP_DONE, values={"year": year})
    return plan


@transaction.atomic
def new_version(*, actor: User, plan_id: int, lock_version: int) -> Plan:
    """Copies a decided plan into a new draft version; the decided one stays, no longer current."""
    old = _locked(plan_id, actor=actor, lock_version=lock_version)
    if not old.is_current or not old.is_decided:
        raise ValidationError(_("Bara den gällande, beslutade versionen kan få en ny version."))
    old.is_current = False
    old.lock_version += 1
    old.save(update_fields=["is_current", "lock_version"])
    plan = Plan.objects.create(
        organisation=old.organisation,
        kind=old.kind,
        year=old.year,
        end_year=old.end_year,
        version=old.version + 1,
        previous=old,
        title=old.title,
        situation_analysis=old.situation_analysis,
        created_by=actor,
    )
    methods: dict[int, list[int]] = defaultdict(list)
    for measure_id, method_id in Measure.methods.through.objects.filter(measure__plan=old).values_list(
        "measure_id", "method_id"
    ):
        methods[measure_id].append(method_id)
    indicators: dict[int, list[Indicator]] = defaultdict(list)
    for indicator in Indicator.objects.filter(measure__plan=old):
        indicators[indicator.measure_id].append(indicator)
    for measure in old.measures.all():
        old_pk = measure.pk
        measure.pk, measure.plan = None, plan
        measure.save()
        measure.methods.set(methods[old_pk])
        Indicator.objects.bulk_create(
            Indicator(measure=measure, name=i.name, target=i.target) for i in indicators[old_pk]
        )
    PlanEvent.objects.create(
        plan=plan, actor=actor, summary=_("Ny version av beslutad version %(version)s") % {"version": old.version}
    )
    record(action="plan_new_version", actor=actor, obj=plan)
    return plan
