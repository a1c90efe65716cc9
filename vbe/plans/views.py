"""Views of the plan cycle: plans and their measures, the workflow, follow-ups and roll-ups, the
coordinator's task list and duty self-report.

Plans hold no personal data, so reading one is not logged; every write goes through
``vbe.plans.services``, which logs it. A plan outside the user's scope answers 404; a reader who may
not change it gets 403. A refused write (locked plan, stale version, bad input) renders the page
again with the message and what the user typed, status 400.
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
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from vbe.accounts import permissions
from vbe.accounts.models import Role
from vbe.accounts.permissions import Action
from vbe.guidelines.models import CoordinatorDuty
from vbe.organisations.models import Organisation
from vbe.plans import forms, rollup, services, tasks
from vbe.plans.models import LOCKED_STATES, DutyReport, FollowUp, FollowUpStatus, Measure, Plan, PlanKind, PlanState
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


# --- Measures ------------------------------------------------------------------------------------


def _measure_page(request: HttpRequest, plan: Plan, measure: Measure | None) -> HttpResponse:
    if request.method == "POST":
        form = forms.MeasureForm(request.POST, plan=plan, measure=measure)
        if form.is_valid():
            try:
                saved = services.save_measure(
                    request=request,
                    plan_id=plan.pk,
                    actor=request.user,
                    lock_version=form.cleaned_data["lock_version"],
                    measure=measure,
                    **form.service_arguments(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Åtgärden {saved.title} är sparad.")
                return redirect(f"{plan.get_absolute_url()}#atgard-{saved.pk}")
        status = 400
    else:
        form = forms.MeasureForm(plan=plan, measure=measure, initial={"lock_version": plan.lock_version})
        status = 200
    return render(
        request,
        "plans/measure_form.html",
        {"plan": plan, "measure": measure, "form": form, "editable": _is_editable(plan)},
        status=status,
    )


@login_required
@require_http_methods(GET_POST)
def measure_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _measure_page(request, _own_plan(request, pk), None)


def _measure(plan: Plan, measure_pk: int) -> Measure:
    return get_object_or_404(
        Measure.objects.select_related("focus_area").prefetch_related("methods", "indicators"),
        pk=measure_pk,
        plan=plan,
    )


@login_required
@require_http_methods(GET_POST)
def measure_edit(request: HttpRequest, pk: int, measure_pk: int) -> HttpResponse:
    plan = _own_plan(request, pk)
    return _measure_page(request, plan, _measure(plan, measure_pk))


@login_required
@require_http_methods(GET_POST)
def measure_delete(request: HttpRequest, pk: int, measure_pk: int) -> HttpResponse:
    plan = _own_plan(request, pk)
    measure = _measure(plan, measure_pk)
    status = 200
    if request.method == "POST":
        form = forms.LockForm(request.POST)
        if form.is_valid():
            try:
                services.delete_measure(
                    request=request,
                    plan_id=plan.pk,
                    actor=request.user,
                    lock_version=form.cleaned_data["lock_version"],
                    measure_id=measure.pk,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Åtgärden {measure.title} är borttagen.")
                return redirect(plan.get_absolute_url())
        status = 400
    else:
        form = forms.LockForm(initial={"lock_version": plan.lock_version})
    return render(
        request,
        "plans/measure_delete.html",
        {"plan": plan, "measure": measure, "form": form, "editable": _is_editable(plan)},
        status=status,
    )


# --- Follow-up -----------------------------------------------------------------------------------


def _follow_up_plan(request: HttpRequest, pk: int, year: int) -> Plan:
    plan = _plan(request, pk)
    if not plan.covers(year) or year > _this_year():
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
    entries: list[forms.FollowUpEntryForm] | None = None,
    save_form: forms.LockForm | None = None,
    complete_form: forms.LockForm | None = None,
    status: int = 200,
) -> HttpResponse:
    initial = {"lock_version": plan.lock_version}
    if entries is None:
        entries = [forms.FollowUpEntryForm(measure=m, existing=next(iter(m.follow_ups.all()), None)) for m in measures]
    save_form = save_form or forms.LockForm(initial=initial, auto_id="save_%s")
    complete_form = complete_form or forms.LockForm(initial=initial, auto_id="complete_%s")
    errors = [{"text": e, "href": ""} for f in (save_form, complete_form) for e in f.non_field_errors()]
    for entry in entries:
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
            "page_title": f"Uppföljning {year}",
            "rollup_caption": f"Åtgärder per område och status {year}",
            "rows": [_follow_up_row(m, f) for m, f in zip(measures, entries, strict=True)],
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
        status=status,
    )


@login_required
@require_http_methods(GET_POST)
def follow_up(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """Every measure's follow-up for ``year``: read by the plan's readers, written by its coordinators."""
    plan = _follow_up_plan(request, pk, year)
    measures = _follow_up_measures(plan, year)
    if request.method != "POST":
        return _render_follow_up(request, plan, year, measures)
    permissions.require(request.user, Action.EDIT_PLAN, plan)
    save_form = forms.LockForm(request.POST, auto_id="save_%s")
    entries = [
        forms.FollowUpEntryForm(request.POST, measure=m, existing=next(iter(m.follow_ups.all()), None))
        for m in measures
    ]
    valid = save_form.is_valid() & all([entry.is_valid() for entry in entries])
    if valid:
        try:
            written = services.record_follow_ups(
                request=request,
                plan_id=plan.pk,
                actor=request.user,
                lock_version=save_form.cleaned_data["lock_version"],
                year=year,
                entries=[e for e in (entry.entry() for entry in entries) if e],
            )
        except ValidationError as exc:
            save_form.add_error(None, exc)
        else:
            messages.success(
                request, f"Uppföljningen är sparad ({written} {'åtgärd' if written == 1 else 'åtgärder'} ändrade)."
            )
            return redirect("plans:follow_up", pk=plan.pk, year=year)
    return _render_follow_up(request, plan, year, measures, entries=entries, save_form=save_form, status=400)


@login_required
@require_POST
def complete_follow_up(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    plan = _follow_up_plan(request, pk, year)
    permissions.require(request.user, Action.EDIT_PLAN, plan)
    form = forms.LockForm(request.POST, auto_id="complete_%s")
    if form.is_valid():
        try:
            services.complete_follow_up(
                request=request,
                plan_id=plan.pk,
                actor=request.user,
                lock_version=form.cleaned_data["lock_version"],
                year=year,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Uppföljningen för {year} är markerad som klar.")
            return redirect(plan.get_absolute_url())
    measures = _follow_up_measures(plan, year)
    return _render_follow_up(request, plan, year, measures, complete_form=form, status=400)


# --- Roll-up, tasks, duty report -----------------------------------------------------------------


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
            "page_title": f"Uppföljning {year} per område",
            "area_caption": f"Åtgärder per område och status {year}",
            "by_area": by_area,
            "by_plan": by_plan,
            "total": rollup.total_of(by_area),
            "status_headings": rollup.status_headings(),
            "city_wide": permissions.has_role(request.user, Role.CENTRAL_COORDINATOR),
            "previous_year": year - 1 if year - 1 >= FIRST_YEAR else None,
            "next_year": year + 1 if year + 1 <= _this_year() else None,
        },
    )


@login_required
@require_safe
def task_list(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, Action.LIST_PLANS)
    organisations = [
        o
        for o in Organisation.objects.filter(pk__in=permissions.org_ids_with(request.user, Role.COORDINATOR))
        if permissions.can(request.user, Action.REPORT_DUTIES, o)
    ]
    year = _this_year()
    return render(request, "plans/tasks.html", {"year": year, "entries": tasks.tasks_for(organisations, year)})


@login_required
@require_http_methods(GET_POST)
def duty_report(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """The coordinator's yearly self-report on the six duties."""
    organisation = get_object_or_404(Organisation, slug=slug)
    permissions.require(request.user, Action.REPORT_DUTIES, organisation)
    if not FIRST_YEAR <= year <= _this_year():
        raise Http404
    duties = list(CoordinatorDuty.objects.filter(guideline__is_current=True).order_by("number"))
    reports = {
        r.duty_id: r
        for r in DutyReport.objects.filter(organisation=organisation, year=year, duty__in=duties).select_related(
            "reported_by"
        )
    }
    stamp = services.duty_report_stamp(organisation, year)
    form = forms.DutyReportForm(
        request.POST if request.method == "POST" else None,
        duties=duties,
        reports=reports,
        initial={"version": stamp},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.report_duties(
                    request=request,
                    organisation=organisation,
                    year=year,
                    actor=request.user,
                    answers=form.answers(),
                    version=form.cleaned_data["version"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Självskattningen för {year} är sparad.")
                return redirect(reverse("plans:duty_report", args=[organisation.slug, year]))
        status = 400
    last = max(reports.values(), key=lambda r: r.reported_at, default=None)
    return render(
        request,
        "plans/duty_report.html",
        {"organisation": organisation, "year": year, "form": form, "last": last},
        status=status,
    )
