"""The coordinator's task list and yearly self-report on the coordinator duties."""

from __future__ import annotations

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from vbe.accounts import permissions
from vbe.accounts.models import Role
from vbe.accounts.permissions import Action
from vbe.core import submission
from vbe.guidelines.models import CoordinatorDuty
from vbe.organisations.models import Organisation
from vbe.plans import forms, self_report, tasks
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

    def page_again(form: django_forms.BaseForm) -> HttpResponse:
        last = max(reports.values(), key=lambda r: r.reported_at, default=None)
        context = {"organisation": organisation, "year": year, "form": form, "last": last}
        return render(request, "plans/duty_report.html", context)

    if request.method != "POST":
        initial = {"lock_version": self_report.current_lock_version(organisation, year)}
        return page_again(forms.DutyReportForm(duties=duties, reports=reports, initial=initial))
    form = forms.DutyReportForm(request.POST, duties=duties, reports=reports)
    return submission.submit(
        request,
        form,
        lambda data: self_report.report_duties(
            actor=request.user,
            organisation=organisation,
            year=year,
            lock_version=data["lock_version"],
            answers=form.answers(),
        ),
        done=_("Självskattningen för %(year)s är sparad.") % {"year": year},
        next_url=lambda _report: reverse("plans:duty_report", args=[organisation.slug, year]),
        page_again=page_again,
    )
