"""The support resources' one write path: create, change, archive and restore.

A resource is kept by the coordinators of the organisation that owns it and by the central coordinator
(MANAGE_RESOURCES about the owner). Each write asks that right again under the row lock (a role may
have ended since the page was shown, or someone moved the resource to another owner), checks the
version the form was shown with, writes, brings the search index up to date and appends one
access-log row. Every saved change of a resource is a new ResourceVersion, numbered from 1, so the
history says who changed what and when; a save that changes nothing writes nothing. Resources are
archived, never deleted: links and the history point at them.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.accounts import permissions
from vbe.accounts.models import Role, User
from vbe.accounts.permissions import Action
from vbe.audit.log import record
from vbe.competence.models import StaffGroup
from vbe.guidelines.models import FocusArea, Method
from vbe.knowledge import access, search
from vbe.knowledge.models import MAX_REVIEW_INTERVAL_MONTHS, Kind, Resource, ResourceVersion
from vbe.knowledge.review import next_review
from vbe.organisations.models import Organisation

STALE = gettext_lazy(
    "Stödmaterialet har ändrats av någon annan sedan du öppnade sidan. Ladda om sidan och gör ändringen igen."
)
MAX_BODY_LENGTH = 100_000
# The fields a version keeps: what the history shows and compares.
TEXT_FIELDS = ("title", "summary", "body", "url")


def _role_order(role: str) -> tuple[int, str]:
    return (Role.values.index(role) if role in Role.values else len(Role.values), role)


@dataclass(frozen=True)
class Content:
    """What a form says a resource is: everything a person edits."""

    kind: str
    title: str
    owner: Organisation
    summary: str = ""
    body: str = ""
    url: str = ""
    responsible: User | None = None
    audience_groups: Sequence[StaffGroup] = ()
    audience_roles: Sequence[str] = ()
    focus_areas: Sequence[FocusArea] = ()
    methods: Sequence[Method] = ()
    review_interval_months: int = 12

    def cleaned(self) -> Content:
        """Trimmed text, roles in a fixed order without repeats."""
        return Content(
            kind=self.kind,
            title=self.title.strip(),
            owner=self.owner,
            summary=self.summary.strip(),
            body=self.body.strip(),
            url=self.url.strip(),
            responsible=self.responsible,
            audience_groups=tuple(self.audience_groups),
            # Known roles in the enum's order; an unknown one is kept, for the check to refuse.
            audience_roles=tuple(sorted(set(self.audience_roles), key=_role_order)),
            focus_areas=tuple(self.focus_areas),
            methods=tuple(self.methods),
            review_interval_months=self.review_interval_months,
        )


def _check(content: Content) -> None:
    """The rules of the domain; the form says the same first, the service is the last word."""
    if not content.title:
        raise ValidationError(_("Skriv en rubrik."))
    if content.kind not in Kind.values:
        raise ValidationError(_("Välj typ av stödmaterial."))
    if content.kind == Kind.EXTERNAL_LINK and not content.url:
        raise ValidationError(_("En extern länk behöver en webbadress."))
    if content.url and not content.url.lower().startswith(("https://", "http://")):
        raise ValidationError(_("Länken ska börja med https://."))
    if len(content.body) > MAX_BODY_LENGTH:
        raise ValidationError(_("Texten får vara högst %(max)s tecken.") % {"max": MAX_BODY_LENGTH})
    unknown = [r for r in content.audience_roles if r not in Role.values]
    if unknown:
        raise ValidationError(_("Välj roller bland dem i listan."))
    if not 1 <= content.review_interval_months <= MAX_REVIEW_INTERVAL_MONTHS:
        raise ValidationError(
            _("Granskningsintervallet ska vara mellan 1 och %(max)s månader.") % {"max": MAX_REVIEW_INTERVAL_MONTHS}
        )
    if content.responsible is not None and not (
        content.responsible.is_active and permissions.can(content.responsible, Action.MANAGE_RESOURCES, content.owner)
    ):
        raise ValidationError(
            _("Den ansvariga ska vara samordnare för %(owner)s eller central samordnare.")
            % {"owner": content.owner.name}
        )


def _may_own(actor: User, owner: Organisation) -> None:
    """A coordinator picks only among the organisations they coordinate; the central coordinator any."""
    permissions.require(actor, Action.MANAGE_RESOURCES, owner)


def _apply(resource: Resource, content: Content) -> None:
    resource.kind, resource.title, resource.owner = content.kind, content.title, content.owner
    resource.summary, resource.body, resource.url = content.summary, content.body, content.url
    resource.responsible = content.responsible
    resource.audience_roles = list(content.audience_roles)
    resource.review_interval_months = content.review_interval_months


def _relations(resource: Resource, content: Content) -> None:
    resource.audience_groups.set(content.audience_groups)
    resource.focus_areas.set(content.focus_areas)
    resource.methods.set(content.methods)


def record_version(resource: Resource, *, changed_by: User | None, note: str = "") -> ResourceVersion:
    """Stores the resource's text as version ``resource.version`` (the caller has set the number)."""
    return ResourceVersion.objects.create(
        resource=resource,
        number=resource.version,
        title=resource.title,
        summary=resource.summary,
        body=resource.body,
        url=resource.url,
        note=note.strip()[:300],
        changed_by=changed_by,
        changed_at=resource.updated_at,
    )


@transaction.atomic
def create_resource(*, actor: User, content: Content, note: str = "", today: datetime.date | None = None) -> Resource:
    """A new resource and its version 1; its first review is one interval from today."""
    content = content.cleaned()
    _may_own(actor, content.owner)
    _check(content)
    today = today or timezone.localdate()
    now = timezone.now()
    resource = Resource(
        next_review_on=next_review(today, content.review_interval_months), created_at=now, updated_at=now, version=1
    )
    _apply(resource, content)
    resource.save()
    _relations(resource, content)
    record_version(resource, changed_by=actor, note=note or _("Skapad"))
    search.reindex(resource)
    record(action="resource_created", actor=actor, obj=resource, organisation_id=resource.owner_id)
    return resource


def _locked(*, actor: User, resource_id: int, lock_version: int) -> Resource:
    """The row under lock, the right over its present owner asked again, the version the form saw."""
    resource = access.locked(actor, resource_id)
    if resource.lock_version != lock_version:
        raise ValidationError(STALE)
    return resource


def _changed_facts(resource: Resource, content: Content) -> list[str]:
    """The names of the facts other than the text that the form changes, for the version's note."""
    changed = []
    if resource.kind != content.kind:
        changed.append(_("typ"))
    if resource.owner_id != content.owner.pk:
        changed.append(_("ägare"))
    if resource.responsible_id != (content.responsible.pk if content.responsible else None):
        changed.append(_("ansvarig"))
    if list(resource.audience_roles) != list(content.audience_roles):
        changed.append(_("roller"))
    if resource.review_interval_months != content.review_interval_months:
        changed.append(_("granskningsintervall"))
    relations = (
        ("audience_groups", content.audience_groups, _("personalgrupper")),
        ("focus_areas", content.focus_areas, _("områden")),
        ("methods", content.methods, _("metoder")),
    )
    for name, wanted, label in relations:
        if set(getattr(resource, name).values_list("pk", flat=True)) != {row.pk for row in wanted}:
            changed.append(label)
    return changed


@transaction.atomic
def update_resource(*, actor: User, resource_id: int, lock_version: int, content: Content, note: str = "") -> Resource:
    """Saves a change as the next version. Moving a resource to another owner needs the right over
    both. Returns the resource unchanged (no version, no log row) when the form changed nothing."""
    content = content.cleaned()
    resource = _locked(actor=actor, resource_id=resource_id, lock_version=lock_version)
    if not resource.is_active:
        raise ValidationError(_("Stödmaterialet är arkiverat. Återställ det innan du ändrar det."))
    if content.owner.pk != resource.owner_id:
        _may_own(actor, content.owner)
    _check(content)
    text_changed = any(getattr(resource, name) != getattr(content, name) for name in TEXT_FIELDS)
    facts = _changed_facts(resource, content)
    if not text_changed and not facts:
        return resource
    if content.review_interval_months != resource.review_interval_months:
        # The next review follows the new interval, counted from the last review (or the start).
        since = resource.reviewed_on or timezone.localtime(resource.created_at).date()
        resource.next_review_on = next_review(since, content.review_interval_months)
    _apply(resource, content)
    resource.version += 1
    resource.lock_version += 1
    resource.updated_at = timezone.now()
    resource.save()
    _relations(resource, content)
    if not note.strip() and facts:
        note = _("Ändrade uppgifter: %(facts)s") % {"facts": ", ".join(facts)}
    try:
        with transaction.atomic():  # a savepoint: the number is unique per resource
            record_version(resource, changed_by=actor, note=note)
    except IntegrityError:
        raise ValidationError(STALE) from None
    search.reindex(resource)
    record(
        action="resource_changed",
        actor=actor,
        obj=resource,
        detail=f"v{resource.version}",
        organisation_id=resource.owner_id,
    )
    return resource


def _set_active(*, actor: User, resource_id: int, lock_version: int, active: bool) -> Resource:
    resource = _locked(actor=actor, resource_id=resource_id, lock_version=lock_version)
    if resource.is_active == active:
        return resource
    resource.is_active = active
    resource.lock_version += 1
    resource.updated_at = timezone.now()
    resource.save(update_fields=["is_active", "lock_version", "updated_at"])
    search.reindex(resource)
    record(
        action="resource_restored" if active else "resource_archived",
        actor=actor,
        obj=resource,
        organisation_id=resource.owner_id,
    )
    return resource


@transaction.atomic
def archive_resource(*, actor: User, resource_id: int, lock_version: int) -> Resource:
    """Takes the resource out of lists and search; its keepers still read it and its history."""
    return _set_active(actor=actor, resource_id=resource_id, lock_version=lock_version, active=False)


@transaction.atomic
def restore_resource(*, actor: User, resource_id: int, lock_version: int) -> Resource:
    return _set_active(actor=actor, resource_id=resource_id, lock_version=lock_version, active=True)
