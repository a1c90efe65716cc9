"""Lists of concerns: the reporter's own reports, and the handlers' case list (with its personnummer
look-up). Each page viewed writes the access log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_safe

from vbe.accounts import permissions
from vbe.accounts.models import Role
from vbe.accounts.permissions import Action
from vbe.audit.log import record
from vbe.concerns import awaiting, forms
from vbe.concerns.models import Concern, State
from vbe.concerns.retention import days_left
from vbe.core import newest_first, personnummer

PER_PAGE = 25


@login_required
@require_safe
def my_reports(request: HttpRequest) -> HttpResponse:
    concerns = Concern.objects.filter(reporter=request.user).select_related("reported_to").order_by("-created_at")
    page = Paginator(concerns, PER_PAGE).get_page(request.GET.get("sida"))
    record(action="concern_own_list_viewed", actor=request.user, detail=f"sida {page.number}")
    return render(request, "concerns/mine.html", {"page": page})


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
            "query": urlencode({"steg": state}) if state else "",
            "search": search,
            "searched": searched,
            "central_queue": permissions.has_role(request.user, Role.CENTRAL_COORDINATOR),
            # Its own section: reference, organisation, date and step only, never searched or filtered.
            "awaiting": awaiting.awaiting_page(request),
        },
    )
