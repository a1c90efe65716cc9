"""The actor register's one write path: register and change an actor, add and remove its links.

Coordinators, unit managers and the central coordinator keep the register (MANAGE_ACTORS). A link
says that an organisation of the city gives the actor a grant, lets it premises or works with it in a
partnership; it is added and removed by those who assess the democracy condition for that
organisation (ASSESS_DEMOCRACY about it). Each write asks the right again inside its transaction,
locks the row it changes, and appends one access-log row.

An organisation number is stored once (a unique constraint): a second actor with the same number is
refused with a message naming the one that has it, also when two people register it at the same
moment (the loser's insert fails on the constraint and is answered the same way). Free text that
could identify a person (a personnummer or phone number in the name, address or a link's
description) is refused: the register holds organisations, not people.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, fields

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.accounts import permissions
from vbe.accounts.models import User
from vbe.accounts.permissions import Action
from vbe.audit.log import record
from vbe.collaboration import org_number
from vbe.collaboration.models import Actor, ActorKind, ActorLink, LinkKind
from vbe.core.textcheck import reject_identifying_numbers
from vbe.organisations.models import Organisation

STALE = gettext_lazy(
    "Aktören har ändrats av någon annan sedan du öppnade sidan. Ladda om sidan och gör ändringen igen."
)


@dataclass(frozen=True)
class ActorDetails:
    """What a form says about an actor: everything a person edits."""

    name: str
    kind: str
    org_number: str = ""
    email: str = ""
    phone: str = ""
    website: str = ""
    address: str = ""

    def cleaned(self) -> ActorDetails:
        """Trimmed text, the organisation number as NNNNNN-NNNN (ValidationError if it is not one)."""
        number = self.org_number.strip()
        return ActorDetails(
            name=" ".join(self.name.split()),
            kind=self.kind,
            org_number=org_number.normalise(number) if number else "",
            email=self.email.strip().lower(),
            phone=self.phone.strip(),
            website=self.website.strip(),
            address=self.address.strip(),
        )


@dataclass(frozen=True)
class LinkDetails:
    organisation: Organisation
    kind: str
    reference: str
    description: str = ""
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None


def duplicate_message(existing: Actor) -> str:
    # An inactive actor is not found anywhere else in the register, so it is not named here either.
    if not existing.is_active:
        return _(
            "Organisationsnumret %(number)s finns redan hos en aktör som inte längre är aktiv i registret, "
            "och ett nummer kan bara finnas en gång."
        ) % {"number": existing.org_number}
    return _("Organisationsnumret %(number)s finns redan i registret, för %(name)s.") % {
        "number": existing.org_number,
        "name": existing.name,
    }


def holder_of(number: str, *, other_than: int | None = None) -> Actor | None:
    """The actor that already has the organisation number, if any (active or not)."""
    if not number:
        return None
    rows = Actor.objects.filter(org_number=number)
    if other_than is not None:
        rows = rows.exclude(pk=other_than)
    return rows.only("pk", "name", "org_number", "is_active").first()


def _check(details: ActorDetails) -> None:
    """The rules of the domain; the form says the same first, the service is the last word."""
    if not details.name:
        raise ValidationError(_("Skriv aktörens namn."))
    if details.kind not in ActorKind.values:
        raise ValidationError(_("Välj vilken typ av aktör det är."))
    if details.website and not details.website.lower().startswith(("https://", "http://")):
        raise ValidationError(_("Webbplatsen ska börja med https://."))
    # The website too: an address may carry a personnummer in its query ("?pnr=…").
    for text in (details.name, details.address, details.website):
        reject_identifying_numbers(text)


def _unique_number(details: ActorDetails, *, other_than: int | None = None) -> None:
    existing = holder_of(details.org_number, other_than=other_than)
    if existing is not None:
        raise ValidationError(duplicate_message(existing), code="duplicate")


def _save_number_once(actor: Actor, details: ActorDetails) -> None:
    """Saves in a savepoint: a row with the same number committed since the check above fails the
    constraint, and is named to the user instead of an error page."""
    try:
        with transaction.atomic():
            actor.save()
    except IntegrityError:
        existing = holder_of(details.org_number, other_than=actor.pk)
        if existing is None:  # the constraint that failed was not the number's
            raise
        raise ValidationError(duplicate_message(existing), code="duplicate") from None


def _apply(actor: Actor, details: ActorDetails) -> None:
    for field in fields(ActorDetails):
        setattr(actor, field.name, getattr(details, field.name))


@transaction.atomic
def create_actor(*, user: User, details: ActorDetails) -> Actor:
    permissions.require(user, Action.MANAGE_ACTORS)
    details = details.cleaned()
    _check(details)
    _unique_number(details)
    actor = Actor(created_by=user)
    _apply(actor, details)
    _save_number_once(actor, details)
    record(action="actor_created", actor=user, obj=actor)
    return actor


def locked_actor(actor_id: int) -> Actor:
    """The active actor's row under lock; an inactive or unknown one does not exist (404)."""
    actor = Actor.objects.select_for_update().filter(pk=actor_id, is_active=True).first()
    if actor is None:
        raise Http404
    return actor


@transaction.atomic
def update_actor(*, user: User, actor_id: int, lock_version: int, details: ActorDetails) -> Actor:
    """Saves a change; returns the actor unchanged (no log row) when the form changed nothing."""
    permissions.require(user, Action.MANAGE_ACTORS)
    actor = locked_actor(actor_id)
    if actor.lock_version != lock_version:
        raise ValidationError(STALE, code="stale")
    details = details.cleaned()
    _check(details)
    changed = [f.name for f in fields(ActorDetails) if getattr(actor, f.name) != getattr(details, f.name)]
    if not changed:
        return actor
    if "org_number" in changed:
        _unique_number(details, other_than=actor.pk)
    _apply(actor, details)
    actor.lock_version += 1
    _save_number_once(actor, details)
    record(action="actor_changed", actor=user, obj=actor, detail=",".join(changed))
    return actor


def _check_link(link: LinkDetails) -> None:
    if link.kind not in LinkKind.values:
        raise ValidationError(_("Välj vad kopplingen gäller."))
    if not link.reference.strip():
        raise ValidationError(_("Skriv diarienumret, bokningsnumret eller annan referens."))
    if link.starts_on and link.ends_on and link.ends_on < link.starts_on:
        raise ValidationError(_("Slutdatumet kan inte ligga före startdatumet."))
    # The reference is shown to every reader of the register, like the description.
    reject_identifying_numbers(link.reference)
    reject_identifying_numbers(link.description)


def duplicate_link_message(link: LinkDetails) -> str:
    return _("%(organisation)s har redan en koppling av typen %(kind)s med referensen %(reference)s till aktören.") % {
        "organisation": link.organisation.name,
        "kind": LinkKind(link.kind).label.lower(),
        "reference": link.reference.strip(),
    }


@transaction.atomic
def add_link(*, user: User, actor_id: int, link: LinkDetails) -> ActorLink:
    """Links the actor to a grant, a booking or a partnership of an organisation the user assesses for."""
    permissions.require(user, Action.MANAGE_ACTORS)
    permissions.require(user, Action.ASSESS_DEMOCRACY, link.organisation)
    actor = locked_actor(actor_id)  # the actor's lock serialises two adds of the same link
    _check_link(link)
    row = ActorLink(
        actor=actor,
        organisation=link.organisation,
        kind=link.kind,
        reference=link.reference.strip(),
        description=" ".join(link.description.split()),
        starts_on=link.starts_on,
        ends_on=link.ends_on,
        created_by=user,
    )
    same = ActorLink.objects.filter(actor=actor, organisation=link.organisation, kind=row.kind, reference=row.reference)
    if same.exists():
        raise ValidationError(duplicate_link_message(link), code="duplicate")
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise ValidationError(duplicate_link_message(link), code="duplicate") from None
    record(
        action="actor_link_added",
        actor=user,
        obj=row,
        detail=f"actor={actor.pk},{row.kind}",
        organisation_id=row.organisation_id,
    )
    return row


@transaction.atomic
def remove_link(*, user: User, actor_id: int, link_id: int) -> Actor:
    """Removes a link (the grant ended, the reference was wrong); the log keeps that it was there."""
    actor = locked_actor(actor_id)
    link = ActorLink.objects.select_for_update().select_related("organisation").filter(pk=link_id, actor=actor).first()
    if link is None:
        raise ValidationError(_("Kopplingen finns inte längre. Någon annan kan ha tagit bort den."), code="gone")
    permissions.require(user, Action.ASSESS_DEMOCRACY, link.organisation)
    record(
        action="actor_link_removed",
        actor=user,
        obj=link,
        detail=f"actor={actor.pk},{link.kind}",
        organisation_id=link.organisation_id,
    )
    link.delete()
    return actor
