"""Compliance, coverage, the status report and document downloads.

The compliance, coverage and status report pages are the central coordinator's (VIEW_COMPLIANCE,
MANAGE_STATUS_REPORT). A board reader reads the final status reports (READ_STATUS_REPORT): the same
pages without forms, and a draft is not found (404). A plan's documents follow VIEW_PLAN: outside the user's scope a plan is not
found (404), as on the plans' own pages.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from vbe.accounts import permissions
from vbe.accounts.permissions import Action
from vbe.accounts.reauth import reauth_redirect
from vbe.audit.log import record
from vbe.core import submission
from vbe.guidelines.duties import duties_for
from vbe.organisations.models import Organisation
from vbe.plans.models import Plan
from vbe.reports import plan_document, services
from vbe.reports.compliance import (
    compliance_for,
    organisation_compliance,
    parse_year,
    plan_url,
    year_choices,
)
from vbe.reports.coverage import coverage_for
from vbe.reports.cycle import status_report_cycle
from vbe.reports.document import DocumentData
from vbe.reports.documents import docx, pdf, xlsx
from vbe.reports.forms import CreateStatusReportForm, NarrativeForm, StateForm
from vbe.reports.models import StatusReport, StatusReportState
from vbe.reports.requirements import Requirement
from vbe.reports.training import report_day, training_lines

PDF_CONTENT_TYPE = "application/pdf"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _this_year() -> int:
    return timezone.localdate().year


def _year_in_range(year: int) -> int:
    if not services.FIRST_YEAR <= year <= services.LAST_YEAR:
        raise Http404(_("Året finns inte."))
    return year


def _download(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Length"] = str(len(content))
    return response


@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    if permissions.can(request.user, Action.VIEW_COMPLIANCE):
        return render(request, "reports/index.html", {"manages": True})
    # A board reader: the board's decided plans and follow-ups, and the city's final status reports.
    # Compliance and coverage of the whole city stay the central coordinator's: they judge every
    # organisation, and the board's own duties are on its start page.
    permissions.require(request.user, Action.READ_STATUS_REPORT)
    context = {"manages": False, "final_reports": StatusReport.objects.filter(state=StatusReportState.FINAL)}
    return render(request, "reports/index.html", context)


# --- Compliance and coverage -----------------------------------------------------------------


@login_required
@require_safe
def compliance(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, Action.VIEW_COMPLIANCE)
    year = parse_year(request.GET.get("ar"))
    overview = compliance_for(year)
    training_on = report_day(year, timezone.localdate())
    return render(
        request,
        "reports/compliance.html",
        {
            "overview": overview,
            "year": year,
            "years": year_choices(),
            "gap_counts": overview.gap_counts(),
            "training_on": training_on,
            "training_lines": training_lines(overview, on=training_on),
        },
    )


@login_required
@require_safe
def compliance_detail(request: HttpRequest, year: int, slug: str) -> HttpResponse:
    permissions.require(request.user, Action.VIEW_COMPLIANCE)
    _year_in_range(year)
    organisation = get_object_or_404(Organisation, slug=slug, is_active=True)
    detail = organisation_compliance(organisation, year)
    if not detail.row.cells:
        raise Http404(_("Riktlinjerna ställer inga krav på organisationen."))
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
    record(action="compliance_exported", actor=request.user, object_type="reports.compliance", object_id=str(year))
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
    record(action="coverage_exported", actor=request.user, object_type="reports.coverage", object_id=str(year))
    return _download(content, content_type=xlsx.XLSX_CONTENT_TYPE, filename=f"tackning-{year}.xlsx")


# --- The status report -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def status_report_list(request: HttpRequest) -> HttpResponse:
    if not permissions.can(request.user, Action.MANAGE_STATUS_REPORT):
        return _reading_list(request)
    cycle = status_report_cycle()

    def page_again(form: forms.BaseForm) -> HttpResponse:
        reports = StatusReport.objects.select_related("updated_by")
        context = {"form": form, "reports": reports, "rule": cycle.rule}
        return render(request, "reports/status_report_list.html", context)

    if request.method != "POST":
        return page_again(CreateStatusReportForm(initial={"year": cycle.next_year(_this_year())}, cycle=cycle))
    return submission.submit(
        request,
        CreateStatusReportForm(request.POST, cycle=cycle),
        lambda data: services.create_draft(actor=request.user, year=data["year"]),
        done=lambda report: _("Ett utkast till nulägesrapport %(year)s är skapat.") % {"year": report.year},
        next_url=StatusReport.get_absolute_url,
        page_again=page_again,
    )


def _reading_list(request: HttpRequest) -> HttpResponse:
    """The final reports, to read: no form, no drafts."""
    if request.method == "POST":
        permissions.require(request.user, Action.MANAGE_STATUS_REPORT)
    permissions.require(request.user, Action.READ_STATUS_REPORT)
    reports = StatusReport.objects.filter(state=StatusReportState.FINAL).select_related("updated_by")
    return render(request, "reports/status_report_list.html", {"form": None, "reports": reports})


def _report(year: int) -> StatusReport:
    return get_object_or_404(StatusReport.objects.select_related("updated_by"), year=_year_in_range(year))


def _readable_report(request: HttpRequest, year: int) -> StatusReport:
    """The report for a reader who does not manage it: a draft is not found, as if it did not exist."""
    permissions.require(request.user, Action.READ_STATUS_REPORT)
    report = _report(year)
    if not permissions.can(request.user, Action.READ_STATUS_REPORT, report):
        raise Http404(_("Rapporten finns inte."))
    return report


def _reading(report: StatusReport) -> DocumentData:
    """What the report shows, on its page and in its files alike: a final report as it was decided (the
    stored document), a draft compiled from the portal's data now."""
    if not report.is_final:
        return services.compiled_document(report)
    document = services.frozen_document(report)
    if document is None:  # opened as a draft again a moment ago: no longer a decided report to show
        raise Http404(_("Rapporten finns inte."))
    return document


def _status_report_page(
    request: HttpRequest,
    report: StatusReport,
    *,
    form: forms.BaseForm | None = None,
    state_form: forms.BaseForm | None = None,
) -> HttpResponse:
    """The report's page: its texts' form (``form``), the state buttons (``state_form``) and the compiled draft.
    A reader who does not manage the report gets the page without forms."""
    initial = {"lock_version": report.lock_version}
    document = _reading(report)
    manages = permissions.can(request.user, Action.MANAGE_STATUS_REPORT)
    context = {"report": report, "document": document, "manages": manages, "form": None, "state_form": None}
    if manages:
        context["form"] = (
            NarrativeForm(initial={**initial, **{n: t for n, _h, t in report.sections()}}) if form is None else form
        )
        context["state_form"] = StateForm(initial=initial, prefix="state") if state_form is None else state_form
    return render(request, "reports/status_report.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def status_report(request: HttpRequest, year: int) -> HttpResponse:
    if request.method != "POST" and not permissions.can(request.user, Action.MANAGE_STATUS_REPORT):
        return _status_report_page(request, _readable_report(request, year))
    permissions.require(request.user, Action.MANAGE_STATUS_REPORT)
    report = _report(year)
    if request.method != "POST":
        return _status_report_page(request, report)
    form = NarrativeForm(request.POST)
    return submission.submit(
        request,
        form,
        lambda data: services.update_narrative(
            actor=request.user, year=year, lock_version=data["lock_version"], sections=form.sections()
        ),
        done=_("Texterna är sparade."),
        next_url=StatusReport.get_absolute_url,
        page_again=lambda bound: _status_report_page(request, report, form=bound),
    )


@login_required
@require_POST
def status_report_state(request: HttpRequest, year: int) -> HttpResponse:
    """Finalise the report, or open a final one again as a draft."""
    permissions.require(request.user, Action.MANAGE_STATUS_REPORT)
    report = _report(year)

    def change(data: dict[str, object]) -> StatusReport:
        service = services.finalise if data["to"] == "final" else services.reopen
        return service(actor=request.user, year=year, lock_version=data["lock_version"])

    return submission.submit(
        request,
        StateForm(request.POST, prefix="state"),
        change,
        done=lambda changed: (
            (
                _("Nulägesrapport %(year)s är färdigställd.")
                if changed.is_final
                else _("Nulägesrapport %(year)s är öppnad som utkast igen.")
            )
            % {"year": year}
        ),
        next_url=StatusReport.get_absolute_url,
        page_again=lambda bound: _status_report_page(request, report, state_form=bound),
    )


def _status_report_file(request: HttpRequest, year: int, kind: str) -> HttpResponse:
    if permissions.can(request.user, Action.MANAGE_STATUS_REPORT):
        report = _report(year)
    else:
        report = _readable_report(request, year)
    if response := reauth_redirect(request, back=reverse("reports:status_report", args=[year])):
        return response
    document = _reading(report)
    record(action="status_report_exported", actor=request.user, obj=report, detail=kind)
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
    record(action="plan_exported", actor=request.user, obj=plan, detail=kind)
    return _document_response(document, kind, template="reports/plan_document.html")


@login_required
@require_safe
def plan_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_file(request, pk, "pdf")


@login_required
@require_safe
def plan_docx(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_file(request, pk, "docx")
