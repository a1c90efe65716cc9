"""/stod/granskning/ and /stod/<id>/granskad/: the review duty of support resources.

The keepers of a resource's owner mark it reviewed. The overview of overdue and soon-due resources is
the central coordinator's for the whole city and each local coordinator's for the organisations they
keep resources of; anyone else is refused.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from vbe.accounts.permissions import Action, require
from vbe.core import submission
from vbe.core.form_fields import LockForm
from vbe.knowledge import access, review


class ReviewedForm(LockForm):
    """The version the page was shown with, so a review never undoes an edit made meanwhile."""


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def reviewed(request: HttpRequest, pk: int) -> HttpResponse:
    """The button on the resource's page posts here; without it (GET) the same question as a page."""
    resource = access.kept(request, pk)
    if request.method == "POST":
        form = ReviewedForm(request.POST)
    else:
        form = ReviewedForm(initial={"lock_version": resource.lock_version})
    return submission.submit(
        request,
        form,
        lambda data: review.record_review(
            actor=request.user, resource_id=resource.pk, lock_version=data["lock_version"]
        ),
        done=lambda saved: (
            _("%(title)s är markerad som granskad. Nästa granskning: %(next)s.")
            % {"title": saved.title, "next": formats.date_format(saved.next_review_on, "j F Y")}
        ),
        next_url=lambda saved: saved.get_absolute_url(),
        page_again=lambda form: render(request, "knowledge/review_confirm.html", {"resource": resource, "form": form}),
    )


@login_required
@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    scope = review.overview_scope(request.user)
    if scope is None:
        require(request.user, Action.MANAGE_RESOURCES, None)  # refused, and logged as such
        raise PermissionDenied  # not reached: only the central coordinator passes that rule
    today = timezone.localdate()
    page = review.overview_page(scope, today=today, after=review.Position.parse(request.GET.get(review.AFTER)))
    context = {
        "page": page,
        "scope": scope,
        "today": today,
        "notice_days": review.notice_days(),
        "after_param": review.AFTER,
    }
    return render(request, "knowledge/review_overview.html", context)


urlpatterns = [
    path("granskning/", overview, name="review"),
    path("<id:pk>/granskad/", reviewed, name="resource_reviewed"),
]
