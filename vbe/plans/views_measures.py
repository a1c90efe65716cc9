"""A plan's measures: add, edit and delete (the services refuse a change outside a current draft)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from vbe.plans import forms, services
from vbe.plans.models import Measure, Plan
from vbe.plans.views import GET_POST, _is_editable, _own_plan

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
