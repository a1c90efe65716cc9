"""The reporter's views of the concern routine: the guide, the report and its receipt.

Every read and write of a concern writes the access log. Concerns outside the user's scope answer
404, so their existence is not revealed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from vbe.accounts import permissions
from vbe.accounts.permissions import Action
from vbe.audit.log import record
from vbe.concerns import forms, intake
from vbe.concerns.models import Concern, YesNoUnknown
from vbe.core.submission import submit
from vbe.organisations.models import ContactPurpose, ContactRoute, District, Organisation


@require_safe
def guide(request: HttpRequest) -> HttpResponse:
    """ "Vad gör jag vid oro?" — readable without signing in."""
    child = request.GET.get("barn")
    district = District.objects.filter(code=request.GET.get("omrade", ""), is_active=True).first()
    # The reception's route comes in the same breath (one prefetch), for council.reception_route.
    council = (
        Organisation.objects.filter(district=district)
        .prefetch_related(
            Prefetch(
                "contact_routes", queryset=ContactRoute.objects.filter(purpose=ContactPurpose.CHILD_WELFARE_RECEPTION)
            )
        )
        .first()
        if district
        else None
    )
    return render(
        request,
        "concerns/guide.html",
        {
            "child": child,
            "districts": District.objects.filter(is_active=True).defer("geometry"),
            "district": district,
            "council": council,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, Action.REPORT_CONCERN)
    own = permissions.memberships(request.user)
    if not own:
        messages.info(
            request, _("Du behöver vara kopplad till en organisation för att rapportera. Kontakta administratören.")
        )
        return redirect("concerns:guide")
    home = permissions.primary_membership(request.user).organisation
    form = forms.ReportForm(
        request.POST if request.method == "POST" else None,
        initial=_carried_from_guide(request),
        organisation_ids=[m.organisation_id for m in own],
        default_organisation=home,
    )

    def send(data: dict) -> Concern:
        return intake.submit_concern(
            reporter=request.user,
            reporter_organisation=home,
            organisation=data["organisation"],
            idempotency_key=data["idempotency_key"],
            observation=data["observation"],
            observed_on=data["observed_on"],
            concerns_child=data["concerns_child"],
            child_report_made=data.get("child_report_made") or "unknown",
            district_id=data["district"].pk if data["district"] else None,
            unit_id=data["unit"].pk if data["unit"] else None,
            person_name=data["person_name"],
            person_pnr=data["person_pnr"],
            person_contact=data["person_contact"],
        )

    return submit(
        request,
        form,
        send,
        done=None,  # the receipt says what happened
        next_url=lambda concern: reverse("concerns:receipt", args=[concern.reference]),
        page_again=lambda form: render(request, "concerns/report.html", {"form": form, "receivers": form.receivers}),
    )


def _carried_from_guide(request: HttpRequest) -> dict:
    """What the guide already asked, so the form does not ask it again as if unanswered.

    Only "ja" is carried: the guide's other answer is "nej eller vet inte", which is not the form's
    "Nej", so the form leaves that question open for the reporter to answer as it is.
    """
    return {"concerns_child": YesNoUnknown.YES} if request.GET.get("barn") == "ja" else {}


def _own_concern(request: HttpRequest, reference: str) -> Concern:
    # Only what the reporter may see: where they sent it (``reported_to``), never where it went since.
    concern = get_object_or_404(Concern.objects.select_related("reported_to"), reference=reference)
    if not permissions.can(request.user, Action.VIEW_CONCERN_RECEIPT, concern):
        raise Http404
    return concern


@login_required
@require_safe
def receipt(request: HttpRequest, reference: str) -> HttpResponse:
    concern = _own_concern(request, reference)
    record(action="concern_receipt_viewed", actor=request.user, obj=concern, subject_ref=concern.reference)
    return render(request, "concerns/receipt.html", {"concern": concern, "received_by": intake.intake_route(concern)})
