"""The handling POSTs of the concern routine's case page: one view per service, all through ``_write``.

Every write of a concern writes the access log. Concerns outside the user's scope answer 404, so
their existence is not revealed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from vbe.accounts import permissions
from vbe.accounts.permissions import Action
from vbe.concerns import closure, forms, services, sharing
from vbe.concerns.case_page import _caseworkers, _detail_context, _readable_concern
from vbe.concerns.models import Concern, Consent, Disclosure
from vbe.notifications import recipients


def _write(
    request: HttpRequest,
    reference: str,
    *,
    action: Action,
    form_name: str,
    make_form: Callable[[Concern], Any],
    call: Callable[[Concern, dict], Any],
    done: str | Callable[[Any], str],
    then: str = "",
) -> HttpResponse:
    """Shared shape of every handling POST: access check → form → service → redirect, or the page
    again with the form's errors and what the user typed."""
    concern = _readable_concern(request, reference)
    permissions.require(request.user, action, concern)
    form = make_form(concern)
    if form.is_valid():
        try:
            result = call(concern, form.cleaned_data)
        except PermissionDenied:
            # The service asks again under the row lock, and the right ended in between (a colleague
            # handed the concern over, say): answer as the check above would answer now, 404 (logged)
            # if the user can no longer read the concern, else 403.
            _readable_concern(request, reference)
            raise
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # ``done`` may be built from the service's result: what happened, not what usually happens.
            messages.success(request, done(result) if callable(done) else done)
            return redirect(then or concern.get_absolute_url())
    concern.refresh_from_db()
    return render(request, "concerns/detail.html", _detail_context(request, concern, **{form_name: form}), status=400)


@login_required
@require_POST
def advance(request: HttpRequest, reference: str) -> HttpResponse:
    return _write(
        request,
        reference,
        action=Action.HANDLE_CONCERN,
        form_name="advance_form",
        make_form=lambda c: forms.AdvanceForm(request.POST),
        call=lambda c, d: services.advance(
            request=request, concern_id=c.pk, actor=request.user, version=d["version"], note=d["note"]
        ),
        done="Ärendet har gått vidare till nästa steg.",
    )


@login_required
@require_POST
def assess(request: HttpRequest, reference: str) -> HttpResponse:
    return _write(
        request,
        reference,
        action=Action.HANDLE_CONCERN,
        form_name="assessment_form",
        make_form=lambda c: forms.AssessmentForm(request.POST),
        call=lambda c, d: services.record_assessment(
            request=request, concern_id=c.pk, actor=request.user, version=d["version"], areas=d["areas"], text=d["text"]
        ),
        done="Bedömningen är sparad.",
    )


@login_required
@require_POST
def add_action(request: HttpRequest, reference: str) -> HttpResponse:
    return _write(
        request,
        reference,
        action=Action.HANDLE_CONCERN,
        form_name="action_form",
        make_form=lambda c: forms.ActionForm(request.POST),
        call=lambda c, d: services.record_action(
            request=request,
            concern_id=c.pk,
            actor=request.user,
            version=d["version"],
            kind=d["kind"],
            done_on=d["done_on"],
            district_id=d["district"].pk if d["district"] else None,
            made_by=d["made_by"],
            note=d["note"],
        ),
        done="Åtgärden är registrerad.",
    )


@login_required
@require_POST
def add_consent(request: HttpRequest, reference: str) -> HttpResponse:
    return _write(
        request,
        reference,
        action=Action.HANDLE_CONCERN,
        form_name="consent_form",
        make_form=lambda c: forms.ConsentForm(request.POST),
        call=lambda c, d: sharing.record_consent(
            request=request,
            concern_id=c.pk,
            actor=request.user,
            version=d["version"],
            purpose=d["purpose"],
            given_by=d["given_by"],
            given_on=d["given_on"],
        ),
        done="Samtycket är registrerat.",
    )


@login_required
@require_POST
def withdraw_consent(request: HttpRequest, reference: str, consent_id: int) -> HttpResponse:
    return _write(
        request,
        reference,
        action=Action.HANDLE_CONCERN,
        form_name="withdraw_form",
        make_form=lambda c: forms.VersionedForm(request.POST),
        call=lambda c, d: sharing.withdraw_consent(
            request=request,
            concern_id=c.pk,
            consent_id=get_object_or_404(Consent, pk=consent_id, concern=c).pk,
            actor=request.user,
            version=d["version"],
        ),
        done="Samtycket är återkallat.",
    )


@login_required
@require_POST
def close(request: HttpRequest, reference: str) -> HttpResponse:
    return _write(
        request,
        reference,
        action=Action.HANDLE_CONCERN,
        form_name="close_form",
        make_form=lambda c: forms.CloseForm(request.POST, child_report=services.needs_child_report(c)),
        call=lambda c, d: closure.close(
            request=request,
            concern_id=c.pk,
            actor=request.user,
            version=d["version"],
            outcome=d["outcome"],
            reason=d["reason"],
            child_report=d.get("child_report", ""),
            child_report_made_by=d.get("child_report_made_by", ""),
            child_report_made_on=d.get("child_report_made_on"),
            child_report_district_id=d["child_report_district"].pk if d.get("child_report_district") else None,
            child_report_reason=d.get("child_report_reason", ""),
        ),
        done="Ärendet är avslutat.",
    )


@login_required
@require_POST
def assign(request: HttpRequest, reference: str) -> HttpResponse:
    return _write(
        request,
        reference,
        action=Action.COORDINATE_CONCERN,
        form_name="assign_form",
        make_form=lambda c: forms.AssignForm(request.POST, caseworkers=_caseworkers(c)),
        call=lambda c, d: services.assign(
            request=request, concern_id=c.pk, actor=request.user, version=d["version"], caseworker=d["caseworker"]
        ),
        done="Handläggaren är ändrad.",
    )


@login_required
@require_POST
def transfer(request: HttpRequest, reference: str) -> HttpResponse:
    return _write(
        request,
        reference,
        action=Action.HAND_OVER_CONCERN,  # the central coordinator too, for a concern in the central queue
        form_name="transfer_form",
        make_form=lambda c: forms.TransferForm(request.POST),
        call=lambda c, d: sharing.transfer(
            request=request,
            concern_id=c.pk,
            actor=request.user,
            version=d["version"],
            to_organisation=d["to_organisation"],
            legal_ground=d["legal_ground"],
        ),
        done=_handed_over,
        then=reverse("concerns:case_list"),  # the concern has left us: we can no longer open it
    )


def _handed_over(concern: Concern) -> str:
    """Who has the concern now that it is handed over: the truth in each of the three cases."""
    name = concern.organisation.name
    if permissions.has_active_coordinator(concern.organisation_id):
        return (
            f"{concern.reference} är överlämnat till {name}. "
            "Ett meddelande skickas till dess lokala samordnare, som hanterar det nu."
        )
    if recipients.central_coordinators().exists():
        return (
            f"{concern.reference} är överlämnat till {name}, som saknar lokal samordnare. Ärendet väntar i den "
            "centrala samordnarens kö tills det lämnas vidare, och ett meddelande skickas till de centrala samordnarna."
        )
    return (
        f"{concern.reference} är överlämnat till {name}, som saknar lokal samordnare, och det finns ingen central "
        "samordnare. Ingen har fått något meddelande om ärendet: det väntar tills en samordnare utses. "
        "Kontakta administratören."
    )


@login_required
@require_POST
def disclose(request: HttpRequest, reference: str) -> HttpResponse:
    return _write(
        request,
        reference,
        action=Action.COORDINATE_CONCERN,
        form_name="disclosure_form",
        make_form=lambda c: forms.DisclosureForm(request.POST),
        call=lambda c, d: sharing.disclose(
            request=request,
            concern_id=c.pk,
            actor=request.user,
            to_organisation=d["to_organisation"],
            legal_ground=d["legal_ground"],
            decided_by=d["decided_by"],
        ),
        done="Röjandet är registrerat. Organisationens handläggare kan nu läsa ärendet.",
    )


@login_required
@require_POST
def withdraw_disclosure(request: HttpRequest, reference: str, disclosure_id: int) -> HttpResponse:
    return _write(
        request,
        reference,
        action=Action.COORDINATE_CONCERN,
        form_name="withdraw_disclosure_form",
        make_form=lambda c: forms.WithdrawDisclosureForm(request.POST, prefix=f"d{disclosure_id}"),
        call=lambda c, d: sharing.withdraw_disclosure(
            request=request,
            concern_id=c.pk,
            disclosure_id=get_object_or_404(Disclosure, pk=disclosure_id, concern=c).pk,
            actor=request.user,
            reason=d["reason"],
        ),
        done="Röjandet är återkallat. Den andra organisationen kan inte längre läsa ärendet.",
    )


@login_required
@require_POST
def legal_hold(request: HttpRequest, reference: str) -> HttpResponse:
    return _write(
        request,
        reference,
        action=Action.COORDINATE_CONCERN,
        form_name="hold_form",
        make_form=lambda c: forms.LegalHoldForm(request.POST),
        call=lambda c, d: closure.set_legal_hold(
            request=request,
            concern_id=c.pk,
            actor=request.user,
            version=d["version"],
            hold=d["hold"],
            reason=d["reason"],
        ),
        done="Bevarandet är ändrat.",
    )
