"""Compliance, coverage, the status report and document downloads.

The compliance, coverage and status report pages are the central coordinator's (VIEW_COMPLIANCE,
MANAGE_STATUS_REPORT). A plan's documents follow VIEW_PLAN: outside the user's scope a plan is not
found (404), as on the plans' own pages.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from vbe.accounts import permissions
from vbe.accounts.permissions import Action
from vbe.accounts.reauth import reauth_redirect
from vbe.audit.log import record
from vbe.guidelines.duties import duties_for
from vbe.organisations.models import Organisation
from vbe.plans.models import Plan
from vbe.reports import compile, plan_document, services
from vbe.reports.compliance import (
    compliance_for,
    organisation_compliance,
    parse_year,
    plan_url,
    year_choices,
)
from vbe.reports.coverage import coverage_for
from vbe.reports.document import DocumentData
from vbe.reports.documents import docx, pdf, xlsx
from vbe.reports.forms import CreateStatusReportForm, NarrativeForm, StateForm
from vbe.reports.models import StatusReport
from vbe.reports.requirements import Requirement

PDF_CONTENT_TYPE = "application/pdf"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _year_in_range(year: int) -> int:
    if not services.FIRST_YEAR <= year <= services.LAST_YEAR:
        raise Http404("Året finns inte.")
    return year


def _download(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Length"] = str(len(content))
    return response


@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, Action.VIEW_COMPLIANCE)
    return render(request, "reports/index.html")


# --- Compliance and coverage -----------------------------------------------------------------


@login_required
@require_safe
def compliance(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, Action.VIEW_COMPLIANCE)
    year = parse_year(request.GET.get("ar"))
    overview = compliance_for(year)
    return render(
        request,
        "reports/compliance.html",
        {"overview": overview, "year": year, "years": year_choices(), "gap_counts": overview.gap_counts()},
    )


@login_required
@require_safe
def compliance_detail(request: HttpRequest, year: int, slug: str) -> HttpResponse:
    permissions.require(request.user, Action.VIEW_COMPLIANCE)
    _year_in_range(year)
    organisation = get_object_or_404(Organisation, slug=slug, is_active=True)
    detail = organisation_compliance(organisation, year)
    if not detail.row.cells:
        raise Http404("Riktlinjerna ställer inga krav på organisationen.")
    for plan in detail.plans:  # the cells hold these same objects
        plan.page_url = plan_url(plan)
    report = (
        StatusReport.objects.filter(year=year).first()
        if detail.row.cell(Requirement.STATUS_REPORT) is not None
        else None
    )
    context = {
        "detail": detail,
        "organisation": organisation,
        "year": year,
        "status_report": report,
        "duties": duties_for(organisation, year),
        "requirement": {r.name: r.value for r in Requirement},  # an Enum class would be called by the template
    }
    return render(request, "reports/compliance_detail.html", context)


@login_required
@require_safe
def compliance_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    permissions.require(request.user, Action.VIEW_COMPLIANCE)
    if response := reauth_redirect(request, back=f"{reverse('reports:compliance')}?ar={year}"):
        return response
    content = xlsx.compliance_xlsx(compliance_for(_year_in_range(year)))
    record(action="compliance_exported", request=request, object_type="reports.compliance", object_id=str(year))
    return _download(content, content_type=xlsx.XLSX_CONTENT_TYPE, filename=f"efterlevnad-{year}.xlsx")


@login_required
@require_safe
def coverage(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, Action.VIEW_COMPLIANCE)
    year = parse_year(request.GET.get("ar"))
    matrix = coverage_for(year)
    return render(
        request,
        "reports/coverage.html",
        {"coverage": matrix, "year": year, "years": year_choices(), "missing_by_area": matrix.missing_by_area()},
    )


@login_required
@require_safe
def coverage_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    permissions.require(request.user, Action.VIEW_COMPLIANCE)
    if response := reauth_redirect(request, back=f"{reverse('reports:coverage')}?ar={year}"):
        return response
    content = xlsx.coverage_xlsx(coverage_for(_year_in_range(year)))
    record(action="coverage_exported", request=request, object_type="reports.coverage", object_id=str(year))
    return _download(content, content_type=xlsx.XLSX_CONTENT_TYPE, filename=f"tackning-{year}.xlsx")


# --- The status report -------------------------------------------------------------------------


def _next_odd_year() -> int:
    from django.utils import timezone

    year = timezone.localdate().year
    return year if year % 2 else year + 1


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def status_report_list(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, Action.MANAGE_STATUS_REPORT)
    if request.method == "POST":
        form = CreateStatusReportForm(request.POST)
        if form.is_valid():
            try:
                report = services.create_draft(request=request, year=form.cleaned_data["year"], actor=request.user)
            except ValidationError as exc:
                form.add_error("year", exc)
            else:
                messages.success(request, f"Ett utkast till nulägesrapport {report.year} är skapat.")
                return redirect(report)
    else:
        form = CreateStatusReportForm(initial={"year": _next_odd_year()})
    reports = StatusReport.objects.select_related("updated_by")
    return render(request, "reports/status_report_list.html", {"form": form, "reports": reports})


def _report(year: int) -> StatusReport:
    return get_object_or_404(StatusReport.objects.select_related("updated_by"), year=_year_in_range(year))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def status_report(request: HttpRequest, year: int) -> HttpResponse:
    permissions.require(request.user, Action.MANAGE_STATUS_REPORT)
    report = _report(year)
    if request.method == "POST":
        form = NarrativeForm(request.POST)
        if form.is_valid():
            try:
                services.update_narrative(
                    request=request,
                    year=year,
                    actor=request.user,
                    lock_version=form.cleaned_data["lock_version"],
                    sections=form.sections(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Texterna är sparade.")
                return redirect(report)
    else:
        form = NarrativeForm(initial={"lock_version": report.lock_version, **{n: t for n, _h, t in report.sections()}})
    document = compile.status_report_document(compile.status_report_data(year, status_report=report), report)
    context = {
        "report": report,
        "form": form,
        "document": document,
        "state_form": StateForm(initial={"lock_version": report.lock_version}, prefix="state"),
    }
    return render(request, "reports/status_report.html", context)


@login_required
@require_POST
def status_report_state(request: HttpRequest, year: int) -> HttpResponse:
    """Finalise the report, or open a final one again as a draft."""
    permissions.require(request.user, Action.MANAGE_STATUS_REPORT)
    report = _report(year)
    form = StateForm(request.POST, prefix="state")
    if not form.is_valid():
        messages.error(request, "Det gick inte att ändra rapportens status. Ladda om sidan och försök igen.")
        return redirect(report)
    change: Callable = services.finalise if form.cleaned_data["to"] == "final" else services.reopen
    try:
        change(request=request, year=year, actor=request.user, lock_version=form.cleaned_data["lock_version"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        done = "färdigställd" if form.cleaned_data["to"] == "final" else "öppnad som utkast igen"
        messages.success(request, f"Nulägesrapport {year} är {done}.")
    return redirect(report)


def _status_report_file(request: HttpRequest, year: int, kind: str) -> HttpResponse:
    permissions.require(request.user, Action.MANAGE_STATUS_REPORT)
    report = _report(year)
    if response := reauth_redirect(request, back=reverse("reports:status_report", args=[year])):
        return response
    document = compile.status_report_document(compile.status_report_data(year, status_report=report), report)
    record(action="status_report_exported", request=request, obj=report, detail=kind)
    return _document_response(document, kind, template="reports/status_report_document.html")


def _document_response(document: DocumentData, kind: str, *, template: str) -> HttpResponse:
    if kind == "pdf":
        content = pdf.build_pdf(document, template)
        return _download(content, content_type=PDF_CONTENT_TYPE, filename=f"{document.filename}.pdf")
    content = docx.build_docx(document)
    return _download(content, content_type=DOCX_CONTENT_TYPE, filename=f"{document.filename}.docx")


@login_required
@require_safe
def status_report_pdf(request: HttpRequest, year: int) -> HttpResponse:
    return _status_report_file(request, year, "pdf")


@login_required
@require_safe
def status_report_docx(request: HttpRequest, year: int) -> HttpResponse:
    return _status_report_file(request, year, "docx")


# --- A plan as a document -----------------------------------------------------------------------


def _visible_plan(request: HttpRequest, pk: int) -> Plan:
    plan = get_object_or_404(
        permissions.plans_visible_to(request.user, Plan.objects.select_related("organisation")), pk=pk
    )
    permissions.require(request.user, Action.VIEW_PLAN, plan)
    return plan


def _plan_file(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    plan = _visible_plan(request, pk)
    if response := reauth_redirect(request, back=reverse("plans:detail", args=[plan.pk])):
        return response
    document = plan_document.plan_document_data(plan)
    record(action="plan_exported", request=request, obj=plan, detail=kind)
    return _document_response(document, kind, template="reports/plan_document.html")


@login_required
@require_safe
def plan_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_file(request, pk, "pdf")


@login_required
@require_safe
def plan_docx(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_file(request, pk, "docx")
