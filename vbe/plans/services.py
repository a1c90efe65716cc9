"""The plan workflow: draft → ready for the board → decided → followed up.

Each transition is a named service that locks the plan, checks its state and the version the user
saw, writes the change history and the access log. A decided plan is locked; changes go through a
new version (``new_version``), and the old one stays as history.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from vbe.accounts.models import User
from vbe.audit.log import record
from vbe.organisations.models import Organisation, OrganisationKind
from vbe.plans.models import (
    DutyAnswer,
    DutyReport,
    FollowUp,
    Indicator,
    Measure,
    Plan,
    PlanEvent,
    PlanKind,
    PlanState,
)

STALE = "Planen har ändrats av någon annan sedan du öppnade sidan. Ladda om sidan och gör ändringen igen."
LOCKED = "Planen är beslutad och låst. Skapa en ny version för att ändra den."


def _locked(plan_id: int, lock_version: int | None) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan_id)
    if lock_version is not None and plan.lock_version != lock_version:
        raise ValidationError(STALE)
    return plan


def _editable(plan: Plan) -> None:
    if plan.is_locked:
        raise ValidationError(LOCKED)


def _touch(plan: Plan, *, actor: User, summary: str, request: Any = None, action: str = "plan_changed") -> None:
    plan.lock_version += 1
    plan.save()
    PlanEvent.objects.create(plan=plan, actor=actor, summary=summary[:300])
    record(action=action, request=request, actor=actor, obj=plan, detail=summary[:500])


def kind_for(organisation: Organisation) -> str:
    if organisation.kind == OrganisationKind.DISTRICT_COUNCIL:
        return PlanKind.DISTRICT
    return PlanKind.BOARD


@transaction.atomic
def create_plan(*, request: Any = None, organisation: Organisation, year: int, actor: User, title: str = "") -> Plan:
    kind = kind_for(organisation)
    if kind == PlanKind.BOARD and year % 2:
        raise ValidationError("En handlingsplan tas fram för ett jämnt år och gäller två år.")
    if Plan.objects.filter(organisation=organisation, kind=kind, year=year, is_current=True).exists():
        raise ValidationError(f"{organisation.name} har redan en plan för {year}.")
    plan = Plan.objects.create(
        organisation=organisation,
        kind=kind,
        year=year,
        end_year=year + 1 if kind == PlanKind.BOARD else year,
        title=title or f"{PlanKind(kind).label} {organisation.display_name} {year}",
        created_by=actor,
    )
    PlanEvent.objects.create(plan=plan, actor=actor, summary="Planen skapades")
    record(action="plan_created", request=request, actor=actor, obj=plan)
    return plan


@transaction.atomic
def update_plan(
    *, request: Any = None, plan_id: int, actor: User, lock_version: int, title: str, situation_analysis: str
) -> Plan:
    plan = _locked(plan_id, lock_version)
    _editable(plan)
    plan.title, plan.situation_analysis = title.strip(), situation_analysis.strip()
    _touch(plan, actor=actor, request=request, summary="Lägesbilden och rubriken uppdaterades")
    return plan


@transaction.atomic
def save_measure(
    *,
    request: Any = None,
    plan_id: int,
    actor: User,
    lock_version: int,
    measure: Measure | None = None,
    fields: dict,
    methods: list | None = None,
    indicators: list[tuple[str, str]] | None = None,
) -> Measure:
    """Adds or changes a measure. ``indicators``: (name, target) pairs replacing the old ones."""
    plan = _locked(plan_id, lock_version)
    _editable(plan)
    if not fields.get("focus_area"):
        raise ValidationError("Välj vilket område i riktlinjerna åtgärden hör till.")
    if fields.get("starts_on") and fields.get("ends_on") and fields["ends_on"] < fields["starts_on"]:
        raise ValidationError("Slutdatum kan inte vara före startdatum.")
    created = measure is None
    measure = measure or Measure(plan=plan)
    if measure.plan_id != plan.pk:
        raise ValidationError("Åtgärden hör till en annan plan.")
    for name, value in fields.items():
        setattr(measure, name, value)
    measure.save()
    if methods is not None:
        measure.methods.set(methods)
    if indicators is not None:
        measure.indicators.all().delete()
        Indicator.objects.bulk_create(Indicator(measure=measure, name=n, target=t) for n, t in indicators if n.strip())
    _touch(plan, actor=actor, request=request, summary=f"Åtgärd {'tillagd' if created else 'ändrad'}: {measure.title}")
    return measure


@transaction.atomic
def delete_measure(*, request: Any = None, plan_id: int, actor: User, lock_version: int, measure_id: int) -> None:
    plan = _locked(plan_id, lock_version)
    _editable(plan)
    measure = Measure.objects.get(pk=measure_id, plan=plan)
    title = measure.title
    measure.delete()
    _touch(plan, actor=actor, request=request, summary=f"Åtgärd borttagen: {title}")


@transaction.atomic
def submit_for_decision(*, request: Any = None, plan_id: int, actor: User, lock_version: int) -> Plan:
    """Draft → ready for the board. A plan needs a situation picture and at least one measure."""
    plan = _locked(plan_id, lock_version)
    if plan.state != PlanState.DRAFT:
        raise ValidationError("Bara ett utkast kan lämnas till nämnden.")
    missing = []
    if not plan.situation_analysis.strip():
        missing.append("en lägesbild")
    if not plan.measures.exists():
        missing.append("minst en åtgärd")
    if missing:
        raise ValidationError(f"Planen behöver {' och '.join(missing)} innan den lämnas till nämnden.")
    plan.state = PlanState.READY
    _touch(plan, actor=actor, request=request, summary="Lämnad till nämnden för beslut", action="plan_submitted")
    return plan


@transaction.atomic
def return_to_draft(*, request: Any = None, plan_id: int, actor: User, lock_version: int) -> Plan:
    plan = _locked(plan_id, lock_version)
    if plan.state != PlanState.READY:
        raise ValidationError("Bara en plan som väntar på beslut kan tas tillbaka.")
    plan.state = PlanState.DRAFT
    _touch(plan, actor=actor, request=request, summary="Tagen tillbaka till utkast")
    return plan


@transaction.atomic
def record_decision(
    *,
    request: Any = None,
    plan_id: int,
    actor: User,
    lock_version: int,
    decided_on: datetime.date,
    minute_reference: str,
) -> Plan:
    """Ready → decided, with the board's decision date and minute reference. The plan is then locked."""
    plan = _locked(plan_id, lock_version)
    if plan.state != PlanState.READY:
        raise ValidationError("Planen måste först lämnas till nämnden.")
    if decided_on > timezone.localdate():
        raise ValidationError("Beslutsdatumet kan inte ligga i framtiden.")
    if not minute_reference.strip():
        raise ValidationError("Ange protokollsparagrafen för beslutet.")
    plan.state, plan.decided_on, plan.minute_reference = PlanState.DECIDED, decided_on, minute_reference.strip()
    _touch(
        plan,
        actor=actor,
        request=request,
        summary=f"Beslutad {decided_on:%Y-%m-%d}, {plan.minute_reference}",
        action="plan_decided",
    )
    return plan


@transaction.atomic
def record_follow_up(
    *,
    request: Any = None,
    measure_id: int,
    actor: User,
    year: int,
    status: str,
    comment: str = "",
    indicator_values: dict | None = None,
) -> FollowUp:
    """The yearly follow-up of one measure of a decided plan."""
    measure = Measure.objects.select_related("plan").get(pk=measure_id)
    plan = _locked(measure.plan_id, None)
    if plan.state not in (PlanState.DECIDED, PlanState.FOLLOWED_UP) or not plan.is_current:
        raise ValidationError("Bara åtgärder i en gällande, beslutad plan följs upp.")
    if not (plan.year <= year <= plan.end_year + 1):
        raise ValidationError(f"Planen gäller {plan.period_label}; uppföljning för {year} hör inte till den.")
    follow_up, _ = FollowUp.objects.update_or_create(
        measure=measure,
        year=year,
        defaults={
            "status": status,
            "comment": comment.strip(),
            "indicator_values": indicator_values or {},
            "recorded_by": actor,
        },
    )
    _touch(
        plan, actor=actor, request=request, summary=f"Uppföljning {year}: {measure.title}", action="plan_followed_up"
    )
    return follow_up


@transaction.atomic
def complete_follow_up(*, request: Any = None, plan_id: int, actor: User, lock_version: int, year: int) -> Plan:
    """Decided → followed up, once every measure has its follow-up for ``year``."""
    plan = _locked(plan_id, lock_version)
    if plan.state != PlanState.DECIDED:
        raise ValidationError("Bara en beslutad plan kan markeras som uppföljd.")
    missing = plan.measures.exclude(follow_ups__year=year).count()
    if missing:
        raise ValidationError(f"{missing} åtgärder saknar uppföljning för {year}.")
    plan.state = PlanState.FOLLOWED_UP
    _touch(plan, actor=actor, request=request, summary=f"Uppföljningen för {year} är klar")
    return plan


@transaction.atomic
def new_version(*, request: Any = None, plan_id: int, actor: User) -> Plan:
    """Copies a decided plan into a new draft version; the decided one stays, no longer current."""
    old = _locked(plan_id, None)
    if not old.is_current or old.state not in (PlanState.DECIDED, PlanState.FOLLOWED_UP):
        raise ValidationError("Bara den gällande, beslutade versionen kan få en ny version.")
    old.is_current = False
    old.save(update_fields=["is_current"])
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
    for measure in old.measures.prefetch_related("methods", "indicators"):
        methods, indicators = list(measure.methods.all()), list(measure.indicators.all())
        measure.pk, measure.plan = None, plan
        measure.save()
        measure.methods.set(methods)
        Indicator.objects.bulk_create(Indicator(measure=measure, name=i.name, target=i.target) for i in indicators)
    PlanEvent.objects.create(plan=plan, actor=actor, summary=f"Ny version av beslutad version {old.version}")
    record(action="plan_new_version", request=request, actor=actor, obj=plan)
    return plan


@transaction.atomic
def report_duties(
    *, request: Any = None, organisation: Organisation, year: int, actor: User, answers: dict[int, tuple[str, str]]
) -> list[DutyReport]:
    """The coordinator's self-report: duty id -> (answer, comment)."""
    reports = []
    for duty_id, (answer, comment) in answers.items():
        if answer not in DutyAnswer.values:
            raise ValidationError("Svara gjort, delvis eller inte gjort för varje uppgift.")
        report, _ = DutyReport.objects.update_or_create(
            organisation=organisation,
            year=year,
            duty_id=duty_id,
            defaults={"answer": answer, "comment": comment.strip(), "reported_by": actor},
        )
        reports.append(report)
    record(
        action="duty_report_saved",
        request=request,
        actor=actor,
        obj=organisation,
        detail=str(year),
    )
    return reports
