"""Views of the plan cycle: plans and their measures, the workflow, follow-ups and roll-ups, the
coordinator's task list and duty self-report.

Plans hold no personal data, so reading one is not logged; every write goes through
``vbe.plans.services``, which logs it. A plan outside the user's scope answers 404; a reader who may
not change it gets 403. A refused write (locked plan, stale version, bad input) renders the page
again with the message and what the user typed, status 400.

The measures, the follow-ups with their roll-up, and the task list with the duty self-report are
in the sibling modules ``views_measures``, ``views_follow_up`` and ``views_duties``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Prefetch, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from vbe.accounts import permissions
from vbe.accounts.models import Role
from vbe.accounts.permissions import Action
from vbe.organisations.models import Organisation
from vbe.plans import forms, rollup, services, tasks
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
    kinds = {services.kind_for(o) for o in organisations}
    years = [y for y in range(this_year - 1, this_year + 3) if kinds != {PlanKind.BOARD} or y % 2 == 0]
    if request.method == "POST":
        form = forms.CreatePlanForm(request.POST, organisations=organisations, years=years)
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = services.create_plan(
                    request=request,
                    organisation=data["organisation"],
                    year=data["year"],
                    actor=request.user,
                    title=data["title"].strip(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Planen är skapad. Skriv lägesbilden och lägg till åtgärderna.")
                return redirect(plan.get_absolute_url())
        return render(request, "plans/create.html", {"form": form, "organisations": organisations}, status=400)
    chosen = next((o for o in organisations if str(o.pk) == request.GET.get("organisation")), None)
    chosen = chosen or (organisations[0] if organisations else None)
    year = request.GET.get("ar", "")
    initial = {
        "organisation": chosen,
        "year": int(year) if year.isdigit() and int(year) in years else None,
    }
    if chosen and initial["year"] is None:
        initial["year"] = tasks.default_plan_year(chosen, this_year)
    form = forms.CreatePlanForm(initial=initial, organisations=organisations, years=years)
    return render(request, "plans/create.html", {"form": form, "organisations": organisations})


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
    return [y for y in range(plan.year, plan.end_year + 1) if y <= _this_year()]


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
            missing.append("lägesbilden")
        if not measures:
            missing.append("minst en åtgärd")
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
                "caption": f"Åtgärder per område och status {y}",
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


def _workflow(
    request: HttpRequest,
    pk: int,
    *,
    form_name: str,
    make_form: Callable[[], Any],
    call: Callable[[Plan, dict], Plan],
    done: str,
) -> HttpResponse:
    """Shared shape of the workflow POSTs: access check → form → service → redirect, or the plan page
    again with the message, status 400."""
    plan = _own_plan(request, pk)
    form = make_form()
    if form.is_valid():
        try:
            result = call(plan, form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, done)
            return redirect(result.get_absolute_url())
    return render(request, "plans/detail.html", _detail_context(request, plan, **{form_name: form}), status=400)


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _workflow(
        request,
        pk,
        form_name="submit_form",
        make_form=lambda: forms.LockForm(request.POST, auto_id="submit_%s"),
        call=lambda plan, d: services.submit_for_decision(
            request=request, plan_id=plan.pk, actor=request.user, lock_version=d["lock_version"]
        ),
        done="Planen är lämnad till nämnden för beslut.",
    )


@login_required
@require_POST
def return_to_draft(request: HttpRequest, pk: int) -> HttpResponse:
    return _workflow(
        request,
        pk,
        form_name="return_form",
        make_form=lambda: forms.LockForm(request.POST, auto_id="return_%s"),
        call=lambda plan, d: services.return_to_draft(
            request=request, plan_id=plan.pk, actor=request.user, lock_version=d["lock_version"]
        ),
        done="Planen är tillbaka som utkast.",
    )


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    return _workflow(
        request,
        pk,
        form_name="decision_form",
        make_form=lambda: forms.DecisionForm(request.POST),
        call=lambda plan, d: services.record_decision(
            request=request,
            plan_id=plan.pk,
            actor=request.user,
            lock_version=d["lock_version"],
            decided_on=d["decided_on"],
            minute_reference=d["minute_reference"],
        ),
        done="Beslutet är registrerat. Planen är nu låst.",
    )


@login_required
@require_POST
def new_version(request: HttpRequest, pk: int) -> HttpResponse:
    return _workflow(
        request,
        pk,
        form_name="new_version_form",
        make_form=lambda: forms.LockForm(request.POST, auto_id="newversion_%s"),
        call=lambda plan, d: services.new_version(
            request=request, plan_id=plan.pk, actor=request.user, lock_version=d["lock_version"]
        ),
        done="En ny version är skapad som utkast. Den beslutade versionen finns kvar i historiken.",
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
        form = forms.PlanForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_plan(
                    request=request,
                    plan_id=plan.pk,
                    actor=request.user,
                    lock_version=data["lock_version"],
                    title=data["title"],
                    situation_analysis=data["situation_analysis"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Lägesbilden är sparad.")
                return redirect(plan.get_absolute_url())
        return render(request, "plans/plan_form.html", _form_context(request, plan, form), status=400)
    form = forms.PlanForm(
        initial={"lock_version": plan.lock_version, "title": plan.title, "situation_analysis": plan.situation_analysis}
    )
    return render(request, "plans/plan_form.html", _form_context(request, plan, form))
