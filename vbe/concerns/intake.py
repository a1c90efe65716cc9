"""A concern coming in: created once per form, routed to its organisation's coordinators or, while it
has none, to the central coordinators' queue, and the handlers told."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vbe.accounts import recipients
from vbe.accounts.models import User
from vbe.audit.log import record
from vbe.concerns.models import Concern, Event, State
from vbe.concerns.writes import _log
from vbe.core import personnummer, sequences
from vbe.notifications import outbox
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
    reporter: User,
    reporter_organisation: Organisation,
    organisation: Organisation,
    idempotency_key: str,
    observation: str,
    observed_on: datetime.date,
    concerns_child: str,
    child_report_made: str,
    district_id: int | None = None,
    unit_id: int | None = None,
    person_name: str = "",
    person_pnr: str = "",
    person_contact: str = "",
    notify: bool = True,
) -> Concern:
    """Creates the concern once per form (a second submit of the same form returns the first).

    No environment is asked for: the reporter does not label anyone's ideology, so the concern comes in
    as "unknown" (the model's default) until the coordinator records an assessment.

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
                summary=_("Oron rapporterades till %(organisation)s") % {"organisation": organisation.name},
                to_state=State.RECEIVED,
            )
            _log(actor=reporter, action="concern_submitted", concern=concern)
            _routed(concern=concern, actor=reporter, coordinators=coordinators, handed_over=False)
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


def _routed(*, concern: Concern, actor: User, coordinators: list[User], handed_over: bool) -> None:
    """When nobody at the concern's organisation can receive it: the chronology and the access log say
    so, with the reason in fixed words (never free text), in the transaction that routed it."""
    if coordinators:
        return
    central = recipients.central_coordinators().exists()
    names = {"organisation": concern.organisation.name}
    if handed_over:
        kind = HANDED_TO_CENTRAL_QUEUE
        summary = _("Väntar hos den centrala samordnaren: %(organisation)s saknar lokal samordnare") % names
    elif central:
        kind = RECEIVED_CENTRALLY
        summary = _("Mottagen av den centrala samordnaren: %(organisation)s saknar lokal samordnare") % names
    else:
        kind = RECEIVED_BY_NOBODY
        summary = _("%(organisation)s saknar lokal samordnare och det finns ingen central samordnare") % names
    Event.objects.create(concern=concern, actor=actor, kind=kind, summary=summary[:300])
    record(
        action="concern_routed_to_central",
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
    reference = concern.reference
    names = {"reference": reference, "organisation": concern.organisation.name}
    link = outbox.absolute_url(concern.get_absolute_url())
    footer = (
        _("Logga in i VBE-portalen för att läsa den:")
        + f"\n{link}\n\n"
        + _("Meddelandet innehåller inga uppgifter om personen, av sekretesskäl.")
    )
    if coordinators:
        if handed_over:
            subject = _("Överlämnad oro att hantera: %(reference)s") % names
            came = _("En rapport om oro (%(reference)s) har lämnats över till %(organisation)s.") % names
        else:
            subject = _("Ny oro att hantera: %(reference)s") % names
            came = _("En rapport om oro (%(reference)s) har kommit till %(organisation)s.") % names
        outbox.queue(
            recipients=coordinators,
            kind="concern_handed_over" if handed_over else "concern_received",
            reference=reference,
            subject=subject,
            body=f"{came}\n\n{footer}\n",
        )
        return
    if handed_over:
        came = _(
            "En rapport om oro (%(reference)s) har lämnats över till %(organisation)s, som saknar aktiv lokal samordnare."
        )
    else:
        came = _(
            "En rapport om oro (%(reference)s) har kommit till %(organisation)s, som saknar aktiv lokal samordnare."
        )
    waits = _(
        "Den väntar i den centrala samordnarens kö tills den lämnas över till en organisation som kan ta emot den."
    )
    outbox.queue(
        recipients=recipients.central_coordinators(),
        kind="concern_central_queue",
        reference=reference,
        subject=_("Oro utan lokal samordnare: %(reference)s") % names,
        body=f"{came % names} {waits}\n\n{footer}\n",
    )
