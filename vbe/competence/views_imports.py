"""Pages of the imports: upload, column mapping, and an import's status with its errors.

Who: the organisation's coordinators and unit managers and the central coordinator
(MANAGE_ORGANISATION_TRAINING). A unit manager sees their own imports only, and may import rows for
their own units only (checked per row). Another user's import answers 404. The work of checking and
importing runs as a background job; these pages send to its progress page (``jobs:progress``).

The mapping and status pages show values from the file (names, e-mail addresses): each showing is one
access-log row, as every page of the register that shows people's records.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from vbe.accounts import permissions
from vbe.accounts.permissions import Action
from vbe.audit.log import record
from vbe.competence import forms_imports, import_files, imports
from vbe.competence.models import CompletionImport, ImportState
from vbe.core import submission
from vbe.organisations.models import Organisation

GET_POST = ["GET", "HEAD", "POST"]
LIST_LENGTH = 20
SAMPLE_ROWS = 3  # rows looked through for one example value per column


def _organisation(request: HttpRequest, slug: str) -> Organisation:
    organisation = get_object_or_404(Organisation, slug=slug)
    permissions.require(request.user, Action.MANAGE_ORGANISATION_TRAINING, organisation)
    return organisation


def _import(request: HttpRequest, organisation: Organisation, pk: int) -> CompletionImport:
    imp = (
        imports.visible_imports(request.user, organisation)
        .select_related("organisation", "uploaded_by", "job")
        .filter(pk=pk)
        .first()
    )
    if imp is None:
        raise Http404
    return imp


def _viewed(request: HttpRequest, imp: CompletionImport, page: str) -> None:
    record(
        action="training_import_viewed",
        actor=request.user,
        obj=imp,
        organisation_id=imp.organisation_id,
        detail=f"page={page} kind={imp.kind} state={imp.state}",
    )


def _progress_url(job: object) -> str:
    return reverse("jobs:progress", kwargs={"pk": job.pk})


@login_required
@require_http_methods(GET_POST)
def import_start(request: HttpRequest, organisation: str) -> HttpResponse:
    org = _organisation(request, organisation)
    form = (
        forms_imports.UploadForm(request.POST, request.FILES)
        if request.method == "POST"
        else forms_imports.UploadForm()
    )

    def page(bound: forms_imports.UploadForm) -> HttpResponse:
        earlier = imports.visible_imports(request.user, org).select_related("uploaded_by")[:LIST_LENGTH]
        return render(
            request,
            "competence/imports/start.html",
            {
                "organisation": org,
                "form": bound,
                "imports": earlier,
                "max_rows": f"{import_files.MAX_ROWS:,}".replace(",", "\u00a0"),
            },
        )

    return submission.submit(
        request,
        form,
        lambda data: imports.upload(
            actor=request.user, organisation=org, kind=data["kind"], year=data.get("year"), file=data["file"]
        ),
        done=None,
        next_url=lambda imp: reverse("competence:import_mapping", kwargs={"organisation": org.slug, "pk": imp.pk}),
        page_again=page,
    )


@login_required
@require_http_methods(GET_POST)
def import_mapping(request: HttpRequest, organisation: str, pk: int) -> HttpResponse:
    org = _organisation(request, organisation)
    imp = _import(request, org, pk)
    if imp.state == ImportState.DONE or imports.file_removed(imp):
        return redirect(imports.status_url(imp))  # nothing to map: its page says why
    initial = {"lock_version": imp.lock_version, **{name: str(column) for name, column in imp.mapping.items()}}
    form = forms_imports.MappingForm(
        request.POST if request.method == "POST" else None, kind=imp.kind, headers=imp.headers, initial=initial
    )

    def page(bound: forms_imports.MappingForm) -> HttpResponse:
        _viewed(request, imp, "mapping")
        labels = import_files.header_labels(imp.headers)
        return render(
            request,
            "competence/imports/mapping.html",
            {
                "organisation": org,
                "imp": imp,
                "form": bound,
                "columns": list(zip(labels, imports.examples(imp, SAMPLE_ROWS), strict=True)),
            },
        )

    return submission.submit(
        request,
        form,
        lambda data: imports.save_mapping(
            actor=request.user, import_id=imp.pk, lock_version=data["lock_version"], mapping=form.mapping()
        ),
        done=None,
        next_url=_progress_url,
        page_again=page,
    )


@login_required
@require_http_methods(GET_POST)
def import_status(request: HttpRequest, organisation: str, pk: int) -> HttpResponse:
    org = _organisation(request, organisation)
    imp = _import(request, org, pk)
    form = forms_imports.StartImportForm(
        request.POST if request.method == "POST" else None, initial={"lock_version": imp.lock_version}
    )

    def page(bound: forms_imports.StartImportForm) -> HttpResponse:
        _viewed(request, imp, "status")
        labels, rows = imports.preview(imp) if imp.mapping else ([], [])
        job = imp.job if imp.job and not imp.job.is_finished else None
        return render(
            request,
            "competence/imports/status.html",
            {
                "organisation": org,
                "imp": imp,
                "form": bound,
                "labels": labels,
                "rows": rows,
                "running_job": job,
                "errors_not_shown": max(0, imp.error_count - len(imp.errors)),
                "file_removed": imports.file_removed(imp) and imp.state != ImportState.DONE,
                "can_map": not imports.file_removed(imp)
                and imp.state in (ImportState.UPLOADED, ImportState.READY, ImportState.REJECTED, ImportState.FAILED),
            },
        )

    return submission.submit(
        request,
        form,
        lambda data: imports.request_import(actor=request.user, import_id=imp.pk, lock_version=data["lock_version"]),
        done=None,
        next_url=_progress_url,
        page_again=page,
    )


urlpatterns = [
    path("<slug:organisation>/import/", import_start, name="import_start"),
    path("<slug:organisation>/import/<id:pk>/kolumner/", import_mapping, name="import_mapping"),
    path("<slug:organisation>/import/<id:pk>/", import_status, name="import_status"),
]
