"""The coordinator's task list and yearly self-report on the coordinator duties."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from vbe.accounts import permissions
from vbe.accounts.models import Role
from vbe.accounts.permissions import Action
from vbe.guidelines.models import CoordinatorDuty
from vbe.organisations.models import Organisation
from vbe.plans import forms, services, tasks
from vbe.plans.models import DutyReport
from vbe.plans.views import FIRST_YEAR, GET_POST, _this_year

# --- Tasks, duty report --------------------------------------------------------------------------


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
