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
from vbe.guidelines.models import CoordinatorDuty, Method
from vbe.organisations.models import Organisation, OrganisationKind
from vbe.plans.models import (
    DutyAnswer,
    DutyReport,
    FollowUp,
    FollowUpStatus,
    Indicator,
    Measure,
    Plan,
    PlanEvent,
    PlanKind,
    PlanState,
)

STALE = "Planen har ändrats av någon annan sedan du öppnade sidan. Ladda om sidan och gör ändringen igen."
LOCKED = "Planen är beslutad och låst. Skapa en ny version för att ändra den."
AWAITING_DECISION = "Planen väntar på nämndens beslut. Ta tillbaka den som utkast för att ändra den."
FOLLOW_UP_DONE = "Uppföljningen för {year} är klar"
DUTIES_STALE = (
    "Någon annan har sparat samordnaruppdraget sedan du öppnade sidan. Ladda om sidan och gör ändringen igen."
)


def _locked(plan_id: int, lock_version: int | None) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan_id)
    if lock_version is not None and plan.lock_version != lock_version:
        raise ValidationError(STALE)
    return plan


def _editable(plan: Plan) -> None:
    """Only a current draft is changed: a decided plan is locked, one awaiting the board is taken back first."""
    if plan.is_locked:
        raise ValidationError(LOCKED)
    if plan.state != PlanState.DRAFT:
        raise ValidationError(AWAITING_DECISION)


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
    if not title.strip():
        raise ValidationError("Skriv en rubrik för planen.")
    plan.title, plan.situation_analysis = title.strip(), situation_analysis.strip()
    _touch(plan, actor=actor, request=request, summary="Lägesbilden och rubriken uppdaterades")
    return plan


def _method(method: Method | int) -> Method:
    return method if isinstance(method, Method) else Method.objects.get(pk=method)


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
    focus_area_id = getattr(fields["focus_area"], "pk", fields["focus_area"])
    stray = [m for m in methods or [] if _method(m).focus_area_id != focus_area_id]
    if stray:
        names = ", ".join(_method(m).name for m in stray)
        raise ValidationError(f"Metoderna hör till ett annat område än åtgärden: {names}.")
    unit = fields.get("responsible_unit")
    if unit is not None and unit.organisation_id != plan.organisation_id:
        raise ValidationError("Den ansvariga verksamheten hör till en annan organisation.")
    created = measure is None
    if not (fields.get("title") or getattr(measure, "title", "")).strip():
        raise ValidationError("Skriv vad åtgärden heter.")
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
    measure = Measure.objects.filter(pk=measure_id, plan=plan).first()
    if measure is None:
        raise ValidationError("Åtgärden finns inte längre i planen.")
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
    if status not in FollowUpStatus.values:
        raise ValidationError(f"Välj status för åtgärden {measure.title}.")
    known = {str(pk) for pk in measure.indicators.values_list("pk", flat=True)}
    indicator_values = {str(k): str(v).strip() for k, v in (indicator_values or {}).items() if str(v).strip()}
    if set(indicator_values) - known:
        raise ValidationError(f"Indikatorvärdena hör inte till åtgärden {measure.title}.")
    follow_up, _ = FollowUp.objects.update_or_create(
        measure=measure,
        year=year,
        defaults={
            "status": status,
            "comment": comment.strip(),
            "indicator_values": indicator_values,
            "recorded_by": actor,
        },
    )
    _touch(
        plan, actor=actor, request=request, summary=f"Uppföljning {year}: {measure.title}", action="plan_followed_up"
    )
    return follow_up


@transaction.atomic
def record_follow_ups(
    *, request: Any = None, plan_id: int, actor: User, lock_version: int, year: int, entries: list[dict]
) -> int:
    """The follow-up page's save: ``record_follow_up`` for each entry (measure_id, status, comment,
    indicator_values), all or nothing, against the version of the plan the user saw. Entries equal to
    what is already recorded are skipped, so saving twice writes no new history. Returns how many
    were written."""
    plan = _locked(plan_id, lock_version)
    if plan.state not in (PlanState.DECIDED, PlanState.FOLLOWED_UP) or not plan.is_current:
        raise ValidationError("Bara åtgärder i en gällande, beslutad plan följs upp.")
    measure_ids = set(plan.measures.values_list("pk", flat=True))
    existing = {f.measure_id: f for f in FollowUp.objects.filter(measure__plan=plan, year=year)}
    written = 0
    for entry in entries:
        if entry["measure_id"] not in measure_ids:
            raise ValidationError("Åtgärden hör till en annan plan.")
        values = {str(k): str(v).strip() for k, v in (entry.get("indicator_values") or {}).items() if str(v).strip()}
        old = existing.get(entry["measure_id"])
        if (
            old is not None
            and old.status == entry["status"]
            and old.comment == (entry.get("comment") or "").strip()
            and old.indicator_values == values
        ):
            continue
        record_follow_up(
            request=request,
            measure_id=entry["measure_id"],
            actor=actor,
            year=year,
            status=entry["status"],
            comment=entry.get("comment") or "",
            indicator_values=values,
        )
        written += 1
    return written


def follow_up_completed(plan: Plan, year: int) -> bool:
    """Whether the year's follow-up of ``plan`` has been marked done (read from its chronology)."""
    return year in plan.followed_up_years


@transaction.atomic
def complete_follow_up(*, request: Any = None, plan_id: int, actor: User, lock_version: int, year: int) -> Plan:
    """Decided → followed up, once every measure has its follow-up for ``year``.

    A board's plan covers two years and is followed up each year: completing the second year's
    follow-up keeps the state and writes the history entry."""
    plan = _locked(plan_id, lock_version)
    if plan.state not in (PlanState.DECIDED, PlanState.FOLLOWED_UP) or not plan.is_current:
        raise ValidationError("Bara en gällande, beslutad plan kan markeras som uppföljd.")
    if not plan.covers(year):
        raise ValidationError(f"Planen gäller {plan.period_label}; uppföljning för {year} hör inte till den.")
    missing = plan.measures.exclude(follow_ups__year=year).count()
    if missing:
        raise ValidationError(
            f"{missing} {'åtgärd saknar' if missing == 1 else 'åtgärder saknar'} uppföljning för {year}."
        )
    plan.state = PlanState.FOLLOWED_UP
    plan.followed_up_years = sorted({*plan.followed_up_years, year})
    _touch(plan, actor=actor, request=request, summary=FOLLOW_UP_DONE.format(year=year))
    return plan


@transaction.atomic
def new_version(*, request: Any = None, plan_id: int, actor: User, lock_version: int | None = None) -> Plan:
    """Copies a decided plan into a new draft version; the decided one stays, no longer current."""
    old = _locked(plan_id, lock_version)
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
        # The copy must not see the original's prefetched methods: set() would think they are there.
        measure._prefetched_objects_cache = {}
        measure.save()
        measure.methods.set(methods)
        Indicator.objects.bulk_create(Indicator(measure=measure, name=i.name, target=i.target) for i in indicators)
    PlanEvent.objects.create(plan=plan, actor=actor, summary=f"Ny version av beslutad version {old.version}")
    record(action="plan_new_version", request=request, actor=actor, obj=plan)
    return plan


def duty_report_stamp(organisation: Organisation, year: int) -> str:
    """The version of an organisation's self-report for a year, carried by the form like lock_version."""
    latest = DutyReport.objects.filter(organisation=organisation, year=year).order_by("-reported_at").first()
    return f"{latest.reported_at.isoformat()}#{latest.pk}" if latest else "new"


@transaction.atomic
def report_duties(
    *,
    request: Any = None,
    organisation: Organisation,
    year: int,
    actor: User,
    answers: dict[int, tuple[str, str]],
    version: str | None = None,
) -> list[DutyReport]:
    """The coordinator's self-report: duty id -> (answer, comment). ``version``: the stamp the form
    was shown with (``duty_report_stamp``); a report saved by someone else meanwhile is refused."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()  # one writer at a time
    if version is not None and version != duty_report_stamp(organisation, year):
        raise ValidationError(DUTIES_STALE)
    if year > timezone.localdate().year:
        raise ValidationError("Samordnaruppdraget rapporteras för innevarande eller tidigare år.")
    current = set(CoordinatorDuty.objects.filter(guideline__is_current=True).values_list("pk", flat=True))
    if set(answers) - current:
        raise ValidationError("Uppgifterna hör inte till de gällande riktlinjerna.")
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
