"""The concern routine's services. Every write locks the row, then checks under the lock the actor's
right, the state and the version the user saw, writes a chronology entry, and writes the access log.
Views only call these."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from vbe.accounts import permissions
from vbe.accounts.models import Membership, Role, User
from vbe.accounts.permissions import Action
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
    YesNoUnknown,
)
from vbe.core import personnummer, sequences
from vbe.notifications import outbox, recipients
from vbe.organisations.models import Organisation

STALE = "Ärendet har ändrats av någon annan sedan du öppnade sidan. Ladda om sidan och gör ändringen igen."
PURGED = "Ärendet är gallrat och kan inte ändras."
DEFAULT_RETENTION_DAYS = 365
# A date recorded in a concern (an action, a consent, an orosanmälan) lying further back than this
# before the concern was received cannot be about it: a typing error (or 0001-01-01), refused.
EARLIEST_YEARS_BEFORE_RECEIVED = 5


def _log(
    request: Any,
    actor: User | None,
    action: str,
    concern: Concern,
    detail: str = "",
    legal_ground: str = "",
    organisation_id: int | None = None,
) -> None:
    """``organisation_id``: the organisation in whose name the actor acted, when it is not the one
    holding the concern now (a hand-over is logged as the handing organisation's act)."""
    record(
        action=action,
        request=request,
        actor=actor,
        obj=concern,
        subject_ref=concern.reference,
        detail=detail,
        legal_ground=legal_ground,
        organisation_id=organisation_id,
    )


def _locked(concern_id: int, *, actor: User, action: Action, version: int | None) -> Concern:
    """The one write path: lock the row, then, under the lock, check the actor's right to ``action``
    (it may have ended since the page checked it: a colleague handed the concern over, unassigned the
    caseworker …), that the concern is not purged, and the version the user saw.

    A purged concern takes no writes at all: the purge skips concerns already purged, so any text
    written afterwards would never be cleared."""
    concern = Concern.objects.select_for_update().get(pk=concern_id)
    permissions.require(actor, action, concern)
    if concern.purged_at is not None:
        raise ValidationError(PURGED)
    if version is not None and concern.version != version:
        raise ValidationError(STALE)
    return concern


def _received_on(concern: Concern) -> datetime.date:
    return timezone.localtime(concern.created_at).date()


def _check_date(concern: Concern, value: datetime.date | None) -> None:
    """A date recorded in the concern: not in the future, and not long before it was received."""
    if value is None:
        raise ValidationError("Ange ett datum.")
    if value > timezone.localdate():
        raise ValidationError("Datumet kan inte ligga i framtiden.")
    received = _received_on(concern)
    years = EARLIEST_YEARS_BEFORE_RECEIVED
    try:
        earliest = received.replace(year=received.year - years)
    except ValueError:  # received on 29 February
        earliest = received.replace(year=received.year - years, day=28)
    if value < earliest:
        raise ValidationError(
            f"Datumet kan inte ligga mer än fem år före den dag oron togs emot ({received:%Y-%m-%d}). "
            "Kontrollera datumet."
        )


def _open(concern: Concern) -> None:
    if concern.state == State.CLOSED:
        raise ValidationError("Ärendet är avslutat och kan inte ändras.")


def _save(concern: Concern, *, actor: User, kind: str, summary: str, note: str = "", from_state: str = "") -> None:
    # Written while its organisation has a coordinator: taken over there, so it no longer counts as
    # arrived without one, and the central queue does not reopen to that work if the coordinators go.
    if concern.without_coordinator and permissions.has_active_coordinator(concern.organisation_id):
        concern.without_coordinator = False
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


REFERENCE_PREFIX = "ORO"

# Event kinds that say who received the concern when it came in: the receipt is built from them, so it
# stays true after the concern has moved on (and never tells the reporter where it went).
RECEIVED_CENTRALLY = "received_centrally"  # no coordinator there: the central coordinators were told
RECEIVED_BY_NOBODY = "received_by_nobody"  # no coordinator there, and no central coordinator either
HANDED_TO_CENTRAL_QUEUE = "handed_to_central_queue"  # handed over to an organisation without coordinator
CENTRAL_QUEUE_KINDS = (RECEIVED_CENTRALLY, RECEIVED_BY_NOBODY, HANDED_TO_CENTRAL_QUEUE)


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
    """Creates the concern once per form (a second submit of the same form returns the first).

    The concern always goes to ``organisation``; while that has no active coordinator it waits in the
    central coordinator's queue rather than with nobody (``without_coordinator`` records that it arrived so).
    """
    existing = Concern.objects.filter(reporter=reporter, idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    pnr = personnummer.normalise(person_pnr) if person_pnr else ""
    coordinators = list(recipients.coordinators_of(organisation.pk))
    try:
        with transaction.atomic():
            concern = Concern.objects.create(
                reference=sequences.allocate(prefix=REFERENCE_PREFIX, year=timezone.localdate().year)[0],
                reporter=reporter,
                reporter_organisation=reporter_organisation,
                reported_to=organisation,
                organisation=organisation,
                without_coordinator=not coordinators,
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
            _log(request, reporter, "concern_submitted", concern)
            _routed(request=request, concern=concern, actor=reporter, coordinators=coordinators, handed_over=False)
            if notify:
                notify_handlers(concern=concern, coordinators=coordinators, handed_over=False)
    except IntegrityError:
        # Only the same form sent twice at the same moment is answered with the other request's concern;
        # any other conflict is a fault and must surface, not pass for a receipt.
        existing = Concern.objects.filter(reporter=reporter, idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return existing
    return concern


def _routed(*, request: Any, concern: Concern, actor: User, coordinators: list[User], handed_over: bool) -> None:
    """When nobody at the concern's organisation can receive it: the chronology and the access log say
    so, with the reason in fixed words (never free text), in the transaction that routed it."""
    if coordinators:
        return
    central = recipients.central_coordinators().exists()
    name = concern.organisation.name
    if handed_over:
        kind, summary = HANDED_TO_CENTRAL_QUEUE, f"Väntar hos den centrala samordnaren: {name} saknar lokal samordnare"
    elif central:
        kind, summary = RECEIVED_CENTRALLY, f"Mottagen av den centrala samordnaren: {name} saknar lokal samordnare"
    else:
        kind, summary = RECEIVED_BY_NOBODY, f"{name} saknar lokal samordnare och det finns ingen central samordnare"
    Event.objects.create(concern=concern, actor=actor, kind=kind, summary=summary[:300])
    record(
        action="concern_routed_to_central",
        request=request,
        actor=actor,
        obj=concern,
        subject_ref=concern.reference,
        detail=(
            ("överlämnad" if handed_over else "inrapporterad")
            + " till organisation utan aktiv lokal samordnare; "
            + ("centrala samordnare underrättade" if central else "ingen aktiv central samordnare finns")
        ),
    )


def intake_route(concern: Concern) -> str:
    """Who received the concern when it came in: ``coordinator``, ``central`` or ``nobody``."""
    kinds = set(concern.events.filter(kind__in=[RECEIVED_CENTRALLY, RECEIVED_BY_NOBODY]).values_list("kind", flat=True))
    if RECEIVED_BY_NOBODY in kinds:
        return "nobody"
    return "central" if RECEIVED_CENTRALLY in kinds else "coordinator"


def notify_handlers(*, concern: Concern, coordinators: list[User] | None = None, handed_over: bool = False) -> None:
    """Tells whoever must now act: the organisation's coordinators, or, while it has none, the central
    coordinators. One message each, through the outbox, in the caller's transaction. No personal data
    and no free text: the reference, the organisation and a link."""
    if coordinators is None:
        coordinators = list(recipients.coordinators_of(concern.organisation_id))
    name, reference = concern.organisation.name, concern.reference
    link = outbox.absolute_url(concern.get_absolute_url())
    footer = f"Logga in i VBE-portalen för att läsa den:\n{link}\n\nMeddelandet innehåller inga uppgifter om personen, av sekretesskäl."
    came = "har lämnats över till" if handed_over else "har kommit till"
    if coordinators:
        outbox.queue(
            recipients=coordinators,
            kind="concern_handed_over" if handed_over else "concern_received",
            reference=reference,
            subject=f"{'Överlämnad oro' if handed_over else 'Ny oro'} att hantera: {reference}",
            body=f"En rapport om oro ({reference}) {came} {name}.\n\n{footer}\n",
        )
        return
    outbox.queue(
        recipients=recipients.central_coordinators(),
        kind="concern_central_queue",
        reference=reference,
        subject=f"Oro utan lokal samordnare: {reference}",
        body=(
            f"En rapport om oro ({reference}) {came} {name}, som saknar aktiv lokal samordnare. "
            "Den väntar i den centrala samordnarens kö tills den lämnas över till en organisation "
            f"som kan ta emot den.\n\n{footer}\n"
        ),
    )


# --- Handling -------------------------------------------------------------------------------


def _transition(from_state: State, to_state: State, name: str):
    """Builds the named service for one step of the process: it locks the row, checks that the
    concern is still in ``from_state`` at the version the user saw, moves it, and logs."""

    @transaction.atomic
    def service(*, request: Any, concern_id: int, actor: User, version: int, note: str = "") -> Concern:
        concern = _locked(concern_id, actor=actor, action=Action.HANDLE_CONCERN, version=version)
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
        _log(request, actor, "concern_advanced", concern, detail=f"{from_state} → {to_state}")
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


@transaction.atomic
def advance(*, request: Any, concern_id: int, actor: User, version: int, note: str = "") -> Concern:
    """Moves the concern to the next step, through that step's named service (which checks it all
    again under the same lock). The right first: the state is no business of someone without it."""
    state = _locked(concern_id, actor=actor, action=Action.HANDLE_CONCERN, version=None).state
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
    concern = _locked(concern_id, actor=actor, action=Action.HANDLE_CONCERN, version=version)
    _open(concern)
    if not text.strip():
        raise ValidationError("Skriv din bedömning.")
    concern.assessment_areas, concern.assessment = sorted(set(areas)), text.strip()
    _save(concern, actor=actor, kind="assessment", summary="Bedömningen uppdaterades")
    _log(request, actor, "concern_assessed", concern)
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
    made_by: str = "",
    note: str = "",
) -> ActionTaken:
    concern = _locked(concern_id, actor=actor, action=Action.HANDLE_CONCERN, version=version)
    _open(concern)
    return _record_action(
        request=request,
        concern=concern,
        actor=actor,
        kind=kind,
        done_on=done_on,
        district_id=district_id,
        made_by=made_by,
        note=note,
    )


def _record_action(
    *,
    request: Any,
    concern: Concern,
    actor: User,
    kind: str,
    done_on: datetime.date | None,
    district_id: int | None,
    made_by: str,
    note: str,
) -> ActionTaken:
    """Records an action on a concern already locked by the caller."""
    if kind == ActionKind.CHILD_WELFARE_REPORT:
        # By whom and when: without both it is no record that a child concern can be closed on.
        if not made_by.strip():
            raise ValidationError("Ange vem som gjorde orosanmälan (namn eller befattning).")
        if district_id is None:
            raise ValidationError("Ange vilket stadsdelsområdes socialtjänst orosanmälan skickades till.")
    _check_date(concern, done_on)
    action = ActionTaken.objects.create(
        concern=concern,
        kind=kind,
        done_on=done_on,
        district_id=district_id,
        made_by=made_by.strip(),
        note=note,
        recorded_by=actor,
    )
    _save(concern, actor=actor, kind="action", summary=ActionKind(kind).label)
    _log(request, actor, "concern_action_recorded", concern, detail=kind)
    return action


# "Vet inte" counts: a concern that may be about a child is handled as one until the handler records an
# orosanmälan or writes why none was made (for instance that the person is an adult).
CHILD_ANSWERS = (YesNoUnknown.YES, YesNoUnknown.UNKNOWN)


def needs_child_report(concern: Concern) -> bool:
    """A concern about a child, or perhaps about one, with neither an orosanmälan on record (by whom and
    when) nor a written reason why none was made: the case view warns, and it cannot be closed until
    one is given."""
    if concern.concerns_child not in CHILD_ANSWERS or concern.child_report_not_made_reason:
        return False
    # An empty encrypted value is stored empty, so "made_by is not empty" can be asked of the database.
    return not concern.actions.filter(kind=ActionKind.CHILD_WELFARE_REPORT).exclude(made_by="").exists()


@transaction.atomic
def record_consent(
    *, request: Any, concern_id: int, actor: User, version: int, purpose: str, given_by: str, given_on: datetime.date
) -> Consent:
    concern = _locked(concern_id, actor=actor, action=Action.HANDLE_CONCERN, version=version)
    _open(concern)
    _check_date(concern, given_on)
    consent = Consent.objects.create(
        concern=concern, purpose=purpose, given_by=given_by, given_on=given_on, recorded_by=actor
    )
    _save(concern, actor=actor, kind="consent", summary="Samtycke registrerat")
    _log(request, actor, "concern_consent_recorded", concern)
    return consent


@transaction.atomic
def withdraw_consent(*, request: Any, concern_id: int, consent_id: int, actor: User, version: int) -> Consent:
    concern = _locked(concern_id, actor=actor, action=Action.HANDLE_CONCERN, version=version)
    consent = Consent.objects.select_for_update().get(pk=consent_id, concern=concern)
    if consent.withdrawn_on is not None:
        raise ValidationError("Samtycket är redan återkallat.")
    consent.withdrawn_on = timezone.localdate()
    consent.save(update_fields=["withdrawn_on"])
    _save(concern, actor=actor, kind="consent_withdrawn", summary="Samtycke återkallat")
    _log(request, actor, "concern_consent_withdrawn", concern)
    return consent


@transaction.atomic
def assign(*, request: Any, concern_id: int, actor: User, version: int, caseworker: User | None) -> Concern:
    concern = _locked(concern_id, actor=actor, action=Action.COORDINATE_CONCERN, version=version)
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
        summary="Handläggare tilldelad" if caseworker else "Tilldelning borttagen",
    )
    _log(request, actor, "concern_assigned", concern, detail=str(caseworker.pk) if caseworker else "")
    return concern


@transaction.atomic
def transfer(
    *, request: Any, concern_id: int, actor: User, version: int, to_organisation: Organisation, legal_ground: str
) -> Concern:
    """Hands the concern over to another organisation; its handlers take over, ours lose access."""
    # Under the lock: a central coordinator's right to hand over ends the moment the organisation gets a
    # coordinator, even between the page's check and this one.
    concern = _locked(concern_id, actor=actor, action=Action.HAND_OVER_CONCERN, version=version)
    _open(concern)
    coordinators = list(recipients.coordinators_of(to_organisation.pk))
    if to_organisation.pk == concern.organisation_id:
        raise ValidationError("Välj en annan organisation än den som har ärendet nu.")
    if not legal_ground.strip():
        raise ValidationError("Ange den rättsliga grunden för överlämnandet.")
    handover = Transfer.objects.create(
        concern=concern,
        from_organisation_id=concern.organisation_id,
        to_organisation=to_organisation,
        legal_ground=legal_ground.strip(),
        by=actor,
    )
    concern.organisation, concern.assigned_to = to_organisation, None
    # History only (it arrived where nobody could receive it); the central queue itself is decided when
    # asked (vbe.accounts.permissions.concern_in_central_queue).
    concern.without_coordinator = not coordinators
    _save(
        concern,
        actor=actor,
        kind="transferred",
        summary=f"Överlämnad till {to_organisation.name}",  # the legal ground stays on the encrypted record
    )
    # The legal ground is free text and the log can never be erased: the log names the record instead.
    _log(
        request,
        actor,
        "concern_transferred",
        concern,
        detail=f"till {to_organisation.name}",
        legal_ground=f"transfer:{handover.pk}",
        organisation_id=handover.from_organisation_id,
    )
    _routed(request=request, concern=concern, actor=actor, coordinators=coordinators, handed_over=True)
    notify_handlers(concern=concern, coordinators=coordinators, handed_over=True)
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
    """Shows the concern to another organisation: a recorded decision with its legal ground. No version:
    a disclosure changes nothing the user saw, but the right to make one is checked under the lock (a
    coordinator whose colleague has just handed the concern over must not give their own organisation
    access again)."""
    concern = _locked(concern_id, actor=actor, action=Action.COORDINATE_CONCERN, version=None)
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
    # Who decided and on what ground stay on the encrypted record; the summary and the log name no one.
    _save(concern, actor=actor, kind="disclosed", summary=f"Röjd för {to_organisation.name}")
    _log(
        request,
        actor,
        "concern_disclosed",
        concern,
        detail=f"till {to_organisation.name}",
        legal_ground=f"disclosure:{disclosure.pk}",
    )
    return disclosure


@transaction.atomic
def withdraw_disclosure(*, request: Any, concern_id: int, disclosure_id: int, actor: User, reason: str) -> Disclosure:
    """Ends another organisation's access at once. The reason is kept encrypted, never logged."""
    concern = _locked(concern_id, actor=actor, action=Action.COORDINATE_CONCERN, version=None)
    disclosure = Disclosure.objects.select_for_update().get(pk=disclosure_id, concern=concern)
    if disclosure.revoked_at is not None:
        raise ValidationError("Röjandet är redan återkallat.")
    if not reason.strip():
        raise ValidationError("Skriv varför röjandet återkallas.")
    disclosure.revoked_at, disclosure.revoked_by, disclosure.revocation_reason = timezone.now(), actor, reason.strip()
    disclosure.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    _save(
        concern,
        actor=actor,
        kind="disclosure_withdrawn",
        summary=f"Röjandet för {disclosure.to_organisation.name} återkallat",
    )
    _log(
        request,
        actor,
        "concern_disclosure_withdrawn",
        concern,
        detail=f"för {disclosure.to_organisation.name}",
        legal_ground=f"disclosure:{disclosure.pk}",
    )
    return disclosure


def retention_days(outcome: str) -> int:
    period = RetentionPeriod.objects.filter(outcome=outcome).first()
    return period.days if period else DEFAULT_RETENTION_DAYS


CHILD_REPORT_MADE = "made"
CHILD_REPORT_NOT_MADE = "not_made"
CHILD_REPORT_MISSING = (
    "Oron gäller ett barn, eller kan göra det, och ingen orosanmälan är registrerad. Ange vem som gjorde "
    "orosanmälan och när, eller skriv varför ingen orosanmälan har gjorts (till exempel att personen är vuxen)."
)


@transaction.atomic
def close(
    *,
    request: Any,
    concern_id: int,
    actor: User,
    version: int,
    outcome: str,
    reason: str = "",
    child_report: str = "",
    child_report_made_by: str = "",
    child_report_made_on: datetime.date | None = None,
    child_report_district_id: int | None = None,
    child_report_reason: str = "",
) -> Concern:
    """Closes the concern. One about a child without an orosanmälan on record is closed only together
    with recording one (``child_report="made"``: by whom, when, to which district's social services)
    or a written reason why none was made (``child_report="not_made"``)."""
    concern = _locked(concern_id, actor=actor, action=Action.HANDLE_CONCERN, version=version)
    _open(concern)
    if outcome == Outcome.NO_FURTHER_ACTION and not reason.strip():
        raise ValidationError("Skriv varför ingen vidare åtgärd behövs.")
    if needs_child_report(concern):
        if child_report == CHILD_REPORT_MADE:
            _record_action(
                request=request,
                concern=concern,
                actor=actor,
                kind=ActionKind.CHILD_WELFARE_REPORT,
                done_on=child_report_made_on,
                district_id=child_report_district_id,
                made_by=child_report_made_by,
                note="",
            )
        elif child_report == CHILD_REPORT_NOT_MADE and child_report_reason.strip():
            concern.child_report_not_made_reason = child_report_reason.strip()
        else:
            raise ValidationError(CHILD_REPORT_MISSING)
    before = concern.state
    concern.state, concern.outcome, concern.closure_reason = State.CLOSED, outcome, reason.strip()
    concern.closed_at = timezone.now()
    concern.retain_until = timezone.localdate() + datetime.timedelta(days=retention_days(outcome))
    _save(concern, actor=actor, kind="closed", from_state=before, summary=f"Avslutad: {Outcome(outcome).label}")
    _log(request, actor, "concern_closed", concern, detail=outcome)
    return concern


@transaction.atomic
def set_legal_hold(
    *, request: Any, concern_id: int, actor: User, version: int, hold: bool, reason: str = ""
) -> Concern:
    concern = _locked(concern_id, actor=actor, action=Action.COORDINATE_CONCERN, version=version)
    if hold and not reason.strip():
        raise ValidationError("Ange skälet till att ärendet ska bevaras.")
    concern.legal_hold, concern.legal_hold_reason = hold, reason.strip() if hold else ""
    _save(concern, actor=actor, kind="legal_hold", summary="Bevaras av rättsligt skäl" if hold else "Bevarandet hävt")
    _log(request, actor, "concern_legal_hold" if hold else "concern_legal_hold_lifted", concern)
    return concern
