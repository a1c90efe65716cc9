from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from vbe.accounts import permissions
from vbe.accounts.coordinators import coordinators_prefetch
from vbe.accounts.permissions import Action
from vbe.guidelines.calendar import due_between, feed_token, icalendar, user_for_token
from vbe.guidelines.duties import duties_for
from vbe.guidelines.models import FocusArea, Guideline, Method
from vbe.organisations.models import Organisation


def _current_guideline() -> Guideline:
    guideline = Guideline.objects.filter(is_current=True).first()
    if guideline is None:
        raise Http404(_("Ingen gällande riktlinje är inläst."))
    return guideline


@require_safe
@login_required
def overview(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, Action.VIEW_GUIDELINE)
    guideline = _current_guideline()
    areas = guideline.intervention_areas.prefetch_related(
        Prefetch("focus_areas", queryset=FocusArea.objects.prefetch_related("responsible"))
    )
    return render(
        request,
        "guidelines/overview.html",
        {"guideline": guideline, "areas": areas, "duties": guideline.coordinator_duties.all()},
    )


@require_safe
@login_required
def focus_area(request: HttpRequest, slug: str) -> HttpResponse:
    permissions.require(request.user, Action.VIEW_GUIDELINE)
    area = get_object_or_404(
        FocusArea.objects.select_related("intervention_area__guideline").prefetch_related(
            "responsible", Prefetch("methods", queryset=Method.objects.prefetch_related("applies_to"))
        ),
        slug=slug,
        intervention_area__guideline__is_current=True,
    )
    return render(request, "guidelines/focus_area.html", {"area": area})


@require_safe
@login_required
def my_mission(request: HttpRequest) -> HttpResponse:
    """For each of the user's organisations: its focus areas, methods, coordinator duty and documents."""
    permissions.require(request.user, Action.VIEW_OWN_MISSION)
    year = timezone.localdate().year
    org_ids = {m.organisation_id for m in permissions.memberships(request.user)}
    organisations = Organisation.objects.filter(pk__in=org_ids).prefetch_related(coordinators_prefetch())
    missions = []
    for organisation in organisations:
        areas = (
            FocusArea.objects.filter(responsible=organisation, intervention_area__guideline__is_current=True)
            .prefetch_related(
                Prefetch(
                    "methods",
                    queryset=Method.objects.filter(Q(applies_to=None) | Q(applies_to=organisation)).distinct(),
                )
            )
            .order_by("number")
        )
        missions.append(
            {
                "organisation": organisation,
                "focus_areas": areas,
                "coordinators": organisation.coordinator_memberships,
                "duties_this_year": duties_for(organisation, year),
                "duties_next_year": duties_for(organisation, year + 1),
            }
        )
    guideline = Guideline.objects.filter(is_current=True).first()
    return render(
        request,
        "guidelines/my_mission.html",
        {
            "missions": missions,
            "year": year,
            "coordinator_duties": guideline.coordinator_duties.all() if guideline else [],
        },
    )


@require_safe
@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    """What is due in the coming twelve months: the user's organisations first, then the whole city."""
    permissions.require(request.user, Action.VIEW_CALENDAR)
    today = timezone.localdate()
    end = today + datetime.timedelta(days=365)
    own_ids = {m.organisation_id for m in permissions.memberships(request.user)}
    items = due_between(today, end)
    own = [(o, d) for o, d in items if o.pk in own_ids]
    feed_url = request.build_absolute_uri(reverse("guidelines:calendar_feed", args=[feed_token(request.user)]))
    return render(
        request,
        "guidelines/calendar.html",
        {"own": own, "city": items, "today": today, "end": end, "feed_url": feed_url},
    )


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The user's iCalendar feed, read by calendar programs without a session: the token is the key."""
    user = user_for_token(token)
    if user is None:
        raise Http404(_("Kalenderlänken gäller inte längre."))
    today = timezone.localdate()
    own_ids = {m.organisation_id for m in permissions.memberships(user)}
    organisations = Organisation.objects.filter(pk__in=own_ids)
    items = due_between(
        today.replace(month=1, day=1), today.replace(year=today.year + 1, month=12, day=31), organisations
    )
    response = HttpResponse(icalendar(items, now=timezone.now()), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="vbe-portalen.ics"'
    return response
