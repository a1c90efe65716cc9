"""Views of the plan cycle: plans and their measures, the workflow, follow-ups and roll-ups, the
coordinator's task list and duty self-report.

Plans hold no personal data, so reading one is not logged; every write goes through
``vbe.plans.services``, which checks the right again under the plan's lock and logs it, and every form
reaches its service through ``vbe.core.submission.submit``. A plan outside the user's scope answers
404; a reader who may not change it gets 403. A refused write (locked plan, stale version, bad input)
renders the page again with the message and what the user typed, status 400.

The measures, the follow-ups with their roll-up, and the task list with the duty self-report are
in the sibling modules ``views_measures``, ``views_follow_up`` and ``views_duties``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Prefetch, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from vbe.accounts import permissions
from vbe.accounts.models import Role
from vbe.accounts.permissions import Action
from vbe.core import submission
from vbe.organisations.models import Organisation
from vbe.plans import cycle, forms, measure_lists, rollup, services, tasks
from vbe.plans.models import LOCKED_STATES, FollowUp, Measure, Plan, PlanKind, PlanState
from vbe.plans.situation import situation_statistics

PER_PAGE = 25
FIRST_YEAR = 2000
GET_POST = ["GET", "HEAD", "POST"]


def _this_year() -> int:
    return timezone.localdate().year


def _plan(request: HttpRequest, pk: int) -> Plan:
    """One access helper: the plan if the user may read it, else 404."""
    plan = Plan.objects.select_related("organisation").filter(pk=pk).first()
    if plan is None or not permissions.can(request.user, Action.VIEW_PLAN, plan):
        raise Http404
    return plan


def _own_plan(request: HttpRequest, pk: int) -> Plan:
    """A plan the user may change (its organisation's coordinator): 404 outside scope, 403 to readers."""
    plan = _plan(request, pk)
    permissions.require(request.user, Action.EDIT_PLAN, plan)
    return plan


def _is_editable(plan: Plan) -> bool:
    """The plan's text and measures change only in a current draft (the services say why otherwise)."""
    return plan.state == PlanState.DRAFT and plan.is_current


def _writable_organisations(user: Any) -> list[Organisation]:
    """The user's organisations whose plans the user may write (the EDIT_PLAN rule)."""
    organisations = {m.organisation for m in permissions.memberships(user)}
    return sorted(
        (o for o in organisations if permissions.can(user, Action.EDIT_PLAN, Plan(organisation=o))),
        key=lambda o: o.name,
    )


# --- The list ----------------------------------------------------------------------------------


@login_required
@require_safe
def plan_list(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, Action.LIST_PLANS)
    visible = permissions.plans_visible_to(request.user, Plan.objects.filter(is_current=True))
    years = sorted({y for start, end in visible.values_list("year", "end_year") for y in range(start, end + 1)})[::-1]
    organisations = list(Organisation.objects.filter(pk__in=visible.values("organisation_id")).order_by("name"))
    form = forms.FilterForm(request.GET or None, years=years, organisations=organisations)
    plans, query = visible, ""
    if form.is_bound and form.is_valid():
        year, organisation = form.cleaned_data["ar"], form.cleaned_data["organisation"]
        if year:
            plans = plans.filter(year__lte=year, end_year__gte=year)
        if organisation:
            plans = plans.filter(organisation_id=organisation)
        query = urlencode({k: v for k, v in (("ar", year), ("organisation", organisation)) if v})
    own = permissions.org_ids_with(request.user, Role.COORDINATOR)
    plans = (
        plans.select_related("organisation")
        .annotate(
            measure_count=Count("measures"),
            own_first=Case(When(organisation_id__in=own, then=0), default=1, output_field=IntegerField()),
        )
        .order_by("own_first", "-year", "organisation__name", "kind")
    )
    page = Paginator(plans, PER_PAGE).get_page(request.GET.get("sida"))
    return render(
        request,
        "plans/list.html",
        {
            "page": page,
            "form": form,
            "query": query,
            "own": own,
            "can_create": any(tasks.owes_plans(o) for o in _writable_organisations(request.user)),
            "is_coordinator": bool(own),
            "rollup_year": _this_year() - 1,
            "measure_lists": measure_lists.lists_for(request.user),
            "this_year": _this_year(),
        },
    )


# --- Creating a plan -----------------------------------------------------------------------------


@login_required
@require_http_methods(GET_POST)
def create(request: HttpRequest) -> HttpResponse:
    """This year's plan (or the next one owed) for one of the coordinator's organisations."""
    writable = _writable_organisations(request.user)
    if not writable:
        raise PermissionDenied(Action.EDIT_PLAN.value)
    organisations = [o for o in writable if tasks.owes_plans(o)]
    this_year = _this_year()
    cycles = {kind: cycle.plan_cycle(kind) for kind in PlanKind}
    kinds = {services.kind_for(o) for o in organisations}
    # The years a plan of one of the user's kinds may be made for, as the reporting duties state them.
    years = [y for y in range(this_year - 1, this_year + 3) if any(cycles[k].applies_in(y) for k in kinds)]
    context = {"organisations": organisations, "cycles": cycles}
    if request.method == "POST":
        return submission.submit(
            request,
            forms.CreatePlanForm(request.POST, organisations=organisations, years=years, cycles=cycles),
            lambda data: services.create_plan(
                actor=request.user, organisation=data["organisation"], year=data["year"], title=data["title"]
            ),
            done=_("Planen är skapad. Skriv lägesbilden och lägg till åtgärderna."),
            next_url=Plan.get_absolute_url,
            page_again=lambda form: render(request, "plans/create.html", {"form": form, **context}),
        )
    chosen = next((o for o in organisations if str(o.pk) == request.GET.get("organisation")), None)
    chosen = chosen or (organisations[0] if organisations else None)
    year = request.GET.get("ar", "")
    initial = {
        "organisation": chosen,
        "year": int(year) if year.isdigit() and int(year) in years else None,
    }
    if chosen and initial["year"] is None:
        initial["year"] = tasks.default_plan_year(chosen, this_year, cycles[services.kind_for(chosen)])
    form = forms.CreatePlanForm(initial=initial, organisations=organisations, years=years, cycles=cycles)
    return render(request, "plans/create.html", {"form": form, **context})


# --- The plan page -------------------------------------------------------------------------------


def _follow_up_rows(measure: Measure) -> list[dict[str, Any]]:
    indicators = list(measure.indicators.all())
    return [
        {
            "follow_up": follow_up,
            "values": [(i, follow_up.indicator_values.get(str(i.pk), "")) for i in indicators],
        }
        for follow_up in measure.follow_ups.all()
    ]


def _follow_up_years(plan: Plan) -> list[int]:
    """The years the plan is followed up for (its follow-up rule), up to this one."""
    years = cycle.follow_up_years(plan, cycle.plan_cycle(plan.kind))
    return [y for y in years if y <= _this_year()]


def _detail_context(request: HttpRequest, plan: Plan, **bound: Any) -> dict[str, Any]:
    is_editor = permissions.can(request.user, Action.EDIT_PLAN, plan)
    measures = list(
        plan.measures.select_related("focus_area", "responsible_unit").prefetch_related(
            "methods", "indicators", Prefetch("follow_ups", queryset=FollowUp.objects.order_by("year"))
        )
    )
    for measure in measures:
        measure.follow_up_rows = _follow_up_rows(measure)
    decided = plan.state in LOCKED_STATES
    years = _follow_up_years(plan) if decided else []
    versions = list(
        Plan.objects.filter(organisation_id=plan.organisation_id, kind=plan.kind, year=plan.year)
        .order_by("version")
        .only("pk", "version", "state", "is_current", "decided_on", "minute_reference", "year", "end_year", "title")
    )
    initial = {"lock_version": plan.lock_version}
    context_forms = {
        "submit_form": forms.LockForm(initial=initial, auto_id="submit_%s"),
        "return_form": forms.LockForm(initial=initial, auto_id="return_%s"),
        "decision_form": forms.DecisionForm(initial={**initial, "decided_on": timezone.localdate()}),
        "new_version_form": forms.LockForm(initial=initial, auto_id="newversion_%s"),
    }
    context_forms.update(bound)
    missing = []
    if plan.state == PlanState.DRAFT:
        if not plan.situation_analysis.strip():
            missing.append(_("lägesbilden"))
        if not measures:
            missing.append(_("minst en åtgärd"))
    return {
        "plan": plan,
        "is_editor": is_editor,
        "can_edit": is_editor and _is_editable(plan),
        "can_manage": is_editor and plan.is_current,
        "measures": measures,
        "statistics": situation_statistics(plan.organisation, plan.year, end_year=plan.end_year, viewer=request.user),
        "events": plan.events.select_related("actor"),
        "versions": versions,
        "current_version": next((v for v in versions if v.is_current), None),
        "state_steps": [(s.value, s.label) for s in PlanState],
        "missing": missing,
        "follow_up_years": years,
        "rollups": [
            {
                "year": y,
                "caption": _("Åtgärder per område och status %(year)s") % {"year": y},
                "tally": rollup.tally_measures(measures, y),
                "by_area": rollup.tally_measures_by_focus_area(measures, y),
            }
            for y in years
        ],
        "status_headings": rollup.status_headings(),
        "error_form": next((f for f in bound.values() if f.errors), None),
        **context_forms,
    }


@login_required
@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    return render(request, "plans/detail.html", _detail_context(request, plan))


def _detail_again(request: HttpRequest, plan: Plan, form_name: str) -> Callable[[django_forms.BaseForm], HttpResponse]:
    """The plan page again, with the workflow form ``form_name`` bound to what was sent."""
    return lambda form: render(request, "plans/detail.html", _detail_context(request, plan, **{form_name: form}))


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _own_plan(request, pk)
    return submission.submit(
        request,
        forms.LockForm(request.POST, auto_id="submit_%s"),
        lambda data: services.submit_for_decision(
            actor=request.user, plan_id=plan.pk, lock_version=data["lock_version"]
        ),
        done=_("Planen är lämnad till nämnden för beslut."),
        next_url=Plan.get_absolute_url,
        page_again=_detail_again(request, plan, "submit_form"),
    )


@login_required
@require_POST
def return_to_draft(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _own_plan(request, pk)
    return submission.submit(
        request,
        forms.LockForm(request.POST, auto_id="return_%s"),
        lambda data: services.return_to_draft(actor=request.user, plan_id=plan.pk, lock_version=data["lock_version"]),
        done=_("Planen är tillbaka som utkast."),
        next_url=Plan.get_absolute_url,
        page_again=_detail_again(request, plan, "return_form"),
    )


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _own_plan(request, pk)
    return submission.submit(
        request,
        forms.DecisionForm(request.POST),
        lambda data: services.record_decision(
            actor=request.user,
            plan_id=plan.pk,
            lock_version=data["lock_version"],
            decided_on=data["decided_on"],
            minute_reference=data["minute_reference"],
        ),
        done=_("Beslutet är registrerat. Planen är nu låst."),
        next_url=Plan.get_absolute_url,
        page_again=_detail_again(request, plan, "decision_form"),
    )


@login_required
@require_POST
def new_version(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _own_plan(request, pk)
    return submission.submit(
        request,
        forms.LockForm(request.POST, auto_id="newversion_%s"),
        lambda data: services.new_version(actor=request.user, plan_id=plan.pk, lock_version=data["lock_version"]),
        done=_("En ny version är skapad som utkast. Den beslutade versionen finns kvar i historiken."),
        next_url=Plan.get_absolute_url,
        page_again=_detail_again(request, plan, "new_version_form"),
    )


def _form_context(request: HttpRequest, plan: Plan, form: forms.PlanForm) -> dict[str, Any]:
    return {
        "plan": plan,
        "form": form,
        "editable": _is_editable(plan),
        "statistics": situation_statistics(plan.organisation, plan.year, end_year=plan.end_year, viewer=request.user),
    }


@login_required
@require_http_methods(GET_POST)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The title and the situation picture."""
    plan = _own_plan(request, pk)
    if request.method == "POST":
        return submission.submit(
            request,
            forms.PlanForm(request.POST),
            lambda data: services.update_plan(
                actor=request.user,
                plan_id=plan.pk,
                lock_version=data["lock_version"],
                title=data["title"],
                situation_analysis=data["situation_analysis"],
            ),
            done=_("Lägesbilden är sparad."),
            next_url=Plan.get_absolute_url,
            page_again=lambda form: render(request, "plans/plan_form.html", _form_context(request, plan, form)),
        )
    form = forms.PlanForm(
        initial={"lock_version": plan.lock_version, "title": plan.title, "situation_analysis": plan.situation_analysis}
    )
    return render(request, "plans/plan_form.html", _form_context(request, plan, form))
