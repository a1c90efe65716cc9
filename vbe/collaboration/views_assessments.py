"""/samverkan/: the democracy-condition assessments.

Assessors (ASSESS_DEMOCRACY about the organisation) start, fill in, decide and renew their
organisations' assessments and read all of them; every other reader of the actor register reads a
decided assessment's shared part only (vbe.collaboration.decisions). Before starting, the page shows
what other boards and companies have decided on the actor.
"""

from __future__ import annotations

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from vbe.accounts import permissions
from vbe.accounts.permissions import Action, require
from vbe.collaboration import assessments, assessments_list, decisions
from vbe.collaboration.forms_assessments import CreateForm, DecideForm, DraftForm, RenewForm
from vbe.collaboration.models import Actor, Assessment, Decision

GET_POST = ["GET", "HEAD", "POST"]


def _assessing_ids(request: HttpRequest) -> set[int]:
    """The organisations the user assesses for, each asked of the rule."""
    own = {m.organisation_id: m.organisation for m in permissions.memberships(request.user)}
    return {
        pk
        for pk in permissions.assessing_organisation_ids(request.user)
        if pk in own and permissions.can(request.user, Action.ASSESS_DEMOCRACY, own[pk])
    }


@login_required
@require_http_methods(GET_POST)
def create(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Action.VIEW_ACTOR_REGISTER)
    require(request.user, Action.ASSESS_DEMOCRACY, None)
    actor = get_object_or_404(Actor, pk=pk, is_active=True)  # an inactive actor is not found anywhere
    own = _assessing_ids(request)
    form = CreateForm(request.POST if request.method == "POST" else None, organisation_ids=own)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = assessments.create_assessment(
                user=request.user,
                actor_id=actor.pk,
                organisation=form.cleaned_data["organisation"],
                purpose=form.cleaned_data["purpose"],
            )
        except django_forms.ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Bedömningen är påbörjad. Fyll i underlaget och kriterierna."))
            return redirect("collaboration:assessment_edit", assessment.pk)
    decided = decisions.newest_per_organisation(actor.pk)
    context = {
        "actor": actor,
        "actor_url": decisions.actor_url(actor.pk),
        "form": form,
        "others": [d for d in decided if d.organisation_id not in own],
        "own_decisions": [d for d in decided if d.organisation_id in own],
    }
    return render(request, "collaboration/assessment_create.html", context, status=400 if form.errors else 200)


def _detail_context(request: HttpRequest, assessment: Assessment, notes: bool, renew_form=None) -> dict:
    superseded_by = Assessment.objects.filter(supersedes=assessment).only("pk", "decision", "organisation").first()
    if superseded_by is not None and not (notes or superseded_by.is_decided):
        superseded_by = None  # another organisation's draft: not there for this reader
    return {
        "assessment": assessment,
        "notes": notes,
        "actor_url": decisions.actor_url(assessment.actor_id),
        "findings": list(assessment.findings.all()) if notes else [],
        "history": decisions.history(assessment),
        "superseded_by": superseded_by,
        "renew_form": renew_form or RenewForm(initial={"lock_version": assessment.lock_version}),
        "today": timezone.localdate(),
    }


@login_required
@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, notes = decisions.readable(request.user, pk)
    return render(request, "collaboration/assessment_detail.html", _detail_context(request, assessment, notes))


def _frozen(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    messages.error(request, str(assessments.DECIDED))
    return redirect("collaboration:assessment", assessment.pk)


def _findings(assessment: Assessment) -> list:
    return list(assessment.findings.all())


@login_required
@require_http_methods(GET_POST)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = decisions.assessed(request.user, pk)
    if assessment.is_decided:
        return _frozen(request, assessment)
    findings = _findings(assessment)
    bound = request.POST if request.method == "POST" else None
    form = DraftForm(bound, assessment=assessment, findings=findings)
    if request.method == "POST" and form.is_valid():
        try:
            assessments.update_draft(
                user=request.user,
                assessment_id=assessment.pk,
                lock_version=form.cleaned_data["lock_version"],
                draft=form.draft(),
            )
        except django_forms.ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Bedömningen är sparad."))
            return redirect("collaboration:assessment", assessment.pk)
    context = {"assessment": assessment, "form": form, "actor_url": decisions.actor_url(assessment.actor_id)}
    return render(request, "collaboration/assessment_edit.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(GET_POST)
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = decisions.assessed(request.user, pk)
    if assessment.is_decided:
        return _frozen(request, assessment)
    bound = request.POST if request.method == "POST" else None
    form = DecideForm(bound, assessment=assessment, months=assessments.validity_months())
    if request.method == "POST" and form.is_valid():
        try:
            decided = assessments.decide(
                user=request.user,
                assessment_id=assessment.pk,
                lock_version=form.cleaned_data["lock_version"],
                ruling=form.ruling(),
            )
        except django_forms.ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Beslutet är registrerat: %(decision)s.") % {"decision": Decision(decided.decision).label},
            )
            return redirect("collaboration:assessment", decided.pk)
    context = {
        "assessment": assessment,
        "form": form,
        "actor_url": decisions.actor_url(assessment.actor_id),
        "unanswered": sum(not f.finding for f in _findings(assessment)),
    }
    return render(request, "collaboration/assessment_decide.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def renew(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = decisions.assessed(request.user, pk)
    form = RenewForm(request.POST)
    if form.is_valid():
        try:
            draft = assessments.renew_assessment(
                user=request.user, assessment_id=assessment.pk, lock_version=form.cleaned_data["lock_version"]
            )
        except django_forms.ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("En ny bedömning är påbörjad. Den ersätter den tidigare när den är beslutad."))
            return redirect("collaboration:assessment_edit", draft.pk)
    context = _detail_context(request, assessment, True, form)
    return render(request, "collaboration/assessment_detail.html", context, status=400)


@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.ASSESS_DEMOCRACY, None)
    view = request.GET.get("visa", assessments_list.DRAFTS)
    if view not in assessments_list.VIEWS:
        view = assessments_list.DRAFTS
    own = _assessing_ids(request)
    today = timezone.localdate()
    page = assessments_list.page(own, view=view, after=request.GET.get(assessments_list.AFTER, ""), today=today)
    organisations = sorted(
        (m.organisation for m in permissions.memberships(request.user) if m.organisation_id in own),
        key=lambda o: o.name,
    )
    context = {
        "page": page,
        "today": today,
        "organisations": list({o.pk: o for o in organisations}.values()),
        "notice_days": assessments.notice_days(),
        "views": [
            (assessments_list.DRAFTS, _("Utkast")),
            (assessments_list.DECIDED, _("Beslutade")),
            (assessments_list.RENEW, _("Förnyas snart eller har gått ut")),
        ],
        "after_param": assessments_list.AFTER,
        "list_url": reverse("collaboration:assessments"),
    }
    return render(request, "collaboration/assessment_list.html", context)


urlpatterns = [
    path("aktorer/<id:pk>/bedomningar/ny/", create, name="assessment_create"),
    path("bedomningar/", index, name="assessments"),
    path("bedomningar/<id:pk>/", detail, name="assessment"),
    path("bedomningar/<id:pk>/andra/", edit, name="assessment_edit"),
    path("bedomningar/<id:pk>/beslut/", decide, name="assessment_decide"),
    path("bedomningar/<id:pk>/fornya/", renew, name="assessment_renew"),
]
