"""The concern routine's services. Every write locks the row, checks the state and the version the
user saw, writes a chronology entry, and writes the access log. Views only call these."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from vbe.accounts.models import Membership, Role, User
from vbe.audit.log import record
from vbe.concerns.models import (
    ActionKind,
    ActionTaken,
    Concern,
    Consent,
    Disclosure,
    Event,
    Outcome,
    RetentionPeriod,
    State,
    Transfer,
)
from vbe.core import personnummer
from vbe.organisations.models import Organisation

STALE = "Ärendet har ändrats av någon annan sedan du öppnade sidan. Ladda om sidan och gör ändringen igen."
DEFAULT_RETENTION_DAYS = 365


def _log(request: Any, action: str, concern: Concern, detail: str = "", legal_ground: str = "") -> None:
    record(
        action=action,
        request=request,
        obj=concern,
        subject_ref=concern.reference,
        detail=detail,
        legal_ground=legal_ground,
    )


def _locked(concern_id: int, version: int | None) -> Concern:
    concern = Concern.objects.select_for_update().get(pk=concern_id)
    if version is not None and concern.version != version:
        raise ValidationError(STALE)
    return concern


def _open(concern: Concern) -> None:
    if concern.state == State.CLOSED:
        raise ValidationError("Ärendet är avslutat och kan inte ändras.")


def _save(concern: Concern, *, actor: User, kind: str, summary: str, note: str = "", from_state: str = "") -> None:
    concern.version += 1
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


# --- Intake ---------------------------------------------------------------------------------


def _next_reference(year: int) -> str:
    prefix = f"ORO-{year}-"
    last = Concern.objects.filter(reference__startswith=prefix).aggregate(m=Max("reference"))["m"]
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:05d}"


def submit_concern(
    *,
    request: Any,
    reporter: User,
    reporter_organisation: Organisation,
    organisation: Organisation,
    idempotency_key: str,
    observation: str,
    observed_on: datetime.date,
    concerns_child: str,
    child_report_made: str,
    environment: str,
    district_id: int | None = None,
    unit_id: int | None = None,
    person_name: str = "",
    person_pnr: str = "",
    person_contact: str = "",
    notify: bool = True,
) -> Concern:
    """Creates the concern once per form (a second submit of the same form returns the first)."""
    existing = Concern.objects.filter(reporter=reporter, idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    pnr = personnummer.normalise(person_pnr) if person_pnr else ""
    try:
        with transaction.atomic():
            concern = Concern.objects.create(
                reference=_next_reference(timezone.localdate().year),
                reporter=reporter,
                reporter_organisation=reporter_organisation,
                reported_to=organisation,
                organisation=organisation,
                idempotency_key=idempotency_key,
                observation=observation,
                observed_on=observed_on,
                concerns_child=concerns_child,
                child_report_made=child_report_made,
                environment=environment,
                district_id=district_id,
                unit_id=unit_id,
                person_name=person_name,
                person_pnr=pnr,
                person_pnr_index=personnummer.blind_index(pnr) if pnr else "",
                person_contact=person_contact,
            )
            Event.objects.create(
                concern=concern,
                actor=reporter,
                kind="submitted",
                summary=f"Oron rapporterades till {organisation.name}",
                to_state=State.RECEIVED,
            )
            _log(request, "concern_submitted", concern)
    except IntegrityError:
        # The same form submitted twice at the same moment: the other request created it.
        return Concern.objects.get(reporter=reporter, idempotency_key=idempotency_key)
    if notify:
        transaction.on_commit(lambda: notify_handlers(concern=concern))
    return concern


def notify_handlers(*, concern: Concern) -> None:
    """E-mail the receiving organisation's coordinators. No personal data and no free text in it."""
    recipients = list(
        Membership.objects.filter(
            organisation=concern.organisation, role=Role.COORDINATOR, user__is_active=True
        ).values_list("user__email", flat=True)
    )
    if not recipients:
        return
    send_mail(
        subject=f"Ny oro att hantera: {concern.reference}",
        message=(
            f"En ny rapport om oro ({concern.reference}) har kommit till {concern.organisation.name}.\n\n"
            f"Logga in i VBE-portalen för att läsa och hantera den: {reverse('concerns:detail', args=[concern.reference])}\n\n"
            "Meddelandet innehåller inga uppgifter om personen, av sekretesskäl."
        ),
        from_email=None,
        recipient_list=recipients,
        fail_silently=True,  # the concern is saved; the coordinators also see it in their list
    )


# --- Handling -------------------------------------------------------------------------------


def _transition(from_state: State, to_state: State, name: str):
    """Builds the named service for one step of the process: it locks the row, checks that the
    concern is still in ``from_state`` at the version the user saw, moves it, and logs."""

    @transaction.atomic
    def service(*, request: Any, concern_id: int, actor: User, version: int, note: str = "") -> Concern:
        concern = _locked(concern_id, version)
        if concern.state != from_state:
            raise ValidationError(STALE)
        concern.state = to_state
        _save(
            concern,
            actor=actor,
            kind="advanced",
            from_state=from_state,
            note=note,
            summary=f"Från {from_state.label.lower()} till {to_state.label.lower()}",
        )
        _log(request, "concern_advanced", concern, detail=f"{from_state} → {to_state}")
        return concern

    service.__name__ = service.__qualname__ = name
    service.to_state = to_state
    return service


begin_initial_assessment = _transition(State.RECEIVED, State.INITIAL_ASSESSMENT, "begin_initial_assessment")
begin_gathering_information = _transition(
    State.INITIAL_ASSESSMENT, State.GATHERING_INFORMATION, "begin_gathering_information"
)
begin_assessment = _transition(State.GATHERING_INFORMATION, State.ASSESSMENT, "begin_assessment")
begin_measures = _transition(State.ASSESSMENT, State.MEASURES, "begin_measures")
begin_follow_up = _transition(State.MEASURES, State.FOLLOW_UP, "begin_follow_up")
# The next step from each state; closing (``close``) is possible from every open step.
TRANSITIONS = {
    State.RECEIVED: begin_initial_assessment,
    State.INITIAL_ASSESSMENT: begin_gathering_information,
    State.GATHERING_INFORMATION: begin_assessment,
    State.ASSESSMENT: begin_measures,
    State.MEASURES: begin_follow_up,
}
NEXT_STATE = {state: service.to_state for state, service in TRANSITIONS.items()}


def advance(*, request: Any, concern_id: int, actor: User, version: int, note: str = "") -> Concern:
    """Moves the concern to the next step, through that step's named service."""
    state = Concern.objects.values_list("state", flat=True).get(pk=concern_id)
    if state == State.CLOSED:
        raise ValidationError("Ärendet är avslutat och kan inte ändras.")
    if state not in TRANSITIONS:
        raise ValidationError("Ärendet är i sista steget. Avsluta det när uppföljningen är klar.")
    return TRANSITIONS[state](request=request, concern_id=concern_id, actor=actor, version=version, note=note)


@transaction.atomic
def record_assessment(
    *, request: Any, concern_id: int, actor: User, version: int, areas: list[str], text: str
) -> Concern:
    """The professional's own written assessment and which areas were considered. No score, ever."""
    concern = _locked(concern_id, version)
    _open(concern)
    if not text.strip():
        raise ValidationError("Skriv din bedömning.")
    concern.assessment_areas, concern.assessment = sorted(set(areas)), text.strip()
    _save(concern, actor=actor, kind="assessment", summary="Bedömningen uppdaterades")
    _log(request, "concern_assessed", concern)
    return concern


@transaction.atomic
def record_action(
    *,
    request: Any,
    concern_id: int,
    actor: User,
    version: int,
    kind: str,
    done_on: datetime.date,
    district_id: int | None = None,
    note: str = "",
) -> ActionTaken:
    concern = _locked(concern_id, version)
    _open(concern)
    if kind == ActionKind.CHILD_WELFARE_REPORT and district_id is None:
        raise ValidationError("Ange vilket stadsdelsområdes socialtjänst orosanmälan skickades till.")
    if done_on > timezone.localdate():
        raise ValidationError("Datumet kan inte ligga i framtiden.")
    action = ActionTaken.objects.create(
        concern=concern, kind=kind, done_on=done_on, district_id=district_id, note=note, recorded_by=actor
    )
    _save(concern, actor=actor, kind="action", summary=ActionKind(kind).label)
    _log(request, "concern_action_recorded", concern, detail=kind)
    return action


@transaction.atomic
def record_consent(
    *, request: Any, concern_id: int, actor: User, version: int, purpose: str, given_by: str, given_on: datetime.date
) -> Consent:
    concern = _locked(concern_id, version)
    _open(concern)
    if given_on > timezone.localdate():
        raise ValidationError("Datumet kan inte ligga i framtiden.")
    consent = Consent.objects.create(
        concern=concern, purpose=purpose, given_by=given_by, given_on=given_on, recorded_by=actor
    )
    _save(concern, actor=actor, kind="consent", summary=f"Samtycke registrerat: {purpose}")
    _log(request, "concern_consent_recorded", concern)
    return consent


@transaction.atomic
def withdraw_consent(*, request: Any, concern_id: int, consent_id: int, actor: User, version: int) -> Consent:
    concern = _locked(concern_id, version)
    consent = Consent.objects.select_for_update().get(pk=consent_id, concern=concern)
    if consent.withdrawn_on is not None:
        raise ValidationError("Samtycket är redan återkallat.")
    consent.withdrawn_on = timezone.localdate()
    consent.save(update_fields=["withdrawn_on"])
    _save(concern, actor=actor, kind="consent_withdrawn", summary=f"Samtycke återkallat: {consent.purpose}")
    _log(request, "concern_consent_withdrawn", concern)
    return consent


@transaction.atomic
def assign(*, request: Any, concern_id: int, actor: User, version: int, caseworker: User | None) -> Concern:
    concern = _locked(concern_id, version)
    _open(concern)
    if (
        caseworker is not None
        and not Membership.objects.filter(
            user=caseworker, organisation=concern.organisation_id, role=Role.CASEWORKER, user__is_active=True
        ).exists()
    ):
        raise ValidationError("Välj en handläggare i den ansvariga organisationen.")
    concern.assigned_to = caseworker
    _save(
        concern,
        actor=actor,
        kind="assigned",
        summary=f"Tilldelad {caseworker}" if caseworker else "Tilldelning borttagen",
    )
    _log(request, "concern_assigned", concern, detail=str(caseworker.pk) if caseworker else "")
    return concern


@transaction.atomic
def transfer(
    *, request: Any, concern_id: int, actor: User, version: int, to_organisation: Organisation, legal_ground: str
) -> Concern:
    """Hands the concern over to another organisation; its handlers take over, ours lose access."""
    concern = _locked(concern_id, version)
    _open(concern)
    if to_organisation.pk == concern.organisation_id:
        raise ValidationError("Välj en annan organisation än den som har ärendet nu.")
    if not legal_ground.strip():
        raise ValidationError("Ange den rättsliga grunden för överlämnandet.")
    Transfer.objects.create(
        concern=concern,
        from_organisation_id=concern.organisation_id,
        to_organisation=to_organisation,
        legal_ground=legal_ground.strip(),
        by=actor,
    )
    concern.organisation, concern.assigned_to = to_organisation, None
    _save(
        concern,
        actor=actor,
        kind="transferred",
        summary=f"Överlämnad till {to_organisation.name} (grund: {legal_ground.strip()})"[:300],
    )
    _log(request, "concern_transferred", concern, detail=f"till {to_organisation.name}", legal_ground=legal_ground)
    transaction.on_commit(lambda: notify_handlers(concern=concern))
    return concern


@transaction.atomic
def disclose(
    *,
    request: Any,
    concern_id: int,
    actor: User,
    to_organisation: Organisation,
    legal_ground: str,
    decided_by: str,
) -> Disclosure:
    """Shows the concern to another organisation: a recorded decision with its legal ground."""
    concern = _locked(concern_id, None)
    if to_organisation.pk == concern.organisation_id:
        raise ValidationError("Organisationen har redan ärendet.")
    if not legal_ground.strip() or not decided_by.strip():
        raise ValidationError("Ange rättslig grund och vem som har fattat beslutet.")
    disclosure = Disclosure.objects.create(
        concern=concern,
        to_organisation=to_organisation,
        legal_ground=legal_ground.strip(),
        decided_by=decided_by.strip(),
        decided_at=timezone.now(),
        recorded_by=actor,
    )
    _save(
        concern,
        actor=actor,
        kind="disclosed",
        summary=f"Röjd för {to_organisation.name}, beslutat av {decided_by.strip()} (grund: {legal_ground.strip()})"[
            :300
        ],
    )
    _log(request, "concern_disclosed", concern, detail=f"till {to_organisation.name}", legal_ground=legal_ground)
    return disclosure


def retention_days(outcome: str) -> int:
    period = RetentionPeriod.objects.filter(outcome=outcome).first()
    return period.days if period else DEFAULT_RETENTION_DAYS


@transaction.atomic
def close(*, request: Any, concern_id: int, actor: User, version: int, outcome: str, reason: str = "") -> Concern:
    concern = _locked(concern_id, version)
    _open(concern)
    if outcome == Outcome.NO_FURTHER_ACTION and not reason.strip():
        raise ValidationError("Skriv varför ingen vidare åtgärd behövs.")
    before = concern.state
    concern.state, concern.outcome, concern.closure_reason = State.CLOSED, outcome, reason.strip()
    concern.closed_at = timezone.now()
    concern.retain_until = timezone.localdate() + datetime.timedelta(days=retention_days(outcome))
    _save(concern, actor=actor, kind="closed", from_state=before, summary=f"Avslutad: {Outcome(outcome).label}")
    _log(request, "concern_closed", concern, detail=outcome)
    return concern


@transaction.atomic
def set_legal_hold(
    *, request: Any, concern_id: int, actor: User, version: int, hold: bool, reason: str = ""
) -> Concern:
    concern = _locked(concern_id, version)
    if hold and not reason.strip():
        raise ValidationError("Ange skälet till att ärendet ska bevaras.")
    concern.legal_hold, concern.legal_hold_reason = hold, reason.strip() if hold else ""
    _save(concern, actor=actor, kind="legal_hold", summary="Bevaras av rättsligt skäl" if hold else "Bevarandet hävt")
    _log(request, "concern_legal_hold" if hold else "concern_legal_hold_lifted", concern)
    return concern
