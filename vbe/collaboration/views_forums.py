"""/samverkan/forum/: the collaboration forums, one forum's page, and the central coordinator's forms.

Everyone who takes part in the collaboration work reads the forums and who is in them (VIEW_FORUMS).
A forum's page shows its meetings and open actions only to those who read its meetings (VIEW_MEETINGS
about the forum); the central coordinator creates, changes and retires forums (MANAGE_FORUMS).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from vbe.accounts import permissions
from vbe.accounts.permissions import Action, require
from vbe.collaboration import forums, meeting_pages, meetings
from vbe.collaboration.forms_forums import DistrictFilterForm, ForumForm
from vbe.collaboration.models import Forum
from vbe.core import submission

GET_POST = ["GET", "HEAD", "POST"]
MEETINGS_PER_PAGE = 20
OPEN_ACTIONS_SHOWN = 50


@require_safe
@login_required
def forum_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW_FORUMS)
    choice = DistrictFilterForm(request.GET if "omrade" in request.GET else None)
    district, citywide = choice.chosen()
    groups = forums.listed(request.user, district=district, citywide=citywide, today=timezone.localdate())
    return render(
        request,
        "collaboration/forum_list.html",
        {
            "groups": groups,
            "choice": choice,
            "filtered": district is not None or citywide,
            "counts_hidden": any(not forum.reads_meetings for group in groups for forum in group["forums"]),
            "can_manage": permissions.can(request.user, Action.MANAGE_FORUMS),
        },
    )


@require_safe
@login_required
def forum_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Action.VIEW_FORUMS)
    forum = get_object_or_404(forums.with_members(), pk=pk)
    may_record = permissions.can(request.user, Action.RECORD_MEETINGS, forum)
    context: dict = {
        "forum": forum,
        "can_read_meetings": permissions.can(request.user, Action.VIEW_MEETINGS, forum),
        # A retired forum gets no new meetings; its open actions are still followed up.
        "can_record": may_record and forum.is_active,
        "can_manage": permissions.can(request.user, Action.MANAGE_FORUMS),
    }
    if context["can_read_meetings"]:
        page = meeting_pages.page(
            meetings.meetings_of(forum),
            request.GET.get(meeting_pages.AFTER),
            field="held_on",
            newest_first=True,
            per_page=MEETINGS_PER_PAGE,
        )
        open_actions = list(meetings.open_actions_of(forum).order_by("due_on", "pk")[: OPEN_ACTIONS_SHOWN + 1])
        for action in open_actions:
            action.may_follow_up = may_record  # type: ignore[attr-defined]
        context.update(
            page=page,
            next_query=urlencode({meeting_pages.AFTER: str(page.after)}) if page.after else "",
            open_actions=open_actions[:OPEN_ACTIONS_SHOWN],
            more_open_actions=len(open_actions) > OPEN_ACTIONS_SHOWN,
            today=timezone.localdate(),
        )
    return render(request, "collaboration/forum_detail.html", context)


def _form_page(request: HttpRequest, forum: Forum | None) -> HttpResponse:
    def page_again(form: django_forms.BaseForm) -> HttpResponse:
        return render(request, "collaboration/forum_form.html", {"forum": forum, "form": form})

    form = ForumForm(request.POST if request.method == "POST" else None, forum=forum)

    def save(data: dict) -> Forum:
        if forum is None:
            return forums.create_forum(actor=request.user, content=form.content())
        return forums.update_forum(
            actor=request.user, forum_id=forum.pk, lock_version=data["lock_version"], content=form.content()
        )

    return submission.submit(
        request,
        form,
        save,
        done=lambda saved: _("Forumet %(name)s är sparat.") % {"name": saved.name},
        next_url=lambda saved: reverse("collaboration:forum", args=[saved.pk]),
        page_again=page_again,
    )


@login_required
@require_http_methods(GET_POST)
def forum_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.MANAGE_FORUMS)
    return _form_page(request, None)


@login_required
@require_http_methods(GET_POST)
def forum_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Action.MANAGE_FORUMS)
    forum = get_object_or_404(forums.with_members(), pk=pk)
    return _form_page(request, forum)


urlpatterns = [
    path("forum/", forum_list, name="forums"),
    path("forum/nytt/", forum_create, name="forum_create"),
    path("forum/<id:pk>/", forum_detail, name="forum"),
    path("forum/<id:pk>/andra/", forum_edit, name="forum_edit"),
]
