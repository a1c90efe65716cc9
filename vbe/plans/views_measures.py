"""A plan's measures: add, edit and delete (the services refuse a change outside a current draft)."""

from __future__ import annotations

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from vbe.core import submission
from vbe.plans import forms, services
from vbe.plans.models import Measure, Plan
from vbe.plans.views import GET_POST, _is_editable, _own_plan

# --- Measures ------------------------------------------------------------------------------------


def _measure_page(request: HttpRequest, plan: Plan, measure: Measure | None) -> HttpResponse:
    def page_again(form: django_forms.BaseForm) -> HttpResponse:
        context = {"plan": plan, "measure": measure, "form": form, "editable": _is_editable(plan)}
        return render(request, "plans/measure_form.html", context)

    if request.method != "POST":
        return page_again(forms.MeasureForm(plan=plan, measure=measure, initial={"lock_version": plan.lock_version}))
    form = forms.MeasureForm(request.POST, plan=plan, measure=measure)
    return submission.submit(
        request,
        form,
        lambda data: services.save_measure(
            actor=request.user,
            plan_id=plan.pk,
            lock_version=data["lock_version"],
            measure_id=measure.pk if measure is not None else None,
            **form.measure_fields(),
        ),
        done=lambda saved: _("Åtgärden %(measure)s är sparad.") % {"measure": saved.title},
        next_url=lambda saved: f"{plan.get_absolute_url()}#atgard-{saved.pk}",
        page_again=page_again,
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

    def page_again(form: django_forms.BaseForm) -> HttpResponse:
        context = {"plan": plan, "measure": measure, "form": form, "editable": _is_editable(plan)}
        return render(request, "plans/measure_delete.html", context)

    if request.method != "POST":
        return page_again(forms.LockForm(initial={"lock_version": plan.lock_version}))
    return submission.submit(
        request,
        forms.LockForm(request.POST),
        lambda data: services.delete_measure(
            actor=request.user, plan_id=plan.pk, lock_version=data["lock_version"], measure_id=measure.pk
        ),
        done=_("Åtgärden %(measure)s är borttagen.") % {"measure": measure.title},
        next_url=Plan.get_absolute_url,
        page_again=page_again,
    )
