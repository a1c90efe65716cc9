"""/samverkan/moten/ and /samverkan/atgarder/: a forum's meetings, their follow-up actions, and the open
actions a user follows.

A meeting or an action of a forum whose meetings the user may not read is not found (404), so no page
tells anyone that it exists; who reads it but may not record (unit managers, board readers) is refused
the forms (403). Every form says in its hint to write organisations and subjects, never names; a text
that names a person in a concern the writer reads comes back with a warning and a box to confirm.

The forms that create (a meeting, an action) carry a one-time key, new each time the page is shown
(``submission_key``, a hidden input read here): the same form sent twice creates one row, and the
second sending is sent to the row the first one created.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from vbe.accounts import permissions
from vbe.accounts.permissions import Action, require
from vbe.collaboration import forums, meeting_pages, meetings
from vbe.collaboration.forms_meetings import ActionForm, FollowUpForm, MeetingForm, ReopenForm
from vbe.collaboration.models import Forum, Meeting, MeetingAction
from vbe.core import submission

GET_POST = ["GET", "HEAD", "POST"]
SUBMISSION_KEY = "submission_key"
ACTIONS_PER_PAGE = 25
FORUM_MEMBERS = ("forum__member_organisations", "forum__member_partners")


def _posted_key(request: HttpRequest) -> uuid.UUID:
    """The form's one-time key as sent; a form without a valid one (an old page, a tampered form) is
    asked to be reloaded, which gives it a new key."""
    try:
        return uuid.UUID(request.POST.get(SUBMISSION_KEY, ""))
    except ValueError:
        raise ValidationError(
            _("Formuläret saknar sin kontrollkod. Ladda om sidan och fyll i formuläret igen.")
        ) from None


def _saved_message(saved: Meeting | MeetingAction, done: str, already: str) -> str:
    return already if getattr(saved, "already_saved", False) else done


def _readable_meeting(request: HttpRequest, pk: int) -> Meeting:
    """The meeting, with its forum as the rules read it; 404 unless the user reads the forum's meetings."""
    require(request.user, Action.VIEW_FORUMS)
    meeting = get_object_or_404(Meeting.objects.select_related("forum").prefetch_related(*FORUM_MEMBERS), pk=pk)
    if not permissions.can(request.user, Action.VIEW_MEETINGS, meeting.forum):
        raise Http404
    return meeting


def _writable_meeting(request: HttpRequest, pk: int) -> Meeting:
    meeting = _readable_meeting(request, pk)
    require(request.user, Action.RECORD_MEETINGS, meeting.forum)
    return meeting


def _writable_action(request: HttpRequest, pk: int) -> MeetingAction:
    require(request.user, Action.VIEW_FORUMS)
    action = get_object_or_404(
        MeetingAction.objects.select_related("meeting__forum", "owner_organisation", "owner_partner").prefetch_related(
            "meeting__forum__member_organisations", "meeting__forum__member_partners"
        ),
        pk=pk,
    )
    if not permissions.can(request.user, Action.VIEW_MEETINGS, action.meeting.forum):
        raise Http404
    require(request.user, Action.RECORD_MEETINGS, action.meeting.forum)
    return action


@require_safe
@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _readable_meeting(request, pk)
    can_record = permissions.can(request.user, Action.RECORD_MEETINGS, meeting.forum)
    actions = list(meeting.actions.select_related("owner_organisation", "owner_partner").order_by("due_on", "pk"))
    for action in actions:
        action.may_follow_up = can_record  # type: ignore[attr-defined]
    return render(
        request,
        "collaboration/meeting_detail.html",
        {
            "meeting": meeting,
            "forum": meeting.forum,
            "organisations": meeting.participant_organisations.order_by("name"),
            "partners": meeting.participant_partners.order_by("name"),
            "actions": actions,
            "can_record": can_record,
            "today": timezone.localdate(),
        },
    )


def _meeting_form_page(request: HttpRequest, forum: Forum, meeting: Meeting | None) -> HttpResponse:
    form = MeetingForm(request.POST if request.method == "POST" else None, forum=forum, meeting=meeting)

    def page_again(bound: django_forms.BaseForm) -> HttpResponse:
        return render(
            request,
            "collaboration/meeting_form.html",
            {"forum": forum, "meeting": meeting, "form": bound, "submission_key": uuid.uuid4()},
        )

    def save(data: dict) -> Meeting:
        if meeting is None:
            return meetings.record_meeting(
                actor=request.user,
                forum_id=forum.pk,
                content=form.content(),
                confirm_names=data["confirm_names"],
                submission_key=_posted_key(request),
            )
        return meetings.update_meeting(
            actor=request.user,
            meeting_id=meeting.pk,
            lock_version=data["lock_version"],
            content=form.content(),
            confirm_names=data["confirm_names"],
        )

    return submission.submit(
        request,
        form,
        save,
        done=lambda saved: _saved_message(saved, _("Mötet är sparat."), _("Mötet var redan sparat.")),
        next_url=lambda saved: reverse("collaboration:meeting", args=[saved.pk]),
        page_again=page_again,
    )


@login_required
@require_http_methods(GET_POST)
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Action.VIEW_FORUMS)
    forum = get_object_or_404(forums.with_members(), pk=pk)
    require(request.user, Action.RECORD_MEETINGS, forum)
    if not forum.is_active:
        raise Http404
    return _meeting_form_page(request, forum, None)


@login_required
@require_http_methods(GET_POST)
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _writable_meeting(request, pk)
    return _meeting_form_page(request, meeting.forum, meeting)


@login_required
@require_http_methods(GET_POST)
def meeting_action_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _writable_meeting(request, pk)
    form = ActionForm(request.POST if request.method == "POST" else None, forum=meeting.forum)

    def page_again(bound: django_forms.BaseForm) -> HttpResponse:
        return render(
            request,
            "collaboration/action_form.html",
            {"meeting": meeting, "forum": meeting.forum, "form": bound, "submission_key": uuid.uuid4()},
        )

    return submission.submit(
        request,
        form,
        lambda data: meetings.add_action(
            actor=request.user,
            meeting_id=meeting.pk,
            content=form.content(),
            confirm_names=data["confirm_names"],
            submission_key=_posted_key(request),
        ),
        done=lambda saved: _saved_message(saved, _("Åtgärden är sparad."), _("Åtgärden var redan sparad.")),
        next_url=lambda saved: reverse("collaboration:meeting", args=[meeting.pk]),
        page_again=page_again,
    )


@login_required
@require_http_methods(GET_POST)
def action_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    """The follow-up of one action; a followed-up action may also be reopened here (a second form)."""
    action = _writable_action(request, pk)
    reopening = request.method == "POST" and "reopen" in request.POST
    follow_up = FollowUpForm(request.POST if request.method == "POST" and not reopening else None, action=action)
    reopen = ReopenForm(request.POST if reopening else None, initial={"lock_version": action.lock_version})

    def page_again(_bound: django_forms.BaseForm) -> HttpResponse:
        return render(
            request,
            "collaboration/action_follow_up.html",
            {
                "action": action,
                "meeting": action.meeting,
                "forum": action.meeting.forum,
                "form": follow_up,
                "reopen_form": reopen,
            },
        )

    if reopening:
        return submission.submit(
            request,
            reopen,
            lambda data: meetings.reopen_action(
                actor=request.user, action_id=action.pk, lock_version=data["lock_version"]
            ),
            done=_("Åtgärden är öppen igen."),
            next_url=lambda saved: reverse("collaboration:meeting", args=[action.meeting_id]),
            page_again=page_again,
        )
    return submission.submit(
        request,
        follow_up,
        lambda data: meetings.follow_up_action(
            actor=request.user,
            action_id=action.pk,
            lock_version=data["lock_version"],
            done_on=data["done_on"],
            follow_up=data["follow_up"],
            confirm_names=data["confirm_names"],
        ),
        done=_("Uppföljningen är sparad."),
        next_url=lambda saved: reverse("collaboration:meeting", args=[action.meeting_id]),
        page_again=page_again,
    )


@require_safe
@login_required
def action_list(request: HttpRequest) -> HttpResponse:
    """The open actions owned by the user's organisations (for the central coordinator: all), overdue
    first, then by due date."""
    require(request.user, Action.VIEW_FORUMS)
    page = meeting_pages.page(
        meetings.open_actions_for(request.user).prefetch_related("meeting__forum__member_organisations"),
        request.GET.get(meeting_pages.AFTER),
        field="due_on",
        newest_first=False,
        per_page=ACTIONS_PER_PAGE,
    )
    for action in page.rows:
        action.may_follow_up = permissions.can(request.user, Action.RECORD_MEETINGS, action.meeting.forum)  # type: ignore[attr-defined]
    return render(
        request,
        "collaboration/action_list.html",
        {
            "page": page,
            "next_query": urlencode({meeting_pages.AFTER: str(page.after)}) if page.after else "",
            "today": timezone.localdate(),
            "all_organisations": permissions.can(request.user, Action.MANAGE_FORUMS),
        },
    )


urlpatterns = [
    path("forum/<id:pk>/moten/nytt/", meeting_create, name="meeting_create"),
    path("moten/<id:pk>/", meeting_detail, name="meeting"),
    path("moten/<id:pk>/andra/", meeting_edit, name="meeting_edit"),
    path("moten/<id:pk>/atgarder/ny/", meeting_action_add, name="meeting_action_add"),
    path("atgarder/<id:pk>/uppfoljning/", action_follow_up, name="action_follow_up"),
    path("atgarder/", action_list, name="actions"),
]
