"""The collaboration forums: their one write path (created and changed by the central coordinator,
retired, never deleted: meetings point at them) and what the forum pages read.

Everyone who works with the guideline's collaboration reads the list of forums and who takes part
(VIEW_FORUMS); a forum's meetings are read only by its member organisations and the central coordinator
(VIEW_MEETINGS about the forum). The rules get a forum with its member organisations prefetched
(``with_members``), so asking them costs no query per forum.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.accounts import permissions
from vbe.accounts.collaboration_rules import MEETING_READER_ROLES
from vbe.accounts.guarded import Person
from vbe.accounts.models import User
from vbe.accounts.permissions import Action
from vbe.accounts.role_facts import is_central, org_ids_with
from vbe.audit.log import record
from vbe.collaboration.meeting_text import reject_numbers
from vbe.collaboration.models import Forum, ForumKind
from vbe.guidelines.models import FocusArea
from vbe.organisations.models import District, Organisation, Partner

STALE = gettext_lazy(
    "Forumet har ändrats av någon annan sedan du öppnade sidan. Ladda om sidan och gör ändringen igen."
)
NAME_TAKEN = gettext_lazy("Det finns redan ett forum med det namnet. Välj ett annat namn.")


@dataclass(frozen=True)
class ForumContent:
    """What the forum form says a forum is."""

    name: str
    kind: str
    district: District | None = None
    description: str = ""
    member_organisations: Sequence[Organisation] = ()
    member_partners: Sequence[Partner] = ()
    focus_areas: Sequence[FocusArea] = ()
    is_active: bool = True


def with_members(rows: QuerySet[Forum] | None = None) -> QuerySet[Forum]:
    """Forums as the rules and the forum page read them: members and focus areas in one query each."""
    rows = rows if rows is not None else Forum.objects.all()
    return (
        rows.select_related("district")
        .defer("district__geometry")  # the map's outline: never shown here, and large
        .prefetch_related("member_organisations", "member_partners", "focus_areas")
    )


def meeting_forums(user: Person) -> Q:
    """The forums whose meetings ``user`` reads, as a condition on Forum: the queryset form of the rule
    ``collaboration_rules.meeting_reader`` (tested to agree with it)."""
    if is_central(user):
        return Q()
    ids = org_ids_with(user, *MEETING_READER_ROLES)
    if not ids:
        return Q(pk__in=[])
    through = Forum.member_organisations.through.objects.filter(organisation_id__in=ids)
    return Q(pk__in=through.values("forum_id"))


def twelve_months_before(today: datetime.date) -> datetime.date:
    """The first day that is less than twelve months ago (29 February counts from 28 February)."""
    try:
        return today.replace(year=today.year - 1) + datetime.timedelta(days=1)
    except ValueError:
        return datetime.date(today.year - 1, 2, 28) + datetime.timedelta(days=1)


def listed(
    user: Person,
    *,
    district: District | None = None,
    citywide: bool = False,
    today: datetime.date | None = None,
) -> list:
    """The forums for the list page, grouped by kind in the kinds' order. A forum whose meetings
    ``user`` reads (``reads_meetings``) has the number of its meetings held in the last twelve months
    (``recent_meetings``); of any other forum nothing about its meetings is counted (None), as its
    meetings are not the user's to know of. Two queries however many forums there are."""
    today = today or timezone.localdate()
    since = twelve_months_before(today)
    held = Q(meetings__held_on__gte=since, meetings__held_on__lte=today)
    readable: set[int] | None = None  # None: every forum's (the central coordinator)
    if not is_central(user):
        readable = set(Forum.objects.filter(meeting_forums(user)).values_list("pk", flat=True))
        held &= Q(pk__in=readable)  # the others' meetings are not even counted
    rows = (
        Forum.objects.select_related("district")
        .defer("district__geometry")
        .annotate(recent_meetings=Count("meetings", filter=held))
    )
    if district is not None:
        rows = rows.filter(district=district)
    elif citywide:
        rows = rows.filter(district__isnull=True)
    forums = list(rows.order_by("name", "pk"))
    for forum in forums:
        forum.reads_meetings = readable is None or forum.pk in readable  # type: ignore[attr-defined]
        if not forum.reads_meetings:  # type: ignore[attr-defined]
            forum.recent_meetings = None  # type: ignore[assignment]
    labels = dict(ForumKind.choices)
    groups = []
    for kind in ForumKind.values:
        members = [forum for forum in forums if forum.kind == kind]
        if members:
            groups.append({"kind": kind, "label": labels[kind], "forums": members})
    return groups


def _check(content: ForumContent) -> ForumContent:
    content = ForumContent(
        name=content.name.strip(),
        kind=content.kind,
        district=content.district,
        description=content.description.strip(),
        member_organisations=tuple(content.member_organisations),
        member_partners=tuple(content.member_partners),
        focus_areas=tuple(content.focus_areas),
        is_active=content.is_active,
    )
    if not content.name:
        raise ValidationError(_("Skriv forumets namn."))
    if content.kind not in ForumKind.values:
        raise ValidationError(_("Välj typ av forum."))
    reject_numbers(content.name, content.description)
    if not content.member_organisations and not content.member_partners:
        raise ValidationError(_("Välj minst en deltagare i forumet."))
    return content


def _name_free(name: str, exclude_pk: int | None = None) -> None:
    others = Forum.objects.filter(name__iexact=name)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ValidationError(NAME_TAKEN)


def _apply(forum: Forum, content: ForumContent) -> None:
    forum.name, forum.kind, forum.district = content.name, content.kind, content.district
    forum.description, forum.is_active = content.description, content.is_active


def _relations(forum: Forum, content: ForumContent) -> None:
    forum.member_organisations.set(content.member_organisations)
    forum.member_partners.set(content.member_partners)
    forum.focus_areas.set(content.focus_areas)


def _save(forum: Forum) -> None:
    # A savepoint, so a name taken by a concurrent save is a form error, not a broken transaction.
    try:
        with transaction.atomic():
            forum.save()
    except IntegrityError as exc:
        raise ValidationError(NAME_TAKEN) from exc


@transaction.atomic
def create_forum(*, actor: User, content: ForumContent) -> Forum:
    permissions.require(actor, Action.MANAGE_FORUMS)
    content = _check(content)
    _name_free(content.name)
    forum = Forum()
    _apply(forum, content)
    _save(forum)
    _relations(forum, content)
    record(action="forum_created", actor=actor, obj=forum)
    return forum


@transaction.atomic
def update_forum(*, actor: User, forum_id: int, lock_version: int, content: ForumContent) -> Forum:
    """Changes a forum, its members and focus areas; unticking "aktivt" retires it (its meetings stay,
    no new ones are recorded)."""
    forum = Forum.objects.select_for_update().get(pk=forum_id)
    permissions.require(actor, Action.MANAGE_FORUMS)
    if forum.lock_version != lock_version:
        raise ValidationError(STALE)
    content = _check(content)
    _name_free(content.name, exclude_pk=forum.pk)
    was_active = forum.is_active
    _apply(forum, content)
    forum.lock_version += 1
    _save(forum)
    _relations(forum, content)
    if was_active and not forum.is_active:
        action = "forum_retired"
    elif forum.is_active and not was_active:
        action = "forum_reactivated"
    else:
        action = "forum_changed"
    record(action=action, actor=actor, obj=forum)
    return forum
