"""Meetings of the collaboration forums and their follow-up actions: the one write path, and the lists
of open actions.

A meeting is recorded, changed, given actions and followed up by those who may record the forum's
meetings (RECORD_MEETINGS about the forum: the coordinators and caseworkers of its member organisations
and the central coordinator), asked again under the row lock. A meeting names organisations, never
people: its participants are chosen among the forum's members, an action's owner is a member
organisation or partner. It has no link to any concern. Every text is checked for personal data
(``meeting_text``): personnummer and phone numbers under the row lock, names of concern subjects before
the transaction begins (that check decrypts names and only reads; its answer is given under the lock).
A meeting or an action is created once per form: the form's one-time key is kept on the row.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.accounts import permissions
from vbe.accounts.collaboration_rules import MEETING_READER_ROLES, MEETING_WRITER_ROLES
from vbe.accounts.guarded import Person
from vbe.accounts.models import User
from vbe.accounts.permissions import Action
from vbe.accounts.role_facts import is_central, org_ids_with
from vbe.audit.log import record
from vbe.collaboration import meeting_text
from vbe.collaboration.forums import meeting_forums, with_members
from vbe.collaboration.models import Forum, Meeting, MeetingAction
from vbe.organisations.models import Organisation, Partner

STALE_MEETING = gettext_lazy(
    "Mötet har ändrats av någon annan sedan du öppnade sidan. Ladda om sidan och gör ändringen igen."
)
STALE_ACTION = gettext_lazy(
    "Åtgärden har ändrats av någon annan sedan du öppnade sidan. Ladda om sidan och gör ändringen igen."
)
KEY_USED = gettext_lazy("Formuläret har redan skickats. Ladda om sidan och fyll i det igen.")
Saved = TypeVar("Saved", Meeting, MeetingAction)


def one_year_after(today: datetime.date) -> datetime.date:
    try:
        return today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        return datetime.date(today.year + 1, 2, 28)


@dataclass(frozen=True)
class MeetingContent:
    held_on: datetime.date
    participant_organisations: Sequence[Organisation] = ()
    participant_partners: Sequence[Partner] = ()
    agenda: str = ""
    decisions: str = ""


@dataclass(frozen=True)
class ActionContent:
    description: str
    due_on: datetime.date
    owner_organisation: Organisation | None = None
    owner_partner: Partner | None = None


def _forum(forum_id: int) -> Forum:
    return with_members().get(pk=forum_id)


def _scope(actor: User, forum: Forum) -> int | None:
    """The organisation the access-log row names: the actor's own member organisation, if any."""
    ids = sorted(org_ids_with(actor, *MEETING_WRITER_ROLES) & forum.member_organisation_ids)
    return ids[0] if ids else None


def _check_meeting(forum: Forum, content: MeetingContent, today: datetime.date, kept: Meeting | None) -> None:
    if content.held_on > one_year_after(today):
        raise ValidationError(_("Datumet får vara högst ett år fram i tiden."))
    # A participant recorded before the forum's members changed stays valid on the old meeting.
    organisations = set(forum.member_organisation_ids)
    partners = {partner.pk for partner in forum.member_partners.all()}
    if kept is not None:
        organisations |= {o.pk for o in kept.participant_organisations.all()}
        partners |= {p.pk for p in kept.participant_partners.all()}
    if any(o.pk not in organisations for o in content.participant_organisations) or any(
        p.pk not in partners for p in content.participant_partners
    ):
        raise ValidationError(_("Deltagarna ska vara med i forumet. Välj bland forumets deltagare."))
    meeting_text.reject_numbers(content.agenda, content.decisions)


def _apply(meeting: Meeting, content: MeetingContent) -> None:
    meeting.held_on = content.held_on
    meeting.agenda, meeting.decisions = content.agenda.strip(), content.decisions.strip()


def _already_saved(model: type[Saved], key: uuid.UUID | None, actor: User, **where: int) -> Saved | None:
    """The row the same form created before (asked under the row lock), marked ``already_saved``; None
    if the form's key is new. A key that made another writer's row, or a row elsewhere, is refused, not
    answered with that row."""
    if key is None:
        return None
    row = model.objects.filter(submission_key=key).first()
    if row is None:
        return None
    if row.created_by_id != actor.pk or any(getattr(row, field) != value for field, value in where.items()):
        raise ValidationError(KEY_USED)
    row.already_saved = True  # type: ignore[attr-defined]
    return row


def _save_once(row: Saved, actor: User, **where: int) -> Saved | None:
    """Saves the new row; None when saved, or the row of the same form saved meanwhile. The row locks
    already make the second sending wait for the first; the unique key is the last guard, in a
    savepoint so the transaction stays usable."""
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        done = _already_saved(type(row), row.submission_key, actor, **where)
        if done is None:
            raise
        return done
    return None


def record_meeting(
    *,
    actor: User,
    forum_id: int,
    content: MeetingContent,
    confirm_names: bool = False,
    today: datetime.date | None = None,
    submission_key: uuid.UUID | None = None,
) -> Meeting:
    """Records a meeting. With ``submission_key`` (the form's one-time key) the same form sent again
    records nothing and returns the meeting the first sending recorded, marked ``already_saved``."""
    names = meeting_text.names_found(actor=actor, texts=(content.agenda, content.decisions))
    with transaction.atomic():
        # The forum's row locked, so its members cannot change between the check and the save, and a
        # second sending of the same form waits here until the first is saved.
        list(Forum.objects.select_for_update().filter(pk=forum_id).values_list("pk", flat=True))
        forum = _forum(forum_id)
        permissions.require(actor, Action.RECORD_MEETINGS, forum)
        done = _already_saved(Meeting, submission_key, actor, forum_id=forum.pk)
        if done is not None:
            return done
        if not forum.is_active:
            raise ValidationError(_("Forumet är avslutat. Nya möten kan inte registreras."))
        _check_meeting(forum, content, today or timezone.localdate(), None)
        confirmed = meeting_text.check_names(found=names, confirmed=confirm_names)
        meeting = Meeting(forum=forum, created_by=actor, submission_key=submission_key)
        _apply(meeting, content)
        done = _save_once(meeting, actor, forum_id=forum.pk)
        if done is not None:
            return done
        meeting.participant_organisations.set(content.participant_organisations)
        meeting.participant_partners.set(content.participant_partners)
        scope = _scope(actor, forum)
        record(action="meeting_recorded", actor=actor, obj=meeting, organisation_id=scope)
        if confirmed:
            meeting_text.log_confirmed(actor=actor, obj=meeting, organisation_id=scope)
        return meeting


def update_meeting(
    *,
    actor: User,
    meeting_id: int,
    lock_version: int,
    content: MeetingContent,
    confirm_names: bool = False,
    today: datetime.date | None = None,
) -> Meeting:
    names = meeting_text.names_found(actor=actor, texts=(content.agenda, content.decisions))
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting_id)
        forum = _forum(meeting.forum_id)
        permissions.require(actor, Action.RECORD_MEETINGS, forum)
        if meeting.lock_version != lock_version:
            raise ValidationError(STALE_MEETING)
        _check_meeting(forum, content, today or timezone.localdate(), meeting)
        earliest_due = meeting.actions.order_by("due_on").values_list("due_on", flat=True).first()
        if earliest_due is not None and content.held_on > earliest_due:
            raise ValidationError(_("Mötet kan inte flyttas till efter en åtgärds sista datum."))
        confirmed = meeting_text.check_names(found=names, confirmed=confirm_names)
        _apply(meeting, content)
        meeting.lock_version += 1
        meeting.save()
        meeting.participant_organisations.set(content.participant_organisations)
        meeting.participant_partners.set(content.participant_partners)
        scope = _scope(actor, forum)
        record(action="meeting_changed", actor=actor, obj=meeting, organisation_id=scope)
        if confirmed:
            meeting_text.log_confirmed(actor=actor, obj=meeting, organisation_id=scope)
        return meeting


def _check_owner(forum: Forum, content: ActionContent) -> None:
    if (content.owner_organisation is None) == (content.owner_partner is None):
        raise ValidationError(_("Välj en ansvarig: en av forumets deltagare."))
    if content.owner_organisation is not None and content.owner_organisation.pk not in forum.member_organisation_ids:
        raise ValidationError(_("Den ansvariga ska vara med i forumet."))
    if content.owner_partner is not None and content.owner_partner.pk not in {
        p.pk for p in forum.member_partners.all()
    }:
        raise ValidationError(_("Den ansvariga ska vara med i forumet."))


def add_action(
    *,
    actor: User,
    meeting_id: int,
    content: ActionContent,
    confirm_names: bool = False,
    submission_key: uuid.UUID | None = None,
) -> MeetingAction:
    """Adds a follow-up action; ``submission_key`` as for ``record_meeting``."""
    description = content.description.strip()
    names = meeting_text.names_found(actor=actor, texts=(description,))
    with transaction.atomic():
        # The meeting's row locked: a second sending of the same form waits here for the first.
        meeting = Meeting.objects.select_for_update().get(pk=meeting_id)
        forum = _forum(meeting.forum_id)
        permissions.require(actor, Action.RECORD_MEETINGS, forum)
        done = _already_saved(MeetingAction, submission_key, actor, meeting_id=meeting.pk)
        if done is not None:
            return done
        if not description:
            raise ValidationError(_("Skriv vad som ska göras."))
        meeting_text.reject_numbers(description)
        _check_owner(forum, content)
        if content.due_on < meeting.held_on:
            raise ValidationError(_("Sista datum kan inte vara före mötet."))
        confirmed = meeting_text.check_names(found=names, confirmed=confirm_names)
        action = MeetingAction(
            meeting=meeting,
            description=description,
            owner_organisation=content.owner_organisation,
            owner_partner=content.owner_partner,
            due_on=content.due_on,
            created_by=actor,
            submission_key=submission_key,
        )
        done = _save_once(action, actor, meeting_id=meeting.pk)
        if done is not None:
            return done
        scope = _scope(actor, forum)
        record(action="meeting_action_added", actor=actor, obj=action, organisation_id=scope)
        if confirmed:
            meeting_text.log_confirmed(actor=actor, obj=action, organisation_id=scope)
        return action


def _locked_action(actor: User, action_id: int, lock_version: int) -> tuple[MeetingAction, Forum]:
    action = MeetingAction.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=action_id)
    forum = _forum(action.meeting.forum_id)
    permissions.require(actor, Action.RECORD_MEETINGS, forum)
    if action.lock_version != lock_version:
        raise ValidationError(STALE_ACTION)
    return action, forum


def follow_up_action(
    *,
    actor: User,
    action_id: int,
    lock_version: int,
    done_on: datetime.date,
    follow_up: str,
    confirm_names: bool = False,
    today: datetime.date | None = None,
) -> MeetingAction:
    """Marks the action followed up: when, and what came of it. A followed-up action may be followed up
    again (a correction) or reopened."""
    follow_up = follow_up.strip()
    names = meeting_text.names_found(actor=actor, texts=(follow_up,))
    with transaction.atomic():
        action, forum = _locked_action(actor, action_id, lock_version)
        today = today or timezone.localdate()
        if done_on > today:
            raise ValidationError(_("Datumet för uppföljningen kan inte vara i framtiden."))
        if done_on < action.meeting.held_on:
            raise ValidationError(_("Uppföljningen kan inte vara före mötet."))
        if not follow_up:
            raise ValidationError(_("Skriv vad som har gjorts."))
        meeting_text.reject_numbers(follow_up)
        confirmed = meeting_text.check_names(found=names, confirmed=confirm_names)
        action.done_on, action.follow_up = done_on, follow_up
        action.lock_version += 1
        action.save(update_fields=["done_on", "follow_up", "lock_version"])
        scope = _scope(actor, forum)
        record(action="meeting_action_followed_up", actor=actor, obj=action, organisation_id=scope)
        if confirmed:
            meeting_text.log_confirmed(actor=actor, obj=action, organisation_id=scope)
        return action


@transaction.atomic
def reopen_action(*, actor: User, action_id: int, lock_version: int) -> MeetingAction:
    """The action is open again; what was written at the follow-up stays, to be completed."""
    action, forum = _locked_action(actor, action_id, lock_version)
    if action.done_on is None:
        raise ValidationError(_("Åtgärden är redan öppen."))
    action.done_on = None
    action.lock_version += 1
    action.save(update_fields=["done_on", "lock_version"])
    record(action="meeting_action_reopened", actor=actor, obj=action, organisation_id=_scope(actor, forum))
    return action


def open_actions_for(user: Person) -> QuerySet[MeetingAction]:
    """The open actions a user follows: those owned by the organisations in which they read meetings,
    in forums whose meetings they still read; for the central coordinator every open action."""
    rows = MeetingAction.objects.filter(done_on__isnull=True)
    if not is_central(user):
        owners = org_ids_with(user, *MEETING_READER_ROLES)
        rows = rows.filter(
            owner_organisation_id__in=owners, meeting__forum__in=Forum.objects.filter(meeting_forums(user))
        )
    return rows.select_related("meeting__forum", "owner_organisation", "owner_partner")


def open_actions_of(forum: Forum) -> QuerySet[MeetingAction]:
    return MeetingAction.objects.filter(meeting__forum=forum, done_on__isnull=True).select_related(
        "meeting", "owner_organisation", "owner_partner"
    )


def meetings_of(forum: Forum) -> QuerySet[Meeting]:
    return Meeting.objects.filter(forum=forum).annotate(
        action_count=Count("actions"), open_count=Count("actions", filter=Q(actions__done_on__isnull=True))
    )
