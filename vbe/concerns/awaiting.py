"""Concerns waiting for a new coordinator: open concerns whose organisation's coordinators left after
the concern arrived (vbe.accounts.permissions.concerns_awaiting_coordinator).

Removing or deactivating a coordinator takes one administrator alone, so it must not open the
organisation's caseload to anyone. The central coordinators therefore see only the facts needed to
send such a concern on (reference, organisation, date received, step), never its content, and may
hand it over, with a legal ground, to an organisation that has a coordinator. Each look and each
hand-over is logged.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from vbe.accounts import permissions, recipients
from vbe.accounts.models import Role
from vbe.accounts.permissions import Action
from vbe.audit.log import record
from vbe.concerns import refusals, sharing
from vbe.concerns.forms import VersionedForm
from vbe.concerns.models import Concern, State
from vbe.core.submission import submit

PER_PAGE = 25
PAGE_PARAMETER = "vantar_sida"
# Only these columns are ever read for the waiting concerns: the encrypted content is not even loaded.
FACTS = ("pk", "reference", "organisation__name", "created_at", "state", "lock_version")


def awaiting(user: Any) -> Any:
    """The waiting concerns as facts only (dicts, not concerns): nothing else can reach a template."""
    return (
        permissions.concerns_awaiting_coordinator(user, Concern.objects.all())
        .order_by("created_at", "pk")
        .values(*FACTS)
    )


def _with_label(facts: dict) -> dict:
    return {**facts, "state_label": State(facts["state"]).label}


def awaiting_page(request: HttpRequest) -> Page | None:
    """The case list's section "Ärenden som väntar på en ny samordnare", logged by reference."""
    if not permissions.has_role(request.user, Role.CENTRAL_COORDINATOR):
        return None
    page = Paginator(awaiting(request.user), PER_PAGE).get_page(request.GET.get(PAGE_PARAMETER))
    page.object_list = [_with_label(f) for f in page.object_list]
    if page.object_list:
        record(
            action="concern_awaiting_list_viewed",
            actor=request.user,
            detail=f"sida {page.number}: " + ", ".join(f["reference"] for f in page.object_list),
        )
    return page


class AwaitingHandOverForm(VersionedForm):
    """Only organisations that have an active coordinator: a concern its reader may not read must not
    arrive where the central coordinators could read it (the central queue)."""

    to_organisation = forms.ModelChoiceField(
        queryset=None,
        label=gettext_lazy("Till organisation"),
        help_text=gettext_lazy("Bara organisationer som har en aktiv lokal samordnare kan ta emot ärendet."),
        empty_label=gettext_lazy("Välj organisation"),
        error_messages={
            "required": gettext_lazy("Välj organisation."),
            "invalid_choice": gettext_lazy("Välj en organisation i listan."),
        },
    )
    legal_ground = forms.CharField(
        label=gettext_lazy("Rättslig grund"),
        max_length=300,
        help_text=gettext_lazy("T.ex. sekretessbrytande bestämmelse i offentlighets- och sekretesslagen."),
        error_messages={"required": gettext_lazy("Ange den rättsliga grunden.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_organisation"].queryset = recipients.organisations_marked_for_coordinator().filter(
            has_coordinator=True
        )


def _waiting_facts(request: HttpRequest, reference: str) -> dict:
    """The facts of a concern waiting for a new coordinator, if the user may hand it over; else 404 (the
    attempt logged), so nobody learns which references exist."""
    facts = awaiting(request.user).filter(reference=reference).first()
    concern = None
    if facts is not None:
        concern = Concern.objects.only("pk", "organisation_id", "state").get(pk=facts["pk"])
    if concern is None or not permissions.can(request.user, Action.HAND_OVER_CONCERN, concern):
        existing = concern or Concern.objects.filter(reference=reference).only("pk", "organisation_id").first()
        refusals.log_refused(request, reference, existing)
        raise Http404
    return _with_label(facts)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def hand_over(request: HttpRequest, reference: str) -> HttpResponse:
    """Reference, organisation, date and step, and the hand-over form: never the concern's content."""
    facts = _waiting_facts(request, reference)
    form = AwaitingHandOverForm(
        request.POST if request.method == "POST" else None, initial={"lock_version": facts["lock_version"]}
    )

    def page(form: forms.BaseForm) -> HttpResponse:
        record(
            action="concern_awaiting_viewed",
            actor=request.user,
            object_type="concerns.concern",
            object_id=str(facts["pk"]),
            subject_ref=facts["reference"],
        )
        return render(request, "concerns/awaiting_hand_over.html", {"facts": facts, "form": form})

    if request.method != "POST":
        return page(form)
    # The service asks HAND_OVER_CONCERN again under the row lock, undoes it all should the receiver
    # have no coordinator by then, and logs the hand-over.
    return submit(
        request,
        form,
        lambda data: sharing.hand_over_unread(
            actor=request.user,
            concern_id=facts["pk"],
            lock_version=data["lock_version"],
            to_organisation=data["to_organisation"],
            legal_ground=data["legal_ground"],
        ),
        done=lambda concern: (
            _(
                "%(reference)s är överlämnat till %(organisation)s. Ett meddelande skickas till dess lokala "
                "samordnare, som hanterar det nu."
            )
            % {"reference": concern.reference, "organisation": concern.organisation.name}
        ),
        next_url=lambda concern: reverse("concerns:case_list"),
        page_again=page,
    )
