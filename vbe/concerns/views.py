"""The handling POSTs of the concern routine's case page: one view per service, each turned into a
response by vbe.core.submission.submit (form → service → message and redirect, or the case page again
with the form's errors and what the user typed, 400).

Every write of a concern writes the access log. Concerns outside the user's scope answer 404, so
their existence is not revealed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vbe.accounts import permissions, recipients
from vbe.accounts.permissions import Action
from vbe.concerns import closure, forms, referral_form, referrals, services, sharing
from vbe.concerns.case_page import _caseworkers, _detail_context, _readable_concern, active_consents
from vbe.concerns.models import Concern, Consent, Disclosure
from vbe.core.submission import submit

Result = TypeVar("Result")
Service = Callable[[dict[str, object]], Result]


def _handled(request: HttpRequest, reference: str, action: Action) -> Concern:
    """The access helper: the concern if the user may read it (else 404, logged) and do ``action`` on it
    (else 403)."""
    concern = _readable_concern(request, reference)
    permissions.require(request.user, action, concern)
    return concern


def _rechecked(request: HttpRequest, reference: str, service: Service[Result]) -> Service[Result]:
    """``service``, whose right ended under its row lock (a colleague handed the concern over, say),
    answered as the check before it would answer now: 404 (logged) if the user can no longer read the
    concern, else 403."""

    def call(data: dict[str, object]) -> Result:
        try:
            return service(data)
        except PermissionDenied:
            _readable_concern(request, reference)
            raise

    return call


def _page_again(
    request: HttpRequest, concern: Concern, form_name: str
) -> Callable[[django_forms.BaseForm], HttpResponse]:
    """The case page as it is now, with the refused form bound in the place of ``form_name``."""

    def page(form: django_forms.BaseForm) -> HttpResponse:
        concern.refresh_from_db()
        return render(request, "concerns/detail.html", _detail_context(request, concern, **{form_name: form}))

    return page


def _back_to(concern: Concern) -> Callable[[object], str]:
    return lambda result: concern.get_absolute_url()


@login_required
@require_POST
def advance(request: HttpRequest, reference: str) -> HttpResponse:
    concern = _handled(request, reference, Action.HANDLE_CONCERN)
    return submit(
        request,
        forms.AdvanceForm(request.POST, later_steps=services.later_steps(concern.state)),
        _rechecked(
            request,
            reference,
            lambda d: services.advance_to(
                actor=request.user,
                concern_id=concern.pk,
                lock_version=d["lock_version"],
                to_state=d["to_state"],
                note=d["note"],
            ),
        ),
        done=lambda moved: _("Ärendet har gått vidare till %(step)s.") % {"step": moved.get_state_display().lower()},
        next_url=_back_to(concern),
        page_again=_page_again(request, concern, "advance_form"),
    )


@login_required
@require_POST
def assess(request: HttpRequest, reference: str) -> HttpResponse:
    concern = _handled(request, reference, Action.HANDLE_CONCERN)
    return submit(
        request,
        forms.AssessmentForm(request.POST),
        _rechecked(
            request,
            reference,
            lambda d: services.record_assessment(
                actor=request.user,
                concern_id=concern.pk,
                lock_version=d["lock_version"],
                areas=d["areas"],
                text=d["text"],
                environment=d["environment"] or None,
            ),
        ),
        done=_("Bedömningen är sparad."),
        next_url=_back_to(concern),
        page_again=_page_again(request, concern, "assessment_form"),
    )


@login_required
@require_POST
def add_action(request: HttpRequest, reference: str) -> HttpResponse:
    concern = _handled(request, reference, Action.HANDLE_CONCERN)
    return submit(
        request,
        forms.ActionForm(request.POST),
        _rechecked(
            request,
            reference,
            lambda d: services.record_action(
                actor=request.user,
                concern_id=concern.pk,
                lock_version=d["lock_version"],
                kind=d["kind"],
                done_on=d["done_on"],
                district_id=d["district"].pk if d["district"] else None,
                made_by=d["made_by"],
                note=d["note"],
            ),
        ),
        done=_("Åtgärden är registrerad."),
        next_url=_back_to(concern),
        page_again=_page_again(request, concern, "action_form"),
    )


@login_required
@require_POST
def add_consent(request: HttpRequest, reference: str) -> HttpResponse:
    concern = _handled(request, reference, Action.HANDLE_CONCERN)
    return submit(
        request,
        forms.ConsentForm(request.POST),
        _rechecked(
            request,
            reference,
            lambda d: sharing.record_consent(
                actor=request.user,
                concern_id=concern.pk,
                lock_version=d["lock_version"],
                purpose=d["purpose"],
                given_by=d["given_by"],
                given_on=d["given_on"],
            ),
        ),
        done=_("Samtycket är registrerat."),
        next_url=_back_to(concern),
        page_again=_page_again(request, concern, "consent_form"),
    )


@login_required
@require_POST
def refer(request: HttpRequest, reference: str) -> HttpResponse:
    concern = _handled(request, reference, Action.HANDLE_CONCERN)
    return submit(
        request,
        referral_form.ReferralForm(request.POST, consents=active_consents(concern)),
        _rechecked(
            request,
            reference,
            lambda d: referrals.record_referral(
                actor=request.user,
                concern_id=concern.pk,
                lock_version=d["lock_version"],
                kind=d["kind"],
                referred_on=d["referred_on"],
                adult=d["adult"],
                confirmed=d["confirmed"],
                consent_id=d["consent"].pk if d["consent"] else None,
                note=d["note"],
            ),
        ),
        done=_("Hänvisningen är registrerad."),
        next_url=_back_to(concern),
        page_again=_page_again(request, concern, "referral_form"),
    )


@login_required
@require_POST
def withdraw_consent(request: HttpRequest, reference: str, consent_id: int) -> HttpResponse:
    concern = _handled(request, reference, Action.HANDLE_CONCERN)
    return submit(
        request,
        forms.VersionedForm(request.POST),
        _rechecked(
            request,
            reference,
            lambda d: sharing.withdraw_consent(
                actor=request.user,
                concern_id=concern.pk,
                lock_version=d["lock_version"],
                consent_id=get_object_or_404(Consent, pk=consent_id, concern=concern).pk,
            ),
        ),
        done=_("Samtycket är återkallat."),
        next_url=_back_to(concern),
        page_again=_page_again(request, concern, "withdraw_form"),
    )


@login_required
@require_POST
def close(request: HttpRequest, reference: str) -> HttpResponse:
    concern = _handled(request, reference, Action.HANDLE_CONCERN)
    return submit(
        request,
        forms.CloseForm(request.POST, child_report=services.needs_child_report(concern)),
        _rechecked(
            request,
            reference,
            lambda d: closure.close(
                actor=request.user,
                concern_id=concern.pk,
                lock_version=d["lock_version"],
                outcome=d["outcome"],
                reason=d["reason"],
                child_report=d.get("child_report", ""),
                child_report_made_by=d.get("child_report_made_by", ""),
                child_report_made_on=d.get("child_report_made_on"),
                child_report_district_id=d["child_report_district"].pk if d.get("child_report_district") else None,
                child_report_reason=d.get("child_report_reason", ""),
            ),
        ),
        done=_("Ärendet är avslutat."),
        next_url=_back_to(concern),
        page_again=_page_again(request, concern, "close_form"),
    )


@login_required
@require_POST
def assign(request: HttpRequest, reference: str) -> HttpResponse:
    concern = _handled(request, reference, Action.COORDINATE_CONCERN)
    return submit(
        request,
        forms.AssignForm(request.POST, caseworkers=_caseworkers(concern)),
        _rechecked(
            request,
            reference,
            lambda d: services.assign(
                actor=request.user, concern_id=concern.pk, lock_version=d["lock_version"], caseworker=d["caseworker"]
            ),
        ),
        done=_("Handläggaren är ändrad."),
        next_url=_back_to(concern),
        page_again=_page_again(request, concern, "assign_form"),
    )


@login_required
@require_POST
def transfer(request: HttpRequest, reference: str) -> HttpResponse:
    # HAND_OVER_CONCERN: the central coordinator too, for a concern in the central queue.
    concern = _handled(request, reference, Action.HAND_OVER_CONCERN)
    return submit(
        request,
        forms.TransferForm(request.POST),
        _rechecked(
            request,
            reference,
            lambda d: sharing.transfer(
                actor=request.user,
                concern_id=concern.pk,
                lock_version=d["lock_version"],
                to_organisation=d["to_organisation"],
                legal_ground=d["legal_ground"],
            ),
        ),
        done=_handed_over,
        next_url=lambda handed: reverse("concerns:case_list"),  # the concern has left us: we can no longer open it
        page_again=_page_again(request, concern, "transfer_form"),
    )


def _handed_over(concern: Concern) -> str:
    """Who has the concern now that it is handed over: the truth in each of the three cases."""
    names = {"reference": concern.reference, "organisation": concern.organisation.name}
    if permissions.has_active_coordinator(concern.organisation_id):
        return (
            _(
                "%(reference)s är överlämnat till %(organisation)s. Ett meddelande skickas till dess lokala "
                "samordnare, som hanterar det nu."
            )
            % names
        )
    if recipients.central_coordinators().exists():
        return (
            _(
                "%(reference)s är överlämnat till %(organisation)s, som saknar lokal samordnare. Ärendet väntar i den "
                "centrala samordnarens kö tills det lämnas vidare, och ett meddelande skickas till de centrala samordnarna."
            )
            % names
        )
    return (
        _(
            "%(reference)s är överlämnat till %(organisation)s, som saknar lokal samordnare, och det finns ingen central "
            "samordnare. Ingen har fått något meddelande om ärendet: det väntar tills en samordnare utses. "
            "Kontakta administratören."
        )
        % names
    )


@login_required
@require_POST
def disclose(request: HttpRequest, reference: str) -> HttpResponse:
    concern = _handled(request, reference, Action.COORDINATE_CONCERN)
    return submit(
        request,
        forms.DisclosureForm(request.POST),
        _rechecked(
            request,
            reference,
            lambda d: sharing.disclose(
                actor=request.user,
                concern_id=concern.pk,
                to_organisation=d["to_organisation"],
                legal_ground=d["legal_ground"],
                decided_by=d["decided_by"],
            ),
        ),
        done=_("Röjandet är registrerat. Organisationens handläggare kan nu läsa ärendet."),
        next_url=_back_to(concern),
        page_again=_page_again(request, concern, "disclosure_form"),
    )


@login_required
@require_POST
def withdraw_disclosure(request: HttpRequest, reference: str, disclosure_id: int) -> HttpResponse:
    concern = _handled(request, reference, Action.COORDINATE_CONCERN)
    return submit(
        request,
        forms.WithdrawDisclosureForm(request.POST, prefix=f"d{disclosure_id}"),
        _rechecked(
            request,
            reference,
            lambda d: sharing.withdraw_disclosure(
                actor=request.user,
                concern_id=concern.pk,
                disclosure_id=get_object_or_404(Disclosure, pk=disclosure_id, concern=concern).pk,
                reason=d["reason"],
            ),
        ),
        done=_("Röjandet är återkallat. Den andra organisationen kan inte längre läsa ärendet."),
        next_url=_back_to(concern),
        page_again=_page_again(request, concern, "withdraw_disclosure_form"),
    )


@login_required
@require_POST
def legal_hold(request: HttpRequest, reference: str) -> HttpResponse:
    concern = _handled(request, reference, Action.COORDINATE_CONCERN)
    return submit(
        request,
        forms.LegalHoldForm(request.POST),
        _rechecked(
            request,
            reference,
            lambda d: closure.set_legal_hold(
                actor=request.user,
                concern_id=concern.pk,
                lock_version=d["lock_version"],
                hold=d["hold"],
                reason=d["reason"],
            ),
        ),
        done=_("Bevarandet är ändrat."),
        next_url=_back_to(concern),
        page_again=_page_again(request, concern, "hold_form"),
    )
