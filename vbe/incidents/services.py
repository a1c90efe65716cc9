"""Reporting, routing and handling incidents. Every write goes through here and is logged.

A write from a handler's page locks the row, then checks under the lock the actor's right, the version
the handler saw (``lock_version``, carried by the form) and the state; it writes the row, one access-log
row, and tells whoever must act now through the outbox (sent after commit)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.accounts import permissions, recipients
from vbe.accounts.models import User
from vbe.accounts.permissions import Action
from vbe.audit.log import record
from vbe.core import sequences
from vbe.guidelines.vocabulary import Environment
from vbe.incidents import uploads
from vbe.incidents.forms import TOKEN_PATTERN
from vbe.incidents.models import (
    REFERENCE_PREFIX,
    TRANSITIONS,
    Category,
    Incident,
    IncidentIntake,
    IncidentPhoto,
    IntakeRoute,
    Status,
    StatusChange,
    Symbol,
)
from vbe.incidents.textcheck import reject_personnummer
from vbe.notifications import outbox
from vbe.notifications.models import Notification
from vbe.organisations.models import District, Neighbourhood, Organisation, Unit


def allocate_references(*, year: int, count: int = 1) -> list[str]:
    """The next ``count`` reference numbers of ``year`` (HÄN-2026-00042), from the portal's one
    locked counter. Call inside the transaction that stores the incidents."""
    return sequences.allocate(prefix=REFERENCE_PREFIX, year=year, count=count)


def council_for(district: District) -> Organisation:
    """The district council an incident in ``district`` is routed to."""
    try:
        return Organisation.objects.get(district=district)
    except Organisation.DoesNotExist:
        raise ValidationError(
            _("%(district)s har ingen stadsdelsnämnd som händelsen kan skickas till. Kontakta administratören.")
            % {"district": district.name}
        ) from None


def _check_report(
    *,
    reporter: User,
    reporter_organisation: Organisation | None,
    district: District,
    neighbourhood: Neighbourhood | None,
    unit: Unit | None,
    category: str,
    environment: str,
    occurred_on: date,
    texts: Sequence[str],
    submission_token: str,
) -> None:
    """The invariants, whichever caller: the form says the same things to the reporter first."""
    permissions.require(reporter, Action.REPORT_INCIDENT)
    if category not in Category.values or environment not in Environment.values:
        raise ValidationError(_("Välj typ av händelse och miljö i listorna."))
    if occurred_on > timezone.localdate():
        raise ValidationError(_("Datumet kan inte vara i framtiden."))
    if not district.is_active:
        raise ValidationError(
            _("%(district)s är inte längre ett aktivt stadsdelsområde.") % {"district": district.name}
        )
    if neighbourhood is not None and neighbourhood.district_id != district.pk:
        raise ValidationError(
            _("%(neighbourhood)s ligger inte i %(district)s.")
            % {"neighbourhood": neighbourhood.name, "district": district.name}
        )
    own = {m.organisation_id for m in permissions.memberships(reporter)}
    if reporter_organisation is not None and reporter_organisation.pk not in own:
        raise ValidationError(_("Du kan bara rapportera för en organisation du tillhör."))
    if unit is not None and unit.organisation_id not in own:
        raise ValidationError(_("Välj en verksamhet i din egen organisation."))
    if not TOKEN_PATTERN.match(submission_token or ""):
        raise ValidationError(_("Formuläret saknar sin engångskod. Ladda om sidan och försök igen."))
    for text in texts:
        reject_personnummer(text)


@uploads.kept_only_if_committed
@transaction.atomic
def report_incident(
    *,
    reporter: User,
    reporter_organisation: Organisation | None,
    district: District,
    neighbourhood: Neighbourhood | None = None,
    unit: Unit | None = None,
    place_description: str = "",
    category: str,
    environment: str,
    occurred_on: date,
    occurred_at: time | None = None,
    description: str,
    photos: Sequence[uploads.CleanImage] = (),
    symbol: Symbol | None = None,
    submission_token: str,
) -> tuple[Incident, bool]:
    """Record an incident, route it to the district's council and notify its coordinators.

    Idempotent per (reporter, submission token): a second submit of the same form returns the first
    incident and ``False``, and creates, stores and sends nothing.
    """
    existing = Incident.objects.filter(reporter=reporter, submission_token=submission_token).first()
    if existing is not None:
        return existing, False
    _check_report(
        reporter=reporter,
        reporter_organisation=reporter_organisation,
        district=district,
        neighbourhood=neighbourhood,
        unit=unit,
        category=category,
        environment=environment,
        occurred_on=occurred_on,
        texts=[place_description, description],
        submission_token=submission_token,
    )
    if len(photos) > uploads.MAX_PHOTOS:
        raise ValidationError(_("Högst %(n)s bilder.") % {"n": uploads.MAX_PHOTOS})
    if symbol is not None and not Symbol.objects.filter(pk=symbol.pk, is_active=True).exists():
        raise ValidationError(
            _("Symbolen finns inte längre i symbolguiden. Välj en annan, eller Ingen vald."), code="symbol_inactive"
        )
    council = council_for(district)
    # Nobody at the council to receive it: it waits with the central coordinators instead of with nobody.
    coordinators = list(recipients.coordinators_of(council.pk))
    if coordinators:
        route = IntakeRoute.COORDINATOR
    else:
        route = IntakeRoute.CENTRAL if recipients.central_coordinators().exists() else IntakeRoute.NOBODY
    now = timezone.now()
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin loses here, and its number is returned
            incident = Incident.objects.create(
                reference=allocate_references(year=timezone.localtime(now).year)[0],
                reporter=reporter,
                reporter_organisation=reporter_organisation,
                organisation=council,
                without_coordinator=not coordinators,
                district=district,
                neighbourhood=neighbourhood,
                unit=unit,
                place_description=place_description.strip(),
                category=category,
                environment=environment,
                occurred_on=occurred_on,
                occurred_at=occurred_at.replace(second=0, microsecond=0) if occurred_at else None,
                description=description.strip(),
                symbol=symbol,
                created_at=now,
                submission_token=submission_token,
            )
            # What the reporter is told, kept as told: the receipt never reads the current routing.
            IncidentIntake.objects.create(incident=incident, reported_to=council, route=route)
    except IntegrityError:
        existing = Incident.objects.filter(reporter=reporter, submission_token=submission_token).first()
        if existing is None:
            raise
        return existing, False

    rows = []
    for image in photos:  # removed again if the report fails, its COMMIT included (kept_only_if_committed)
        name = uploads.new_stored_name(image.kind)
        uploads.write(name, image.data)
        rows.append(
            IncidentPhoto(
                incident=incident,
                stored_name=name,
                content_type=image.kind.content_type,
                size=len(image.data),
                width=image.width,
                height=image.height,
            )
        )
    IncidentPhoto.objects.bulk_create(rows)
    # Only facts of the routing in the log: never the free text.
    record(
        action="incident_reported",
        actor=reporter,
        obj=incident,
        detail=f"{incident.reference} till {council.name}; {len(rows)} bilder"
        + (f"; symbol {symbol.slug}" if symbol is not None else ""),
    )
    _routed(incident=incident, actor=reporter, coordinators=coordinators, how="inrapporterad")
    notify_council(incident=incident, coordinators=coordinators)
    return incident, True


def _routed(*, incident: Incident, actor: User, coordinators: list[User], how: str) -> None:
    """The access log says when an incident went to the central coordinators, and why, in fixed words."""
    if coordinators:
        return
    central = recipients.central_coordinators().exists()
    record(
        action="incident_routed_to_central",
        actor=actor,
        obj=incident,
        detail=(
            f"{incident.reference} {how} till organisation utan aktiv lokal samordnare; "
            + ("centrala samordnare underrättade" if central else "ingen aktiv central samordnare finns")
        ),
    )


def notify_council(
    *, incident: Incident, coordinators: list[User] | None = None, rerouted: bool = False
) -> list[Notification]:
    """Tell the routed council's coordinators (or, while it has none, the central coordinators) that
    there is something to read, and nothing more. One message each, through the outbox, in the
    caller's transaction.

    The message holds the reference, the district, the organisation and a link: no free text, nothing
    about anyone, since e-mail leaves the portal's access control and log.
    """
    if coordinators is None:
        coordinators = list(recipients.coordinators_of(incident.organisation_id))
    context = {
        "reference": incident.reference,
        "district": incident.district.name,
        "council": incident.organisation.name,
        "url": outbox.absolute_url(incident.get_absolute_url()),
        "service_name": settings.SERVICE_NAME,
        "central": not coordinators,
        "rerouted": rerouted,
    }
    subject = " ".join(render_to_string("incidents/email/new_incident_subject.txt", context).split())
    return outbox.queue(
        recipients=coordinators or recipients.central_coordinators(),
        kind="incident_central_queue" if not coordinators else "incident_rerouted" if rerouted else "incident_routed",
        reference=incident.reference,
        subject=subject,
        body=render_to_string("incidents/email/new_incident.txt", context),
        html_body=render_to_string("incidents/email/new_incident.html", context),
    )


STALE = gettext_lazy(
    "Händelsen har ändrats av någon annan sedan du öppnade sidan. Ladda om sidan och gör ändringen igen."
)


def _locked(incident_id: int, *, actor: User, action: Action, lock_version: int) -> Incident:
    """Lock the row, then, under the lock, check the actor's right to ``action`` (it may have ended
    since the page checked it) and the version the handler saw. Only the incident's row is locked,
    not the organisation and district read with it."""
    locked = (
        Incident.objects.select_for_update(of=("self",)).select_related("organisation", "district").get(pk=incident_id)
    )
    permissions.require(actor, action, locked)
    if locked.lock_version != lock_version:
        raise ValidationError(STALE, code="stale")
    return locked


@transaction.atomic
def reroute_incident(*, actor: User, incident_id: int, lock_version: int, to_organisation: Organisation) -> Incident:
    """The central coordinator sends an incident that waits for lack of a coordinator on to an
    organisation that can receive it: from the central queue, or unread, while it waits for a new
    coordinator, to an organisation that has one. (Once its own council has a coordinator again that
    coordinator has it, without a re-routing.)"""
    locked = _locked(incident_id, actor=actor, action=Action.REROUTE_INCIDENT, lock_version=lock_version)
    if not to_organisation.is_active:
        raise ValidationError(
            _("%(organisation)s är inte längre en aktiv organisation.") % {"organisation": to_organisation.name}
        )
    coordinators = list(recipients.coordinators_of(to_organisation.pk))
    # Still in the queue means its council still has no coordinator (the rule above asked just now).
    if to_organisation.pk == locked.organisation_id:
        raise ValidationError(
            _("%(organisation)s saknar fortfarande lokal samordnare. Välj en organisation som har en.")
            % {"organisation": to_organisation.name},
            code="still_without_coordinator",
        )
    if not locked.without_coordinator and not coordinators:
        # It waits unread (its coordinators left after it arrived): arriving at an organisation without a
        # coordinator would put it in the central queue, readable by the very user who may not read it.
        raise ValidationError(
            _("%(organisation)s saknar lokal samordnare. Välj en organisation som har en.")
            % {"organisation": to_organisation.name},
            code="needs_coordinator",
        )
    before = locked.organisation
    # How it arrived (see the model); whether it waits in the central queue is decided when asked.
    locked.organisation, locked.without_coordinator = to_organisation, not coordinators
    locked.lock_version += 1
    locked.save(update_fields=["organisation", "without_coordinator", "lock_version", "updated_at"])
    StatusChange.objects.create(
        incident=locked,
        from_status=locked.status,
        to_status=locked.status,
        comment=_("Skickad vidare från %(before)s till %(after)s.")
        % {"before": before.name, "after": to_organisation.name},
        changed_by=actor,
    )
    record(
        action="incident_rerouted",
        actor=actor,
        obj=locked,
        detail=f"{locked.reference} från {before.name} till {to_organisation.name}",
    )
    _routed(incident=locked, actor=actor, coordinators=coordinators, how="skickad vidare")
    notify_council(incident=locked, coordinators=coordinators, rerouted=True)
    return locked


# --- Handling ----------------------------------------------------------------------------------


@transaction.atomic
def _change_status(*, actor: User, incident_id: int, lock_version: int, to_status: Status, comment: str) -> Incident:
    """Lock the row, check the actor, the version the handler saw and the current state, write the
    change and log it."""
    locked = _locked(incident_id, actor=actor, action=Action.HANDLE_INCIDENT, lock_version=lock_version)
    if to_status not in TRANSITIONS[locked.status]:
        current = Status(locked.status).label.lower()
        raise ValidationError(
            _("Händelsen är redan %(current)s och kan inte bli %(wanted)s. Ladda om sidan.")
            % {"current": current, "wanted": to_status.label.lower()},
            code="wrong_state",
        )
    comment = comment.strip()
    reject_personnummer(comment)
    if to_status == Status.CLOSED and not comment:
        raise ValidationError(_("Skriv en kommentar om varför händelsen avslutas."), code="comment_required")
    from_status = locked.status
    locked.status = to_status
    # Handled while its council has a coordinator: taken over there, so it no longer counts as arrived
    # without one, and the central queue does not reopen to that handling if the coordinators go.
    if locked.without_coordinator and permissions.has_active_coordinator(locked.organisation_id):
        locked.without_coordinator = False
    locked.lock_version += 1
    locked.save(update_fields=["status", "without_coordinator", "lock_version", "updated_at"])
    StatusChange.objects.create(
        incident=locked, from_status=from_status, to_status=to_status, comment=comment, changed_by=actor
    )
    record(
        action="incident_status_changed",
        actor=actor,
        obj=locked,
        detail=f"{locked.reference}: {from_status} → {to_status}",
    )
    return locked


def acknowledge_incident(*, actor: User, incident_id: int, lock_version: int, comment: str = "") -> Incident:
    """The council has received the incident and is looking into it."""
    return _change_status(
        actor=actor, incident_id=incident_id, lock_version=lock_version, to_status=Status.ACKNOWLEDGED, comment=comment
    )


def close_incident(*, actor: User, incident_id: int, lock_version: int, comment: str) -> Incident:
    """The council is done with the incident; the comment says why or what was done."""
    return _change_status(
        actor=actor, incident_id=incident_id, lock_version=lock_version, to_status=Status.CLOSED, comment=comment
    )


class StatusService(Protocol):
    def __call__(self, *, actor: User, incident_id: int, lock_version: int, comment: str) -> Incident: ...


STATUS_SERVICES: dict[Status, StatusService] = {
    Status.ACKNOWLEDGED: acknowledge_incident,
    Status.CLOSED: close_incident,
}
