"""Views of the concern routine: the guide, the report, the receipt, and the handlers' case pages.

Every read and write of a concern writes the access log. Concerns outside the user's scope answer
404, so their existence is not revealed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from vbe.accounts import permissions
from vbe.accounts.models import Role, User
from vbe.accounts.permissions import Action
from vbe.accounts.reauth import reauth_redirect
from vbe.audit.log import record
from vbe.concerns import awaiting, forms, refusals, services
from vbe.concerns.models import Concern, Consent, Disclosure, State
from vbe.concerns.retention import days_left
from vbe.core import personnummer
from vbe.notifications import recipients
from vbe.organisations.models import District, Organisation

PER_PAGE = 25
# What a concern's reference looks like (services.REFERENCE_PREFIX, vbe.core.sequences): only such a
# string from the address may go into the access log, never whatever else was typed there.


@require_safe
def guide(request: HttpRequest) -> HttpResponse:
    """ "Vad gör jag vid oro?" — readable without signing in."""
    child = request.GET.get("barn")
    district = District.objects.filter(code=request.GET.get("omrade", ""), is_active=True).first()
    council = Organisation.objects.filter(district=district).first() if district else None
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
            request, "Du behöver vara kopplad till en organisation för att rapportera. Kontakta administratören."
        )
        return redirect("concerns:guide")
    home = permissions.primary_membership(request.user).organisation
    form = forms.ReportForm(
        request.POST if request.method == "POST" else None,
        organisation_ids=[m.organisation_id for m in own],
        default_organisation=home,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            concern = services.submit_concern(
                request=request,
                reporter=request.user,
                reporter_organisation=home,
                organisation=data["organisation"],
                idempotency_key=data["idempotency_key"],
                observation=data["observation"],
                observed_on=data["observed_on"],
                concerns_child=data["concerns_child"],
                child_report_made=data.get("child_report_made") or "unknown",
                environment=data["environment"],
                district_id=data["district"].pk if data["district"] else None,
                unit_id=data["unit"].pk if data["unit"] else None,
                person_name=data["person_name"],
                person_pnr=data["person_pnr"],
                person_contact=data["person_contact"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("concerns:receipt", reference=concern.reference)
    return render(request, "concerns/report.html", {"form": form, "receivers": form.receivers})


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
    record(action="concern_receipt_viewed", request=request, obj=concern, subject_ref=concern.reference)
    return render(request, "concerns/receipt.html", {"concern": concern, "received_by": services.intake_route(concern)})


@login_required
@require_safe
def my_reports(request: HttpRequest) -> HttpResponse:
    concerns = Concern.objects.filter(reporter=request.user).select_related("reported_to").order_by("-created_at")
    page = Paginator(concerns, PER_PAGE).get_page(request.GET.get("sida"))
    record(action="concern_own_list_viewed", request=request, detail=f"sida {page.number}")
    return render(request, "concerns/mine.html", {"page": page})


# --- Handlers ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def case_list(request: HttpRequest) -> HttpResponse:
    """The handler's list. Personnummer look-up is by POST, so no number ever lands in a URL or log."""
    permissions.require(request.user, Action.LIST_CONCERNS)
    # Marked "saknar samordnare" while in the central queue: decided now, as the access rule decides it.
    concerns = permissions.concerns_visible_to(request.user, Concern.objects.all()).annotate(
        in_central_queue=ExpressionWrapper(permissions.concerns_in_central_queue(), output_field=BooleanField())
    )
    state = request.GET.get("steg", "")
    if state in State.values:
        concerns = concerns.filter(state=state)
    search = forms.PersonnummerSearchForm(request.POST if request.method == "POST" else None)
    searched = False
    if request.method == "POST" and search.is_valid():
        index = personnummer.blind_index(search.cleaned_data["pnr"])
        concerns = concerns.filter(person_pnr_index=index)
        searched = True
        # Whose number was searched, as the keyed hash (the auditor can look a person up the same way):
        # never the number itself.
        record(
            action="concern_personnummer_search",
            request=request,
            subject_ref=f"pnr:{index}",
            detail="sökning på personnummer",
        )
    page = Paginator(concerns.select_related("organisation", "assigned_to").order_by("-created_at"), PER_PAGE).get_page(
        request.GET.get("sida")
    )
    record(action="concern_list_viewed", request=request, detail=f"sida {page.number}")
    rows = [{"concern": c, "masked_pnr": personnummer.mask(c.person_pnr), "days_left": days_left(c)} for c in page]
    return render(
        request,
        "concerns/case_list.html",
        {
            "page": page,
            "rows": rows,
            "states": State.choices,
            "state": state,
            "query": urlencode({"steg": state}) if state else "",
            "search": search,
            "searched": searched,
            "central_queue": permissions.has_role(request.user, Role.CENTRAL_COORDINATOR),
            # Its own section: reference, organisation, date and step only, never searched or filtered.
            "awaiting": awaiting.awaiting_page(request),
        },
    )


def _readable_concern(request: HttpRequest, reference: str) -> Concern:
    """One access helper: the concern if the user may read it, else 404 (and the attempt logged, one row
    whether or not the reference exists: vbe.concerns.refusals)."""
    concern = (
        Concern.objects.select_related("organisation", "assigned_to", "district", "unit", "reporter_organisation")
        .filter(reference=reference)
        .first()
    )
    if concern is None or not permissions.can(request.user, Action.VIEW_CONCERN, concern):
        refusals.log_refused(request, reference, concern)
        raise Http404
    return concern


def _caseworkers(concern: Concern):
    return User.objects.filter(
        memberships__organisation_id=concern.organisation_id, memberships__role=Role.CASEWORKER, is_active=True
    ).distinct()


# What someone who may read but not handle the concern (a disclosure's reader, the central coordinator
# for the central queue) follows in the chronology: when it came in, moved on and was closed.
PROCESS_STEPS = ("submitted", "advanced", "closed")
STEP_LABELS = dict(State.choices)


def _chronology(concern: Concern, *, handler: bool) -> Any:
    """Handlers: every entry, with who did it, the summary and the note. Anyone else: only the process
    steps, in words made from the step codes, with no actor and no note. The summaries can name other
    organisations it was disclosed to or handed to, and the "submitted" entry's actor is the reporter,
    so their text is not even read for them."""
    if handler:
        return concern.events.select_related("actor")
    rows = []
    for event in concern.events.filter(kind__in=PROCESS_STEPS).defer("summary", "note", "actor"):
        before, after = STEP_LABELS.get(event.from_state), STEP_LABELS.get(event.to_state)
        if event.kind == "advanced" and before and after:
            rows.append({"at": event.at, "summary": f"Från {before.lower()} till {after.lower()}"})
        elif after:
            rows.append({"at": event.at, "summary": after})
    return rows


def _detail_context(request: HttpRequest, concern: Concern, **bound: Any) -> dict[str, Any]:
    initial = {"version": concern.version}
    handler = permissions.can(request.user, Action.HANDLE_CONCERN, concern)
    coordinator = permissions.can(request.user, Action.COORDINATE_CONCERN, concern)
    forms_ = {
        "advance_form": forms.AdvanceForm(initial=initial),
        "assessment_form": forms.AssessmentForm(
            initial={**initial, "areas": concern.assessment_areas, "text": concern.assessment}
        ),
        "action_form": forms.ActionForm(initial=initial),
        "consent_form": forms.ConsentForm(initial=initial),
        "close_form": forms.CloseForm(initial=initial, child_report=services.needs_child_report(concern)),
        "transfer_form": forms.TransferForm(initial=initial),
        "disclosure_form": forms.DisclosureForm(),
        "assign_form": forms.AssignForm(
            initial={**initial, "caseworker": concern.assigned_to}, caseworkers=_caseworkers(concern)
        ),
        "hold_form": forms.LegalHoldForm(
            initial={**initial, "hold": concern.legal_hold, "reason": concern.legal_hold_reason}
        ),
    }
    forms_.update(bound)
    withdrawing = forms_.pop("withdraw_disclosure_form", None)
    disclosures = []
    if handler:  # who decided what, and why, is for the handlers, not for the readers of a disclosure
        for disclosure in concern.disclosures.select_related("to_organisation", "revoked_by"):
            form = None
            if coordinator and disclosure.is_active and concern.purged_at is None:  # purged: no more writes
                mine = withdrawing is not None and withdrawing.prefix == f"d{disclosure.pk}"
                form = withdrawing if mine else forms.WithdrawDisclosureForm(prefix=f"d{disclosure.pk}")
                withdrawing = None if mine else withdrawing
            disclosures.append({"disclosure": disclosure, "form": form})
    return {
        "concern": concern,
        "is_handler": handler,
        "is_coordinator": coordinator,
        "needs_child_report": concern.is_open and services.needs_child_report(concern),
        "disclosures": disclosures,
        "withdraw_errors": withdrawing,  # a refused withdrawal of a disclosure no longer active
        "can_hand_over": permissions.can(request.user, Action.HAND_OVER_CONCERN, concern),  # the central queue
        "in_central_queue": permissions.concern_in_central_queue(concern),
        "next_state": services.NEXT_STATE.get(concern.state),
        "events": _chronology(concern, handler=handler),
        "actions": concern.actions.select_related("district"),
        "consents": concern.consents.all(),
        "masked_pnr": personnummer.mask(concern.person_pnr),
        "days_left": days_left(concern),
        "state_steps": [(s, s.label) for s in State],
        **forms_,
    }


@login_required
@require_safe
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    concern = _readable_concern(request, reference)
    through = _disclosure_read(request, concern)
    record(
        action="concern_viewed",
        request=request,
        obj=concern,
        subject_ref=concern.reference,
        # Read through a disclosure: the log names it, and the membership in the organisation it was
        # disclosed to (the one that gave the access), not the reader's first one.
        legal_ground=f"disclosure:{through.pk}" if through else "",
        **({"organisation_id": through.to_organisation_id} if through else {}),
    )
    return render(request, "concerns/detail.html", _detail_context(request, concern))


def _disclosure_read(request: HttpRequest, concern: Concern):
    """The active disclosure through which the user reads ``concern``, or None if they read it otherwise."""
    if permissions.can(request.user, Action.HANDLE_CONCERN, concern):
        return None
    readers = permissions.org_ids_with(request.user, *permissions.DISCLOSURE_READER_ROLES)
    return concern.disclosures.filter(to_organisation_id__in=readers, revoked_at=None).order_by("pk").first()


@login_required
@require_POST
def reveal_personnummer(request: HttpRequest, reference: str) -> HttpResponse:
    concern = _readable_concern(request, reference)
    permissions.require(request.user, Action.HANDLE_CONCERN, concern)
    # Password (and code) again unless proven in the last minutes; then back to the case page.
    if response := reauth_redirect(request, back=reverse("concerns:detail", args=[concern.reference])):
        return response
    record(action="personnummer_revealed", request=request, obj=concern, subject_ref=concern.reference)
    context = _detail_context(request, concern)
    context["revealed_pnr"] = concern.person_pnr
    return render(request, "concerns/detail.html", context)


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
        call=lambda c, d: services.record_consent(
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
        call=lambda c, d: services.withdraw_consent(
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
        call=lambda c, d: services.close(
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
        call=lambda c, d: services.transfer(
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
        call=lambda c, d: services.disclose(
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
        call=lambda c, d: services.withdraw_disclosure(
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
        call=lambda c, d: services.set_legal_hold(
            request=request,
            concern_id=c.pk,
            actor=request.user,
            version=d["version"],
            hold=d["hold"],
            reason=d["reason"],
        ),
        done="Bevarandet är ändrat.",
    )
