"""/samverkan/oro/<referens>/lyft/: raising a concern in SSPF or BUS.

Answered as the concern routine's handling views answer: 404 (logged) for a concern the user may not
read, 403 for one they may read but not handle (``vbe.concerns.case_page.concern_to_handle``), also when
the right ended under the row lock while the form was being filled in.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from vbe.collaboration import raising
from vbe.collaboration.forms_raising import RaiseForm
from vbe.collaboration.models import ForumRaising
from vbe.concerns.case_page import concern_to_handle
from vbe.concerns.models import Concern
from vbe.core.submission import submit


def _page(request: HttpRequest, concern: Concern, form: RaiseForm | None) -> HttpResponse:
    return render(
        request,
        "collaboration/raise.html",
        {"concern": concern, "form": form, "writable": _writable(concern)},
    )


def _writable(concern: Concern) -> bool:
    return concern.is_open and concern.purged_at is None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def concern_raise(request: HttpRequest, reference: str) -> HttpResponse:
    concern = concern_to_handle(request, reference)
    if not _writable(concern):
        # Closed or purged: nothing can be recorded, and the page says why instead of offering a form.
        return _page(request, concern, None)
    form = RaiseForm(
        request.POST if request.method == "POST" else None,
        concern=concern,
        initial={"lock_version": concern.lock_version},
    )

    def service(data: dict) -> ForumRaising:
        try:
            return raising.raise_in_forum(
                actor=request.user,
                concern_id=concern.pk,
                lock_version=data["lock_version"],
                kind=data["kind"],
                forum_id=data["forum"],
                done_on=data["done_on"],
                consent_id=data["consent"],
                legal_ground=data["legal_ground"],
            )
        except PermissionDenied:
            concern_to_handle(request, reference)  # 404 if it can no longer be read, else 403 below
            raise

    return submit(
        request,
        form,
        service,
        done=lambda made: _("Ärendet är registrerat som lyft i %(forum)s.") % {"forum": made.forum.name},
        next_url=lambda made: concern.get_absolute_url(),
        page_again=lambda bound: _page(request, concern, bound),
    )


urlpatterns = [
    path("oro/<str:reference>/lyft/", concern_raise, name="concern_raise"),
]
