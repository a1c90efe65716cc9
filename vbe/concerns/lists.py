"""Lists of concerns: the reporter's own reports, and the handlers' case list (with its personnummer
look-up). Each page viewed writes the access log."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from vbe.accounts import permissions
from vbe.accounts.models import Role
from vbe.accounts.permissions import Action
from vbe.audit.log import record
from vbe.concerns import awaiting, forms
from vbe.concerns.models import ActionKind, ActionTaken, Concern, State
from vbe.concerns.retention import days_left
from vbe.concerns.services import CHILD_ANSWERS
from vbe.core import newest_first, personnummer

PER_PAGE = 25


@login_required
@require_safe
def my_reports(request: HttpRequest) -> HttpResponse:
    concerns = Concern.objects.filter(reporter=request.user).select_related("reported_to").order_by("-created_at")
    page = Paginator(concerns, PER_PAGE).get_page(request.GET.get("sida"))
    record(action="concern_own_list_viewed", actor=request.user, detail=f"sida {page.number}")
    return render(request, "concerns/mine.html", {"page": page})


# --- The inbox's questions, as querysets ------------------------------------------------------------
# The coordinator's start page counts these and the case list filters by them, so a count and the list
# it links to are the same rows by construction.


def needs_child_report_q() -> Q:
    """The queryset form of ``vbe.concerns.services.needs_child_report`` (one definition, asked of the
    database: a test holds the two equal): a concern about a child, or perhaps one, with neither an
    orosanmälan on record (by whom) nor a written reason why none was made. An empty encrypted value is
    stored empty, so both "not written" conditions are plain comparisons."""
    reported = ActionTaken.objects.filter(concern=OuterRef("pk"), kind=ActionKind.CHILD_WELFARE_REPORT).exclude(
        made_by=""
    )
    return Q(concerns_child__in=CHILD_ANSWERS, child_report_not_made_reason="") & ~Q(Exists(reported))


def inactive_days() -> int:
    return settings.VBE_CONCERN_INACTIVE_DAYS


def inactive_q(now: datetime.datetime | None = None) -> Q:
    """Open, and nothing written for ``VBE_CONCERN_INACTIVE_DAYS`` days. Every write to a concern goes
    through ``writes._save``, which saves the row (``updated_at``) and adds a chronology entry, so the
    row's own stamp is its latest activity; reading it is no activity."""
    since = (now or timezone.now()) - datetime.timedelta(days=inactive_days())
    return ~Q(state=State.CLOSED) & Q(updated_at__lt=since)


def handled_by_q(user: Any) -> Q:
    """The concerns ``user`` handles (``permissions._concern_handler`` as a condition): their
    coordinating organisations' concerns and those assigned to them as a caseworker; not what was only
    disclosed to them, which they read but do not handle."""
    return Q(organisation_id__in=permissions.org_ids_with(user, Role.COORDINATOR)) | Q(
        assigned_to_id=user.pk, organisation_id__in=permissions.org_ids_with(user, Role.CASEWORKER)
    )


@dataclass(frozen=True)
class ListFilter:
    """A yes/no filter of the case list: its query parameter, its label and the rows it keeps."""

    parameter: str
    label: str
    condition: Callable[[Any], Q]  # the user -> the rows kept


def list_filters() -> list[ListFilter]:
    days = inactive_days()
    return [
        ListFilter(
            "att_hantera", _("Ärenden du hanterar (inte sådana som bara röjts för din organisation)"), handled_by_q
        ),
        ListFilter("mina", _("Tilldelade dig"), lambda user: Q(assigned_to_id=user.pk)),
        ListFilter("oppna", _("Öppna (inte avslutade)"), lambda user: ~Q(state=State.CLOSED)),
        ListFilter(
            "barn_utan_anmalan",
            _("Öppna ärenden om barn utan registrerad orosanmälan"),
            lambda user: ~Q(state=State.CLOSED) & needs_child_report_q(),
        ),
        ListFilter(
            "inaktiv",
            ngettext(
                "Öppna ärenden utan aktivitet på minst %(days)s dag",
                "Öppna ärenden utan aktivitet på minst %(days)s dagar",
                days,
            )
            % {"days": days},
            lambda user: inactive_q(),
        ),
    ]


def filtered(user: Any, concerns: QuerySet, params: Any) -> tuple[QuerySet, list[ListFilter], dict[str, str]]:
    """``concerns`` narrowed by the yes/no filters set to "1" in ``params`` (anything else is no filter),
    the filters applied, and the query parameters that keep them in the paging links."""
    applied = [f for f in list_filters() if params.get(f.parameter) == "1"]
    for list_filter in applied:
        concerns = concerns.filter(list_filter.condition(user))
    return concerns, applied, {f.parameter: "1" for f in applied}


# What a row of the case list shows, and the position it is paged by. The encrypted texts are not read
# (only the personnummer, to show it masked).
LIST_FIELDS = (
    "pk",
    "reference",
    "created_at",
    "state",
    "concerns_child",
    "person_pnr",
    "retain_until",
    "legal_hold",
    "purged_at",
    "organisation__name",
    "organisation__short_name",
    "assigned_to__full_name",
    "assigned_to__email",
)
# A personnummer search shows its hits on one page: the links of a paged list cannot carry the number.
SEARCH_HITS = 100


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def case_list(request: HttpRequest) -> HttpResponse:
    """The handler's list. Personnummer look-up is by POST, so no number ever lands in a URL or log.
    Paged newest first by position (vbe.core.newest_first): no page costs more than the first."""
    permissions.require(request.user, Action.LIST_CONCERNS)
    concerns = permissions.concerns_visible_to(request.user, Concern.objects.all())
    state = request.GET.get("steg", "")
    if state in State.values:
        concerns = concerns.filter(state=state)
    else:
        state = ""
    concerns, applied, kept = filtered(request.user, concerns, request.GET)
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
            actor=request.user,
            subject_ref=f"pnr:{index}",
            detail="sökning på personnummer",
        )
    # Marked "saknar samordnare" while in the central queue: decided now, as the access rule decides it.
    rows = (
        concerns.select_related("organisation", "assigned_to")
        .only(*LIST_FIELDS)
        .annotate(
            in_central_queue=ExpressionWrapper(permissions.concerns_in_central_queue(), output_field=BooleanField())
        )
    )
    if searched:
        page = newest_first.get_page(rows, {}, per_page=SEARCH_HITS)
    else:
        page = newest_first.get_page(rows, request.GET)
    shown = "första sidan" if page.newer is None else f"sida från {page.object_list[0].reference}"
    record(action="concern_list_viewed", actor=request.user, detail=shown)
    rows = [{"concern": c, "masked_pnr": personnummer.mask(c.person_pnr), "days_left": days_left(c)} for c in page]
    return render(
        request,
        "concerns/case_list.html",
        {
            "page": page,
            "rows": rows,
            "states": State.choices,
            "state": state,
            "query": urlencode({**({"steg": state} if state else {}), **kept}),
            "filters": list_filters(),
            "applied": applied,
            "applied_parameters": set(kept),
            # What the filters keep, in words: the table's caption says what it shows.
            "filter_summary": "; ".join(
                ([_("Steg: %(state)s") % {"state": State(state).label}] if state else [])
                + [str(f.label) for f in applied]
            ),
            # What the unfiltered list holds, said in words by role (permissions.concerns_visible_to).
            "coordinating": permissions.has_role(request.user, Role.COORDINATOR),
            "caseworking": permissions.has_role(request.user, Role.CASEWORKER),
            "search": search,
            "searched": searched,
            "central_queue": permissions.has_role(request.user, Role.CENTRAL_COORDINATOR),
            "inactive_days": inactive_days(),
            # Its own section: reference, organisation, date and step only, never searched or filtered.
            "awaiting": awaiting.awaiting_page(request),
        },
    )
