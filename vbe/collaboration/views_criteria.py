"""/samverkan/kriterier/: the criteria of the democracy condition, read by every reader of the actor
register and kept by the central coordinator (vbe.collaboration.assessments_criteria)."""

from __future__ import annotations

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from vbe.accounts import permissions
from vbe.accounts.permissions import Action, require
from vbe.collaboration import assessments_criteria
from vbe.collaboration.forms_criteria import CriterionForm
from vbe.collaboration.models import Criterion
from vbe.core import submission

GET_POST = ["GET", "HEAD", "POST"]


@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW_ACTOR_REGISTER)
    # A few dozen rows at most: the city's wording, one page.
    criteria = list(Criterion.objects.order_by("-is_active", "number", "pk"))
    context = {
        "active": [c for c in criteria if c.is_active],
        "retired": [c for c in criteria if not c.is_active],
        "can_manage": permissions.can(request.user, Action.MANAGE_DEMOCRACY_CRITERIA),
    }
    return render(request, "collaboration/criteria.html", context)


def _form_page(request: HttpRequest, criterion: Criterion | None) -> HttpResponse:
    def page_again(form: django_forms.BaseForm) -> HttpResponse:
        return render(request, "collaboration/criterion_form.html", {"criterion": criterion, "form": form})

    if request.method != "POST":
        return page_again(CriterionForm(criterion=criterion))
    form = CriterionForm(request.POST, criterion=criterion)

    def save(data: dict) -> Criterion:
        if criterion is None:
            return assessments_criteria.create_criterion(user=request.user, wording=form.wording())
        return assessments_criteria.update_criterion(
            user=request.user, criterion_id=criterion.pk, lock_version=data["lock_version"], wording=form.wording()
        )

    return submission.submit(
        request,
        form,
        save,
        done=lambda saved: _("Kriterium %(number)s är sparat.") % {"number": saved.number},
        next_url=lambda saved: reverse("collaboration:criteria"),
        page_again=page_again,
    )


@login_required
@require_http_methods(GET_POST)
def create(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.MANAGE_DEMOCRACY_CRITERIA)
    return _form_page(request, None)


@login_required
@require_http_methods(GET_POST)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Action.MANAGE_DEMOCRACY_CRITERIA)
    return _form_page(request, get_object_or_404(Criterion, pk=pk))


urlpatterns = [
    path("kriterier/", index, name="criteria"),
    path("kriterier/ny/", create, name="criterion_create"),
    path("kriterier/<id:pk>/andra/", edit, name="criterion_edit"),
]
