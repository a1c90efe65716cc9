"""A concern coming in: created once per form, routed to its organisation's coordinators or, while it
has none, to the central coordinators' queue, and the handlers told."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from vbe.accounts.models import User
from vbe.audit.log import record
from vbe.concerns.models import Concern, Event, State
from vbe.concerns.writes import _log
from vbe.core import personnummer, sequences
from vbe.notifications import outbox, recipients
from vbe.organisations.models import Organisation

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
