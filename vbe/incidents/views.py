"""Reporting an incident, the reporter's receipt and own list. Handling is in ``views_handling``;
the statistics pages are ``vbe.statistics.views``."""

from __future__ import annotations

import functools
import re
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from vbe.accounts import permissions
from vbe.accounts.permissions import Action
from vbe.core import svg
from vbe.core.submission import submit
from vbe.incidents import services
from vbe.incidents.forms import ReportForm, new_token
from vbe.incidents.models import REFERENCE_PREFIX, Incident, IntakeRoute, Symbol
from vbe.organisations import shapes
from vbe.organisations.models import Organisation, Unit

PER_PAGE = 25
# What may reach a database look-up from a URL: anything else is simply not found (and a NUL byte,
# for one, is an error on PostgreSQL rather than no match).
REFERENCE_PATTERN = re.compile(rf"{REFERENCE_PREFIX}-\d{{4}}-\d{{5,}}")
DISTRICT_CODE_PATTERN = re.compile(r"[0-9A-Za-z-]{1,10}")
SYMBOL_SLUG_PATTERN = re.compile(r"[-a-zA-Z0-9_]{1,80}")


# --- Reporting --------------------------------------------------------------------------------------


def _reporting_choices(user: Any) -> tuple[list[Organisation], list[Unit]]:
    """The organisations one may report for (the header's first) and their units."""
    first = permissions.primary_membership(user)
    organisations: dict[int, Organisation] = {}
    for membership in sorted(permissions.memberships(user), key=lambda m: m != first):
        organisations.setdefault(membership.organisation_id, membership.organisation)
    units = list(
        Unit.objects.filter(organisation_id__in=organisations, is_active=True)
        .select_related("neighbourhood__district")
        # The shapes are for maps (vbe.organisations.shapes): a list of units needs only names.
        .defer("neighbourhood__geometry", "neighbourhood__district__geometry")
        .order_by("name")
    )
    return list(organisations.values()), units


def _symbol_from_guide(request: HttpRequest) -> Symbol | None:
    """The active symbol an entry of the symbol guide links with (``?symbol=<slug>``); anything else
    (unknown, inactive, malformed) is no symbol, without an error."""
    slug = request.GET.get("symbol", "")
    if not SYMBOL_SLUG_PATTERN.fullmatch(slug):
        return None
    return Symbol.objects.filter(slug=slug, is_active=True).only("pk", "slug", "name", "environment").first()


def _place_map(district_map: shapes.DistrictMap, selected_code: str, symbol: Symbol | None = None) -> str:
    """The active districts as links that choose one; drawn from the process's outlines, so no
    geometry is read here. A symbol chosen from the guide goes along (the map reloads the page without
    JavaScript)."""
    base = reverse("incidents:report")
    also = f"&symbol={symbol.slug}" if symbol is not None else ""
    areas = [
        svg.MapArea(
            key=d.code,
            name=d.name,
            geometry=None,
            label=d.name.replace("-", "-\n").replace(" ", "\n"),
            href=f"{base}?omrade={d.code}{also}#plats",
            link_label=(_("Välj %(district)s (valt)") if d.code == selected_code else _("Välj %(district)s"))
            % {"district": d.name},
            selected=d.code == selected_code,
        )
        for d in district_map.on_map()
    ]
    return svg.area_map(
        areas,
        chart_id="report-map",
        title=_("Karta över stadsdelsområdena"),
        description=_("Välj området där händelsen hände. Samma val finns i listan Stadsdelsområde."),
        outlines=district_map.outlines,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, Action.REPORT_INCIDENT)
    organisations, units = _reporting_choices(request.user)
    district_map = functools.cache(shapes.district_map)  # asked at most once per request
    from_guide = None
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, organisations=organisations, units=units)
    else:
        code = request.GET.get("omrade", "")
        # The district list's value is the code, so a code in use is the choice itself.
        chosen = code if DISTRICT_CODE_PATTERN.fullmatch(code) and code in district_map().active_codes() else None
        initial = {"token": new_token(), "district": chosen}
        if (from_guide := _symbol_from_guide(request)) is not None:
            initial |= {"symbol": from_guide.slug, "environment": from_guide.environment}
        form = ReportForm(initial=initial, organisations=organisations, units=units)

    def send(data: dict) -> Incident:
        incident, _created = services.report_incident(
            reporter=request.user,
            reporter_organisation=data["reporter_organisation"],
            district=data["resolved_district"],
            neighbourhood=data["resolved_neighbourhood"],
            unit=data["resolved_unit"],
            place_description=data["place_description"],
            category=data["category"],
            environment=data["environment"],
            occurred_on=data["occurred_on"],
            occurred_at=data["occurred_at"],
            description=data["description"],
            photos=data["photos"],
            symbol=data.get("symbol"),
            submission_token=data["token"],
        )
        return incident

    def page(form: ReportForm) -> HttpResponse:
        # The symbol being reported: from the guide's link, or as chosen in the form sent back.
        symbol = from_guide or getattr(form, "cleaned_data", {}).get("symbol")
        context = {
            "form": form,
            "reported_symbol": symbol,
            "place_map": _place_map(district_map(), str(form["district"].value() or ""), from_guide),
            "photos_dropped": form.is_bound and bool(request.FILES) and bool(form.errors),
            "today": timezone.localdate(),
        }
        return render(request, "incidents/report.html", context)

    return submit(
        request,
        form,
        send,
        done=None,  # the receipt says what happened
        next_url=lambda incident: incident.get_receipt_url(),
        page_again=page,
    )


@require_safe
@login_required
def receipt(request: HttpRequest, reference: str) -> HttpResponse:
    """Only the reporter's own: reference, when, where it was sent, and the status."""
    if not REFERENCE_PATTERN.fullmatch(reference):
        raise Http404(_("Kvittot finns inte."))
    # Only what the reporter was told at intake (``reported_to``, ``intake_route``): never where the
    # incident is now, nor who has it since.
    incident = get_object_or_404(
        Incident.objects.filter(reporter=request.user).select_related("intake__reported_to"), reference=reference
    )
    permissions.require(request.user, Action.VIEW_INCIDENT_RECEIPT, incident)
    intake = getattr(incident, "intake", None)  # every reported incident has one; a hand-made row may not
    return render(request, "incidents/receipt.html", {"incident": incident, "intake": intake, "routes": IntakeRoute})


@require_safe
@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The reporter's own incidents: reference, date and status only."""
    permissions.require(request.user, Action.REPORT_INCIDENT)
    own = Incident.objects.filter(reporter=request.user)
    page = Paginator(own.only("reference", "created_at", "status").order_by("-created_at", "-pk"), PER_PAGE).get_page(
        request.GET.get("sida")
    )
    return render(request, "incidents/mine.html", {"page": page})
