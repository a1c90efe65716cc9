"""Reporting, routing and handling incidents. Every write goes through here and is logged."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from vbe.accounts import permissions
from vbe.accounts.models import Role, User
from vbe.accounts.permissions import Action
from vbe.audit.log import record
from vbe.guidelines.vocabulary import Environment
from vbe.incidents import uploads
from vbe.incidents.forms import TOKEN_PATTERN
from vbe.incidents.models import (
    REFERENCE_PREFIX,
    TRANSITIONS,
    Category,
    Incident,
    IncidentPhoto,
    ReferenceSequence,
    Status,
    StatusChange,
)
from vbe.incidents.textcheck import reject_personnummer
from vbe.organisations.models import District, Neighbourhood, Organisation, Unit


def allocate_references(*, year: int, count: int = 1) -> list[str]:
    """The next ``count`` reference numbers of ``year`` (HÄN-2026-00042). Call inside a transaction."""
    sequence, _ = ReferenceSequence.objects.select_for_update().get_or_create(year=year)
    first = sequence.last_number + 1
    sequence.last_number += count
    sequence.save(update_fields=["last_number"])
    return [f"{REFERENCE_PREFIX}-{year}-{n:05d}" for n in range(first, first + count)]


def council_for(district: District) -> Organisation:
    """The district council an incident in ``district`` is routed to."""
    try:
        return Organisation.objects.get(district=district)
    except Organisation.DoesNotExist:
        raise ValidationError(
            f"{district.name} har ingen stadsdelsnämnd som händelsen kan skickas till. Kontakta administratören."
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
        raise ValidationError("Välj typ av händelse och miljö i listorna.")
    if occurred_on > timezone.localdate():
        raise ValidationError("Datumet kan inte vara i framtiden.")
    if not district.is_active:
        raise ValidationError(f"{district.name} är inte längre ett aktivt stadsdelsområde.")
    if neighbourhood is not None and neighbourhood.district_id != district.pk:
        raise ValidationError(f"{neighbourhood.name} ligger inte i {district.name}.")
    own = {m.organisation_id for m in permissions.memberships(reporter)}
    if reporter_organisation is not None and reporter_organisation.pk not in own:
        raise ValidationError("Du kan bara rapportera för en organisation du tillhör.")
    if unit is not None and unit.organisation_id not in own:
        raise ValidationError("Välj en verksamhet i din egen organisation.")
    if not TOKEN_PATTERN.match(submission_token or ""):
        raise ValidationError("Formuläret saknar sin engångskod. Ladda om sidan och försök igen.")
    for text in texts:
        reject_personnummer(text)


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
    submission_token: str,
    request: Any = None,
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
        raise ValidationError(f"Högst {uploads.MAX_PHOTOS} bilder.")
    council = council_for(district)
    now = timezone.now()
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin loses here, and its number is returned
            incident = Incident.objects.create(
                reference=allocate_references(year=timezone.localtime(now).year)[0],
                reporter=reporter,
                reporter_organisation=reporter_organisation,
                organisation=council,
                district=district,
                neighbourhood=neighbourhood,
                unit=unit,
                place_description=place_description.strip(),
                category=category,
                environment=environment,
                occurred_on=occurred_on,
                occurred_at=occurred_at.replace(second=0, microsecond=0) if occurred_at else None,
                description=description.strip(),
                created_at=now,
                submission_token=submission_token,
            )
    except IntegrityError:
        existing = Incident.objects.filter(reporter=reporter, submission_token=submission_token).first()
        if existing is None:
            raise
        return existing, False

    stored: list[str] = []
    try:
        rows = []
        for image in photos:
            name = uploads.new_stored_name(image.kind)
            uploads.write(name, image.data)
            stored.append(name)
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
            request=request,
            actor=reporter,
            obj=incident,
            detail=f"{incident.reference} till {council.name}; {len(rows)} bilder",
        )
    except BaseException:
        for name in stored:
            uploads.remove(name)
        raise

    url = incident.get_absolute_url()
    if request is not None:
        url = request.build_absolute_uri(url)
    transaction.on_commit(lambda: notify_council(incident=incident, url=url), robust=True)
    return incident, True


def notify_council(*, incident: Incident, url: str) -> int:
    """Tell the routed council's coordinators that there is something to read, and nothing more.

    The message holds the reference, the district and a link: no free text, nothing about anyone,
    since e-mail leaves the portal's access control and log.
    """
    recipients = sorted(
        set(
            User.objects.filter(
                is_active=True,
                memberships__organisation_id=incident.organisation_id,
                memberships__role=Role.COORDINATOR,
            ).values_list("email", flat=True)
        )
    )
    if not recipients:
        return 0
    context = {
        "reference": incident.reference,
        "district": incident.district.name,
        "url": url,
        "service_name": settings.SERVICE_NAME,
    }
    subject = " ".join(render_to_string("incidents/email/new_incident_subject.txt", context).split())
    text = render_to_string("incidents/email/new_incident.txt", context)
    html = render_to_string("incidents/email/new_incident.html", context)
    messages = []
    for email in recipients:  # one message each: coordinators do not see each other's addresses
        message = EmailMultiAlternatives(subject, text, to=[email])
        message.attach_alternative(html, "text/html")
        messages.append(message)
    return get_connection().send_messages(messages) or 0


# --- Handling ----------------------------------------------------------------------------------


@transaction.atomic
def _change_status(*, incident: Incident, actor: User, to_status: Status, comment: str, request: Any) -> Incident:
    """Lock the row, check the actor and the current state, write the change and log it."""
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    permissions.require(actor, Action.HANDLE_INCIDENT, locked)
    if to_status not in TRANSITIONS[locked.status]:
        current = Status(locked.status).label.lower()
        raise ValidationError(
            f"Händelsen är redan {current} och kan inte bli {to_status.label.lower()}. Ladda om sidan.",
            code="wrong_state",
        )
    comment = comment.strip()
    reject_personnummer(comment)
    if to_status == Status.CLOSED and not comment:
        raise ValidationError("Skriv en kommentar om varför händelsen avslutas.", code="comment_required")
    from_status = locked.status
    locked.status = to_status
    locked.save(update_fields=["status", "updated_at"])
    StatusChange.objects.create(
        incident=locked, from_status=from_status, to_status=to_status, comment=comment, changed_by=actor
    )
    record(
        action="incident_status_changed",
        request=request,
        actor=actor,
        obj=locked,
        detail=f"{locked.reference}: {from_status} → {to_status}",
    )
    return locked


def acknowledge_incident(*, incident: Incident, actor: User, comment: str = "", request: Any = None) -> Incident:
    """The council has received the incident and is looking into it."""
    return _change_status(
        incident=incident, actor=actor, to_status=Status.ACKNOWLEDGED, comment=comment, request=request
    )


def close_incident(*, incident: Incident, actor: User, comment: str, request: Any = None) -> Incident:
    """The council is done with the incident; the comment says why or what was done."""
    return _change_status(incident=incident, actor=actor, to_status=Status.CLOSED, comment=comment, request=request)


STATUS_SERVICES = {Status.ACKNOWLEDGED: acknowledge_incident, Status.CLOSED: close_incident}
