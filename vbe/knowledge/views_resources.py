"""/stod/<id>/: one support resource, its forms, its history and the differences between two versions.

Everyone signed in reads an active resource; the keepers of its owner (the owner's coordinators and the
central coordinator) write it, archive and restore it. An archived resource is found by its keepers
only: to anyone else it does not exist (404). The list and search of resources at /stod/ are their own
page (``knowledge:index``).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from vbe.accounts import permissions
from vbe.accounts.models import Role
from vbe.accounts.permissions import Action, require
from vbe.core import submission
from vbe.guidelines.models import FocusArea, Method
from vbe.knowledge import access, markdown, resources
from vbe.knowledge.forms_resources import ActiveForm, CompareForm, ResourceForm
from vbe.knowledge.models import Resource, ResourceVersion

GET_POST = ["GET", "HEAD", "POST"]
HISTORY_PAGE = 50  # versions per page of the history, newest first; older ones by number, no OFFSET


def _resources() -> QuerySet[Resource]:
    return Resource.objects.select_related("owner", "responsible").prefetch_related(
        "audience_groups",
        Prefetch("focus_areas", queryset=FocusArea.objects.order_by("number")),
        Prefetch(
            "methods", queryset=Method.objects.select_related("focus_area").order_by("focus_area__number", "name")
        ),
    )


def _roles_text(values: list[str]) -> list[str]:
    labels = dict(Role.choices)
    return [str(labels[v]) for v in values if v in labels]


def _detail_context(resource: Resource, can_manage: bool, active_form: django_forms.BaseForm | None = None) -> dict:
    return {
        "resource": resource,
        "can_manage": can_manage,
        "body_html": markdown.render(resource.body),
        "audience_roles": _roles_text(resource.audience_roles),
        "active_form": active_form or ActiveForm(initial={"lock_version": resource.lock_version}),
    }


@login_required
@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    resource, can_manage = access.readable(request, pk, _resources())
    return render(request, "knowledge/resource_detail.html", _detail_context(resource, can_manage))


@login_required
@require_safe
def by_key(request: HttpRequest, key: str) -> HttpResponse:
    """The stable address other pages link to (the concern routine, the PDV routine): it survives a
    change of title."""
    require(request.user, Action.VIEW_SUPPORT)
    pk = Resource.objects.filter(key=key).exclude(key="").values_list("pk", flat=True).first()
    if pk is None:
        raise Http404
    resource, _can_manage = access.readable(request, pk)
    return redirect(resource)


def _form_page(request: HttpRequest, resource: Resource | None) -> HttpResponse:
    def page_again(form: django_forms.BaseForm) -> HttpResponse:
        return render(request, "knowledge/resource_form.html", {"resource": resource, "form": form})

    if request.method != "POST":
        return page_again(ResourceForm(actor=request.user, resource=resource, initial={"lock_version": 0}))
    form = ResourceForm(request.POST, actor=request.user, resource=resource)

    def save(data: dict) -> tuple[Resource, bool]:
        if resource is None:
            return resources.create_resource(actor=request.user, content=form.content(), note=data["note"]), True
        saved = resources.update_resource(
            actor=request.user,
            resource_id=resource.pk,
            lock_version=data["lock_version"],
            content=form.content(),
            note=data["note"],
        )
        return saved, saved.version != resource.version

    return submission.submit(
        request,
        form,
        save,
        done=lambda result: (
            _("Stödmaterialet %(title)s är sparat som version %(version)s.")
            % {"title": result[0].title, "version": result[0].version}
            if result[1]
            else _("Inget ändrades.")
        ),
        next_url=lambda result: reverse("knowledge:resource", args=[result[0].pk]),
        page_again=page_again,
    )


@login_required
@require_http_methods(GET_POST)
def create(request: HttpRequest) -> HttpResponse:
    # Someone who can own a resource: a coordinator of some organisation, or the central coordinator
    # (asked about no organisation, the rule answers for the central coordinator alone).
    require(request.user, Action.VIEW_SUPPORT)
    if not permissions.resource_organisation_ids(request.user):
        require(request.user, Action.MANAGE_RESOURCES, None)
    return _form_page(request, None)


@login_required
@require_http_methods(GET_POST)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    resource = access.kept(request, pk, _resources())
    return _form_page(request, resource)


def _set_active(request: HttpRequest, pk: int, *, active: bool) -> HttpResponse:
    resource = access.kept(request, pk, _resources())
    service = resources.restore_resource if active else resources.archive_resource

    def page_again(form: django_forms.BaseForm) -> HttpResponse:
        return render(request, "knowledge/resource_detail.html", _detail_context(resource, True, form))

    return submission.submit(
        request,
        ActiveForm(request.POST),
        lambda data: service(actor=request.user, resource_id=resource.pk, lock_version=data["lock_version"]),
        done=lambda saved: (
            (
                _("Stödmaterialet %(title)s är återställt.")
                if saved.is_active
                else _("Stödmaterialet %(title)s är arkiverat. Det visas bara för dem som förvaltar det.")
            )
            % {"title": saved.title}
        ),
        next_url=lambda saved: reverse("knowledge:resource", args=[saved.pk]),
        page_again=page_again,
    )


@login_required
@require_POST
def archive(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=False)


@login_required
@require_POST
def restore(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=True)


# --- History and differences ---------------------------------------------------------------------


@login_required
@require_safe
def history(request: HttpRequest, pk: int) -> HttpResponse:
    resource, can_manage = access.readable(request, pk)
    numbers = list(range(resource.version, 0, -1))
    asked = "fran" in request.GET or "till" in request.GET
    compare = CompareForm(
        request.GET if asked else None,
        initial={"fran": max(resource.version - 1, 1), "till": resource.version},
        numbers=numbers,
    )
    if compare.is_bound and compare.is_valid():
        return redirect(
            "knowledge:resource_diff", resource.pk, compare.cleaned_data["fran"], compare.cleaned_data["till"]
        )
    versions = resource.versions.select_related("changed_by").order_by("-number")
    before = request.GET.get("fore", "")
    if before.isdigit() and len(before) <= 9:
        versions = versions.filter(number__lt=int(before))
    shown = list(versions[: HISTORY_PAGE + 1])
    older = shown[HISTORY_PAGE].number + 1 if len(shown) > HISTORY_PAGE else None
    context = {
        "resource": resource,
        "can_manage": can_manage,
        "versions": shown[:HISTORY_PAGE],
        "older": older,
        "compare": compare,
    }
    return render(request, "knowledge/resource_history.html", context, status=400 if compare.errors else 200)


@dataclass(frozen=True)
class Line:
    kind: str  # "same", "added", "removed"
    text: str


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


# Comparing costs time that grows with the square of the lines: beyond this many lines in the two
# texts together the page says so instead of comparing (any reader may ask for any pair of versions).
MAX_DIFF_LINES = 4_000


def body_diff(old: str, new: str) -> list[list[Line]] | None:
    """The changed parts of the text, line by line, each with three unchanged lines around it; None when
    the texts are too long to compare here."""
    before, after = old.splitlines(), new.splitlines()
    if len(before) + len(after) > MAX_DIFF_LINES:
        return None
    hunks = []
    for group in difflib.SequenceMatcher(None, before, after).get_grouped_opcodes(3):
        lines: list[Line] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [Line("same", text) for text in before[i1:i2]]
                continue
            lines += [Line("removed", text) for text in before[i1:i2]]
            lines += [Line("added", text) for text in after[j1:j2]]
        hunks.append(lines)
    return hunks


def field_changes(old: ResourceVersion, new: ResourceVersion) -> list[FieldChange]:
    labels = {"title": _("Rubrik"), "summary": _("Ingress"), "url": _("Länk")}
    return [
        FieldChange(label, getattr(old, name), getattr(new, name))
        for name, label in labels.items()
        if getattr(old, name) != getattr(new, name)
    ]


@login_required
@require_safe
def diff(request: HttpRequest, pk: int, a: int, b: int) -> HttpResponse:
    resource, can_manage = access.readable(request, pk)
    found = {v.number: v for v in resource.versions.select_related("changed_by").filter(number__in=[a, b])}
    if a not in found or b not in found:
        raise Http404
    old, new = found[a], found[b]
    hunks = body_diff(old.body, new.body)
    context = {
        "resource": resource,
        "can_manage": can_manage,
        "old": old,
        "new": new,
        "fields": field_changes(old, new),
        "hunks": hunks,
        "too_long": hunks is None,
        "added": sum(line.kind == "added" for hunk in hunks or () for line in hunk),
        "removed": sum(line.kind == "removed" for hunk in hunks or () for line in hunk),
    }
    return render(request, "knowledge/resource_diff.html", context)


urlpatterns = [
    path("ny/", create, name="resource_create"),
    path("rutin/<slug:key>/", by_key, name="by_key"),
    path("<id:pk>/", detail, name="resource"),
    path("<id:pk>/andra/", edit, name="resource_edit"),
    path("<id:pk>/arkivera/", archive, name="resource_archive"),
    path("<id:pk>/aterstall/", restore, name="resource_restore"),
    path("<id:pk>/historik/", history, name="resource_history"),
    path("<id:pk>/historik/<id:a>/<id:b>/", diff, name="resource_diff"),
]
