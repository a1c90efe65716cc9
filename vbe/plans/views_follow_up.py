"""The yearly follow-up of a plan's measures, and the roll-up of follow-ups over every visible plan."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from vbe.accounts import permissions
from vbe.accounts.models import Role
from vbe.accounts.permissions import Action
from vbe.core import submission
from vbe.plans import cycle, forms, rollup, services
from vbe.plans.models import LOCKED_STATES, FollowUp, FollowUpStatus, Measure, Plan, PlanState
from vbe.plans.views import FIRST_YEAR, GET_POST, _plan, _this_year

# --- Follow-up -----------------------------------------------------------------------------------


def _follow_up_plan(request: HttpRequest, pk: int, year: int) -> Plan:
    plan = _plan(request, pk)
    if year not in cycle.follow_up_years(plan, cycle.plan_cycle(plan.kind)) or year > _this_year():
        raise Http404
    return plan


def _follow_up_measures(plan: Plan, year: int) -> list[Measure]:
    return list(
        plan.measures.select_related("focus_area").prefetch_related(
            "indicators",
            Prefetch("follow_ups", queryset=FollowUp.objects.filter(year=year).select_related("recorded_by")),
        )
    )


def _follow_up_row(measure: Measure, form: forms.FollowUpEntryForm) -> dict[str, Any]:
    follow_up = next(iter(measure.follow_ups.all()), None)
    values = follow_up.indicator_values if follow_up else {}
    return {
        "measure": measure,
        "form": form,
        "follow_up": follow_up,
        "values": [(i, values.get(str(i.pk), "")) for i in measure.indicators.all()],
    }


def _render_follow_up(
    request: HttpRequest,
    plan: Plan,
    year: int,
    measures: list[Measure],
    *,
    save_form: forms.FollowUpForm | None = None,
    complete_form: forms.LockForm | None = None,
) -> HttpResponse:
    initial = {"lock_version": plan.lock_version}
    save_form = save_form or forms.FollowUpForm(measures=measures, initial=initial, auto_id="save_%s")
    complete_form = complete_form or forms.LockForm(initial=initial, auto_id="complete_%s")
    errors = [{"text": e, "href": ""} for f in (save_form, complete_form) for e in f.non_field_errors()]
    for entry in save_form.entries:
        for field in entry:
            errors.extend({"text": e, "href": f"#{field.auto_id}"} for e in field.errors)
    tally = rollup.tally_measures(measures, year)
    editable = permissions.can(request.user, Action.EDIT_PLAN, plan) and plan.is_current and plan.state in LOCKED_STATES
    completed = plan.state == PlanState.FOLLOWED_UP and services.follow_up_completed(plan, year)
    return render(
        request,
        "plans/follow_up.html",
        {
            "plan": plan,
            "year": year,
            "page_title": _("Uppföljning %(year)s") % {"year": year},
            "rollup_caption": _("Åtgärder per område och status %(year)s") % {"year": year},
            "rows": [_follow_up_row(m, f) for m, f in zip(measures, save_form.entries, strict=True)],
            "editable": editable,
            "save_form": save_form,
            "complete_form": complete_form,
            "can_complete": editable and bool(measures) and not completed,
            "completed": completed,
            "errors": errors,
            "tally": tally,
            "by_area": rollup.tally_measures_by_focus_area(measures, year),
            "status_headings": rollup.status_headings(),
            "statuses": FollowUpStatus,
        },
    )


def _changed(written: int) -> str:
    return ngettext(
        "Uppföljningen är sparad (%(count)s åtgärd ändrade).",
        "Uppföljningen är sparad (%(count)s åtgärder ändrade).",
        written,
    ) % {"count": written}


@login_required
@require_http_methods(GET_POST)
def follow_up(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """Every measure's follow-up for ``year``: read by the plan's readers, written by its coordinators."""
    plan = _follow_up_plan(request, pk, year)
    measures = _follow_up_measures(plan, year)
    if request.method != "POST":
        return _render_follow_up(request, plan, year, measures)
    permissions.require(request.user, Action.EDIT_PLAN, plan)
    form = forms.FollowUpForm(request.POST, measures=measures, auto_id="save_%s")
    return submission.submit(
        request,
        form,
        lambda data: services.record_follow_ups(
            actor=request.user,
            plan_id=plan.pk,
            lock_version=data["lock_version"],
            year=year,
            entries=form.follow_ups(),
        ),
        done=_changed,
        next_url=lambda _written: reverse("plans:follow_up", kwargs={"pk": plan.pk, "year": year}),
        page_again=lambda bound: _render_follow_up(request, plan, year, measures, save_form=bound),
    )


@login_required
@require_POST
def complete_follow_up(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    plan = _follow_up_plan(request, pk, year)
    permissions.require(request.user, Action.EDIT_PLAN, plan)
    return submission.submit(
        request,
        forms.LockForm(request.POST, auto_id="complete_%s"),
        lambda data: services.complete_follow_up(
            actor=request.user, plan_id=plan.pk, lock_version=data["lock_version"], year=year
        ),
        done=_("Uppföljningen för %(year)s är markerad som klar.") % {"year": year},
        next_url=Plan.get_absolute_url,
        page_again=lambda bound: _render_follow_up(
            request, plan, year, _follow_up_measures(plan, year), complete_form=bound
        ),
    )


# --- Roll-up -------------------------------------------------------------------------------------


@login_required
@require_safe
def rollup_view(request: HttpRequest, year: int) -> HttpResponse:
    """Follow-ups per focus area × status over every plan the user can see, for one year."""
    permissions.require(request.user, Action.LIST_PLANS)
    if not FIRST_YEAR <= year <= _this_year() + 1:
        raise Http404
    plans = rollup.plans_to_follow_up(permissions.plans_visible_to(request.user, Plan.objects.all()), year)
    by_area = rollup.focus_area_rollup(plans, year)
    by_plan = rollup.plan_rollups(plans, year)
    return render(
        request,
        "plans/rollup.html",
        {
            "year": year,
            "page_title": _("Uppföljning %(year)s per område") % {"year": year},
            "area_caption": _("Åtgärder per område och status %(year)s") % {"year": year},
            "by_area": by_area,
            "by_plan": by_plan,
            "total": rollup.total_of(by_area),
            "status_headings": rollup.status_headings(),
            "city_wide": permissions.has_role(request.user, Role.CENTRAL_COORDINATOR),
            "previous_year": year - 1 if year - 1 >= FIRST_YEAR else None,
            "next_year": year + 1 if year + 1 <= _this_year() else None,
        },
    )
