"""The handlers' case page: who may read a concern (404 for anyone else, logged), what the page shows
them, and revealing the personnummer. The handling POSTs (vbe.concerns.views) render it again with
their errors."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST, require_safe

from vbe.accounts import permissions
from vbe.accounts.models import Role, User
from vbe.accounts.permissions import Action
from vbe.accounts.reauth import reauth_redirect
from vbe.audit.log import record
from vbe.concerns import forms, referral_form, refusals, services
from vbe.concerns.models import AssessmentArea, Concern, State
from vbe.concerns.referrals import labels as referral_labels
from vbe.concerns.retention import days_left
from vbe.core import personnummer
from vbe.guidelines.vocabulary import Environment


def _readable_concern(request: HttpRequest, reference: str) -> Concern:
    """One access helper: the concern if the user may read it, else 404 (and the attempt logged, one row
    whether or not the reference exists: vbe.concerns.refusals)."""
    concern = (
        Concern.objects.select_related("organisation", "assigned_to", "district", "unit", "reporter_organisation")
        .defer("district__geometry")  # the page names the district; its shape (up to ~50 kB of JSON) is not read
        .filter(reference=reference)
        .first()
    )
    if concern is None or not permissions.can(request.user, Action.VIEW_CONCERN, concern):
        refusals.log_refused(request, reference, concern)
        raise Http404
    return concern


def concern_to_handle(request: HttpRequest, reference: str) -> Concern:
    """For a page of a handler's write kept by another app (vbe.collaboration's raising in a forum): the
    concern, answered as the handling views answer: 404 (logged) if the user may not read it, 403 if
    they may read but not handle it."""
    concern = _readable_concern(request, reference)
    permissions.require(request.user, Action.HANDLE_CONCERN, concern)
    return concern


def _caseworkers(concern: Concern):
    return User.objects.filter(
        memberships__organisation_id=concern.organisation_id, memberships__role=Role.CASEWORKER, is_active=True
    ).distinct()


# The case page's forms, by the names the template and the handling views (``_page_again``) know them by.
HANDLING_FORMS = ("advance_form", "assessment_form", "action_form", "consent_form", "referral_form", "close_form")
COORDINATING_FORMS = ("assign_form", "transfer_form", "disclosure_form", "hold_form")
# The writes offered next to a row of the page (a consent, a disclosure) rather than as a form of their own.
WITHDRAW_CONSENT = "withdraw_consent"
WITHDRAW_DISCLOSURE = "withdraw_disclosure"


def offered(concern: Concern, *, handle: bool, coordinate: bool, hand_over: bool) -> frozenset[str]:
    """The writes the case page offers on ``concern`` now to a user with these rights (``can``
    HANDLE_CONCERN, COORDINATE_CONCERN, HAND_OVER_CONCERN on it, as each handling view's ``_handled``
    asks): exactly those the views and their services would accept, by the concern's state too
    (``writes._locked``, ``writes._open``, ``services.advance``). The page never offers a write that
    would be refused nor hides one that would be accepted, and builds and renders only these forms."""
    if concern.purged_at is not None:  # a purged concern takes no writes at all
        return frozenset()
    is_open = concern.is_open
    names: set[str] = set()
    if handle:
        names.add(WITHDRAW_CONSENT)  # consent can be withdrawn at any time, after the closing too
        if is_open:
            names.update(("assessment_form", "action_form", "consent_form", "referral_form", "close_form"))
            if concern.state in services.NEXT_STATE:  # not from follow-up: the next step there is closing
                names.add("advance_form")
    if coordinate:
        names.update(("disclosure_form", "hold_form", WITHDRAW_DISCLOSURE))  # closed concerns too
        if is_open:
            names.add("assign_form")
    if hand_over and is_open:
        names.add("transfer_form")
    return frozenset(names)


def active_consents(concern: Concern):
    return concern.consents.filter(withdrawn_on=None)


def _unbound_forms(names: frozenset[str], concern: Concern, *, child_report: bool) -> dict[str, Any]:
    """The forms among ``names``, filled in with what the concern holds now."""
    initial = {"lock_version": concern.lock_version}
    build = {
        "advance_form": lambda: forms.AdvanceForm(
            initial={**initial, "to_state": services.NEXT_STATE.get(concern.state)},
            later_steps=services.later_steps(concern.state),
        ),
        "assessment_form": lambda: forms.AssessmentForm(
            initial={
                **initial,
                "areas": concern.assessment_areas,
                "text": concern.assessment,
                "environment": concern.environment,
            }
        ),
        "action_form": lambda: forms.ActionForm(initial=initial),
        "consent_form": lambda: forms.ConsentForm(initial=initial),
        "referral_form": lambda: referral_form.ReferralForm(initial=initial, consents=active_consents(concern)),
        "close_form": lambda: forms.CloseForm(initial=initial, child_report=child_report),
        "assign_form": lambda: forms.AssignForm(
            initial={**initial, "caseworker": concern.assigned_to}, caseworkers=_caseworkers(concern)
        ),
        "transfer_form": lambda: forms.TransferForm(initial=initial),
        "disclosure_form": lambda: forms.DisclosureForm(),
        "hold_form": lambda: forms.LegalHoldForm(
            initial={**initial, "hold": concern.legal_hold, "reason": concern.legal_hold_reason}
        ),
    }
    return {name: make() for name, make in build.items() if name in names}


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
            summary = _("Från %(before)s till %(after)s") % {"before": before.lower(), "after": after.lower()}
            rows.append({"at": event.at, "summary": summary})
        elif after:
            rows.append({"at": event.at, "summary": after})
    return rows


# Raising the concern in SSPF or BUS has its own page (vbe.collaboration): offered, as a link, wherever a
# plain action is (a handler, an open concern).
RAISE_LINK = "raise_link"

# The actions of the page's task list: the form's name, the id of its section, what it is called.
TASKS = (
    ("advance_form", "ga-vidare", _lazy("Gå vidare i processen")),
    ("assessment_form", "bedomning", _lazy("Skriv bedömningen och den bedömda miljön")),
    ("action_form", "atgard", _lazy("Registrera en åtgärd, till exempel orosanmälan")),
    (RAISE_LINK, "lyft", _lazy("Lyft i SSPF eller BUS")),
    ("consent_form", "samtycke", _lazy("Registrera samtycke")),
    ("referral_form", "hanvisning", _lazy("Hänvisa till stöd att lämna eller till anhörigstöd")),
    ("close_form", "avsluta", _lazy("Avsluta ärendet")),
    ("assign_form", "tilldela", _lazy("Tilldela handläggare")),
    ("transfer_form", "overlamna", _lazy("Överlämna till en annan organisation")),
    ("disclosure_form", "roj", _lazy("Röj ärendet för en annan organisation")),
    ("hold_form", "bevara", _lazy("Bevara trots gallringsfrist")),
)


def needed(concern: Concern, *, child_report: bool, coordinator: bool) -> list[dict[str, Any]]:
    """What is needed to move on, as the services decide it: ``required`` what a write will refuse
    without (closing a child concern without an orosanmälan or a reason), the rest what the routine
    expects next. Facts of the case, never a judgement of the person."""
    if not concern.is_open or concern.purged_at is not None:
        return []
    items: list[dict[str, Any]] = []
    if child_report:
        items.append(
            {
                "text": _("Registrera orosanmälan (vem som gjorde den och när), eller skriv varför ingen har gjorts."),
                "anchor": "atgard",
                "required": _("Krävs för att avsluta"),
            }
        )
    if coordinator and concern.assigned_to_id is None:
        items.append({"text": _("Ingen handläggare är tilldelad."), "anchor": "tilldela", "required": ""})
    started = services.STEPS_IN_ORDER.index(State(concern.state)) >= services.STEPS_IN_ORDER.index(State.ASSESSMENT)
    if started and not concern.assessment:
        items.append({"text": _("Ingen bedömning är skriven ännu."), "anchor": "bedomning", "required": ""})
    if started and concern.environment == Environment.UNKNOWN:
        items.append({"text": _("Miljön är inte bedömd ännu."), "anchor": "bedomning", "required": ""})
    return items


def _detail_context(request: HttpRequest, concern: Concern, **bound: Any) -> dict[str, Any]:
    """The case page's context. ``bound``: a refused form from a handling view, shown in its place with
    its errors and what the user typed, even when its write is no longer offered (a colleague closed the
    concern meanwhile, say): the text is the user's to keep, and the error says why it was refused."""
    user = request.user
    handler = permissions.can(user, Action.HANDLE_CONCERN, concern)
    coordinator = permissions.can(user, Action.COORDINATE_CONCERN, concern)
    can_hand_over = permissions.can(user, Action.HAND_OVER_CONCERN, concern)
    writes = offered(concern, handle=handler, coordinate=coordinator, hand_over=can_hand_over)
    child_report = concern.is_open and services.needs_child_report(concern)
    forms_ = _unbound_forms(writes - bound.keys(), concern, child_report=child_report)
    forms_.update(bound)
    withdrawing = forms_.pop("withdraw_disclosure_form", None)
    disclosures = []
    if handler:  # who decided what, and why, is for the handlers, not for the readers of a disclosure
        for disclosure in concern.disclosures.select_related("to_organisation", "revoked_by"):
            form = None
            if WITHDRAW_DISCLOSURE in writes and disclosure.is_active:
                mine = withdrawing is not None and withdrawing.prefix == f"d{disclosure.pk}"
                form = withdrawing if mine else forms.WithdrawDisclosureForm(prefix=f"d{disclosure.pk}")
                withdrawing = None if mine else withdrawing
            disclosures.append({"disclosure": disclosure, "form": form})
    # The refused form (one at most: a POST is one action) leads the page: its errors in the summary at
    # the top, and "Fel:" in the title.
    error_form = next((form for form in bound.values() if form is not None and form.errors), None)
    can_raise = "action_form" in writes
    on_page = set(forms_) | ({RAISE_LINK} if can_raise else set())
    return {
        "concern": concern,
        "error_form": error_form,
        "tasks": [(anchor, label) for name, anchor, label in TASKS if name in on_page],
        "task_anchors": {anchor for name, anchor, _label in TASKS if name in on_page},
        "can_raise": can_raise,
        "needed": needed(concern, child_report=child_report, coordinator=coordinator),
        "later_steps": services.later_steps(concern.state),
        "referrals": [
            {"referral": referral, "preconditions": referral_labels(referral)}
            for referral in concern.referrals.select_related("consent", "recorded_by")
        ]
        if handler
        else [],
        "is_handler": handler,
        "is_coordinator": coordinator,
        "needs_child_report": child_report,
        # The page's two sections, shown when they hold a form (the central coordinator's hand-over has its own).
        "handling": handler and any(name in forms_ for name in HANDLING_FORMS),
        "coordinating": coordinator and any(name in forms_ for name in COORDINATING_FORMS),
        "can_withdraw_consent": WITHDRAW_CONSENT in writes,
        "disclosures": disclosures,
        "withdraw_errors": withdrawing,  # a refused withdrawal of a disclosure no longer active
        "can_hand_over": can_hand_over,  # the central queue
        # Asked only where the page says it (the central coordinator's notice): one query.
        "in_central_queue": can_hand_over and not coordinator and permissions.concern_in_central_queue(concern),
        "next_state": services.NEXT_STATE.get(concern.state),
        "assessment_areas": [label for value, label in AssessmentArea.choices if value in concern.assessment_areas],
        "events": _chronology(concern, handler=handler),
        # A raising in a forum names the forum (vbe.collaboration's ForumRaising, by its reverse accessor).
        "actions": concern.actions.select_related("district", "forum_raising__forum").defer("district__geometry"),
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
        actor=request.user,
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
    record(action="personnummer_revealed", actor=request.user, obj=concern, subject_ref=concern.reference)
    context = _detail_context(request, concern)
    context["revealed_pnr"] = concern.person_pnr
    return render(request, "concerns/detail.html", context)
