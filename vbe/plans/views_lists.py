"""The yearly measures list of an organisation responsible for focus areas without a plan duty.

Read like a plan (VIEW_PLAN: its coordinators, the central coordinator, and the board's readers once
it is reported), written like one (EDIT_PLAN: its coordinators). Outside that scope, or for an
organisation that keeps no such list, the answer is 404; a reader who may not write gets 403 on the
write pages. Writes go through ``vbe.plans.measure_lists`` by ``vbe.core.submission.submit``.
"""

from __future__ import annotations

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from vbe.accounts import permissions
from vbe.accounts.permissions import Action
from vbe.core import submission
from vbe.core.form_fields import LockForm
from vbe.organisations.models import Organisation
from vbe.plans import measure_lists
from vbe.plans.forms_lists import ListedMeasureForm
from vbe.plans.models import ListedMeasure, MeasureList
from vbe.plans.views import FIRST_YEAR, GET_POST, _this_year


def _list(request: HttpRequest, slug: str, year: int) -> MeasureList:
    """The organisation's list for ``year`` (unsaved if nothing is written yet) when the user may read it."""
    organisation = get_object_or_404(Organisation, slug=slug, is_active=True)
    if not FIRST_YEAR <= year <= _this_year() + 1:
        raise Http404
    found = (
        MeasureList.objects.filter(organisation=organisation, year=year).select_related("reported_by").first()
    ) or MeasureList(organisation=organisation, year=year)
    found.organisation = organisation
    if not permissions.can(request.user, Action.VIEW_PLAN, found) or not measure_lists.keeps_measure_list(organisation):
        raise Http404
    return found


def _own_list(request: HttpRequest, slug: str, year: int) -> MeasureList:
    measure_list = _list(request, slug, year)
    permissions.require(request.user, Action.EDIT_PLAN, measure_list)
    return measure_list


def _editable(request: HttpRequest, measure_list: MeasureList) -> bool:
    return measure_list.year in measure_lists.writable_years() and permissions.can(
        request.user, Action.EDIT_PLAN, measure_list
    )


def _list_page(request: HttpRequest, measure_list: MeasureList, form: django_forms.BaseForm) -> HttpResponse:
    measures = (
        list(measure_list.measures.select_related("focus_area", "method").order_by("focus_area__number", "title", "pk"))
        if measure_list.pk
        else []
    )
    areas = measure_lists.responsible_areas(measure_list.organisation)
    covered = {m.focus_area_id for m in measures if m.status != "cancelled"}
    context = {
        "measure_list": measure_list,
        "organisation": measure_list.organisation,
        "year": measure_list.year,
        "measures": measures,
        "areas": [(area, area.pk in covered) for area in areas],
        "editable": _editable(request, measure_list),
        "form": form,
    }
    return render(request, "plans/measure_list.html", context)


@login_required
@require_http_methods(["GET", "HEAD"])
def measure_list(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    found = _list(request, slug, year)
    return _list_page(request, found, LockForm(initial={"lock_version": found.lock_version}))


@login_required
@require_POST
def measure_list_report(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    found = _own_list(request, slug, year)
    return submission.submit(
        request,
        LockForm(request.POST),
        lambda data: measure_lists.report_measure_list(
            actor=request.user, organisation=found.organisation, year=year, lock_version=data["lock_version"]
        ),
        done=_("Åtgärdslistan för %(year)s är rapporterad.") % {"year": year},
        next_url=MeasureList.get_absolute_url,
        page_again=lambda form: _list_page(request, found, form),
    )


def _measure_page(request: HttpRequest, found: MeasureList, measure: ListedMeasure | None) -> HttpResponse:
    areas = measure_lists.responsible_areas(found.organisation)

    def page_again(form: django_forms.BaseForm) -> HttpResponse:
        context = {
            "measure_list": found,
            "organisation": found.organisation,
            "year": found.year,
            "measure": measure,
            "form": form,
            "editable": found.year in measure_lists.writable_years(),
        }
        return render(request, "plans/measure_list_form.html", context)

    if request.method != "POST":
        return page_again(ListedMeasureForm(areas=areas, measure=measure, initial={"lock_version": found.lock_version}))
    form = ListedMeasureForm(request.POST, areas=areas, measure=measure)
    return submission.submit(
        request,
        form,
        lambda data: measure_lists.save_listed_measure(
            actor=request.user,
            organisation=found.organisation,
            year=found.year,
            lock_version=data["lock_version"],
            measure_id=measure.pk if measure is not None else None,
            **form.measure_fields(),
        ),
        done=lambda saved: _("Åtgärden %(measure)s är sparad.") % {"measure": saved.title},
        next_url=lambda saved: f"{found.get_absolute_url()}#atgard-{saved.pk}",
        page_again=page_again,
    )


@login_required
@require_http_methods(GET_POST)
def measure_list_add(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    return _measure_page(request, _own_list(request, slug, year), None)


@login_required
@require_http_methods(GET_POST)
def measure_list_edit(request: HttpRequest, slug: str, year: int, measure_pk: int) -> HttpResponse:
    found = _own_list(request, slug, year)
    if not found.pk:
        raise Http404
    measure = get_object_or_404(
        ListedMeasure.objects.select_related("focus_area", "method"), pk=measure_pk, measure_list=found
    )
    return _measure_page(request, found, measure)
