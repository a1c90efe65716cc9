from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from vbe.accounts import permissions
from vbe.accounts.models import Role
from vbe.accounts.permissions import Action
from vbe.audit.log import record
from vbe.concerns.models import Concern
from vbe.core import svg
from vbe.guidelines.vocabulary import Environment
from vbe.incidents import services, statistics, uploads
from vbe.incidents.forms import (
    AwaitingRerouteForm,
    ListFilterForm,
    PeriodForm,
    ReportForm,
    RerouteForm,
    StatusForm,
    new_token,
)
from vbe.incidents.models import REFERENCE_PREFIX, TRANSITIONS, Category, Incident, IntakeRoute, Status
from vbe.organisations.models import District, Neighbourhood, Organisation, Unit

PER_PAGE = 25
# What may reach a database look-up from a URL: anything else is simply not found (and a NUL byte,
# for one, is an error on PostgreSQL rather than no match).
REFERENCE_PATTERN = re.compile(rf"{REFERENCE_PREFIX}-\d{{4}}-\d{{5,}}")
DISTRICT_CODE_PATTERN = re.compile(r"[0-9A-Za-z-]{1,10}")


# --- Access helpers -------------------------------------------------------------------------------


def _visible(request: HttpRequest) -> QuerySet[Incident]:
    return permissions.incidents_visible_to(request.user, Incident.objects.all())


def _visible_incident(request: HttpRequest, pk: int) -> Incident:
    """Outside the user's scope: 404, so nobody learns which numbers exist. Inside: the rule decides."""
    incident = get_object_or_404(
        _visible(request).select_related(
            "district", "neighbourhood", "unit", "organisation", "reporter_organisation", "reporter"
        ),
        pk=pk,
    )
    permissions.require(request.user, Action.VIEW_INCIDENT, incident)
    return incident


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
        .order_by("name")
    )
    return list(organisations.values()), units


def _place_map(selected_code: str) -> str:
    districts = District.objects.filter(is_active=True).exclude(geometry=None).order_by("name")
    base = reverse("incidents:report")
    areas = [
        svg.MapArea(
            key=d.code,
            name=d.name,
            geometry=d.geometry,
            label=d.name.replace("-", "-\n").replace(" ", "\n"),
            href=f"{base}?omrade={d.code}#plats",
            link_label=f"Välj {d.name}" + (" (valt)" if d.code == selected_code else ""),
            selected=d.code == selected_code,
        )
        for d in districts
    ]
    return svg.area_map(
        areas,
        chart_id="report-map",
        title="Karta över stadsdelsområdena",
        description="Välj området där händelsen hände. Samma val finns i listan Stadsdelsområde.",
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, Action.REPORT_INCIDENT)
    organisations, units = _reporting_choices(request.user)
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, organisations=organisations, units=units)
        if form.is_valid():
            data = form.cleaned_data
            try:
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
                    submission_token=data["token"],
                    request=request,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect(incident.get_receipt_url())
    else:
        code = request.GET.get("omrade", "")
        chosen = (
            District.objects.filter(is_active=True, code=code).first()
            if DISTRICT_CODE_PATTERN.fullmatch(code)
            else None
        )
        form = ReportForm(initial={"token": new_token(), "district": chosen}, organisations=organisations, units=units)
    context = {
        "form": form,
        "place_map": _place_map(str(form["district"].value() or "")),
        "photos_dropped": request.method == "POST" and bool(request.FILES) and bool(form.errors),
        "today": timezone.localdate(),
    }
    return render(request, "incidents/report.html", context)


@require_safe
@login_required
def receipt(request: HttpRequest, reference: str) -> HttpResponse:
    """Only the reporter's own: reference, when, where it was sent, and the status."""
    if not REFERENCE_PATTERN.fullmatch(reference):
        raise Http404("Kvittot finns inte.")
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


# --- Handling ---------------------------------------------------------------------------------------


@require_safe
@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    """Incidents in the user's scope (routed to, reported by or at a unit of theirs). The scoped
    queryset is the access control; filters are status, type and month, never anything about persons."""
    permissions.require(request.user, Action.LIST_INCIDENTS)
    form = ListFilterForm(request.GET or None)
    # Marked "saknar samordnare" while in the central queue: decided now, as the access rule decides it.
    incidents = (
        _visible(request)
        .select_related("district", "neighbourhood")
        .annotate(
            in_central_queue=ExpressionWrapper(permissions.incidents_in_central_queue(), output_field=BooleanField())
        )
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            incidents = incidents.filter(status=data["status"])
        if data["category"]:
            incidents = incidents.filter(category=data["category"])
        if data["month"]:
            incidents = incidents.filter(occurred_on__year=data["month"].year, occurred_on__month=data["month"].month)
    page = Paginator(incidents.order_by("-created_at", "-pk"), PER_PAGE).get_page(request.GET.get("sida"))
    query = request.GET.copy()
    query.pop("sida", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "central_queue": permissions.has_role(request.user, Role.CENTRAL_COORDINATOR),
        "awaiting": _awaiting_page(request),
    }
    return render(request, "incidents/list.html", context)


# --- Waiting for a new coordinator ------------------------------------------------------------------
# Open incidents whose council's coordinators left after they arrived. Removing a coordinator takes one
# administrator alone, so it opens nothing: the central coordinators see the reference, district, date
# and category, and may re-route the incident to an organisation that has a coordinator, never read it.

AWAITING_PARAMETER = "vantar_sida"
# Only these columns are read: not the description, the place, the reporter or the photos.
AWAITING_FACTS = ("pk", "reference", "district__name", "created_at", "category")


def _awaiting(request: HttpRequest) -> QuerySet:
    return (
        permissions.incidents_awaiting_coordinator(request.user, Incident.objects.all())
        .order_by("created_at", "pk")
        .values(*AWAITING_FACTS)
    )


def _with_label(facts: dict) -> dict:
    return {**facts, "category_label": Category(facts["category"]).label}


def _awaiting_page(request: HttpRequest):
    """The list's section "Händelser som väntar på en ny samordnare", logged by reference."""
    if not permissions.has_role(request.user, Role.CENTRAL_COORDINATOR):
        return None
    page = Paginator(_awaiting(request), PER_PAGE).get_page(request.GET.get(AWAITING_PARAMETER))
    page.object_list = [_with_label(f) for f in page.object_list]
    if page.object_list:
        record(
            action="incident_awaiting_list_viewed",
            request=request,
            detail=f"sida {page.number}: " + ", ".join(f["reference"] for f in page.object_list),
        )
    return page


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def reroute_awaiting(request: HttpRequest, pk: int) -> HttpResponse:
    """Reference, district, date and category, and the re-route form: never the incident's content."""
    facts = _awaiting(request).filter(pk=pk).first()
    incident = Incident.objects.only("pk", "organisation_id", "status").filter(pk=pk).first()
    if facts is None or not permissions.can(request.user, Action.REROUTE_INCIDENT, incident):
        if incident is not None:
            record(action="incident_access_refused", request=request, obj=incident, outcome="denied")
        raise Http404("Händelsen finns inte.")
    form = AwaitingRerouteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        to_organisation = form.cleaned_data["to_organisation"]
        try:
            # The service asks REROUTE_INCIDENT again under the row lock, refuses an organisation without
            # a coordinator for an incident that waits unread, and logs the re-routing.
            services.reroute_incident(
                incident=incident, actor=request.user, to_organisation=to_organisation, request=request
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{facts['reference']} är skickad vidare till {to_organisation.name}.")
            return redirect("incidents:list")
    record(action="incident_awaiting_viewed", request=request, obj=incident, detail=facts["reference"])
    return render(
        request,
        "incidents/awaiting_reroute.html",
        {"facts": _with_label(facts), "form": form},
        status=400 if form.is_bound else 200,
    )


def _render_detail(
    request: HttpRequest,
    incident: Incident,
    status_form: StatusForm | None,
    reroute_form: RerouteForm | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    record(action="incident_viewed", request=request, obj=incident, detail=incident.reference)
    can_handle = permissions.can(request.user, Action.HANDLE_INCIDENT, incident)
    can_reroute = permissions.can(request.user, Action.REROUTE_INCIDENT, incident)
    context = {
        "incident": incident,
        "photos": list(incident.photos.all()),
        "changes": list(incident.status_changes.select_related("changed_by")),
        "can_handle": can_handle,
        "status_form": status_form,
        "reroute_form": (reroute_form or RerouteForm()) if can_reroute else None,
        "in_central_queue": permissions.incident_in_central_queue(incident),
    }
    return render(request, "incidents/detail.html", context, status=status)


@require_safe
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _visible_incident(request, pk)
    handles = permissions.can(request.user, Action.HANDLE_INCIDENT, incident)
    status_form = StatusForm(current=incident.status) if handles and TRANSITIONS[incident.status] else None
    return _render_detail(request, incident, status_form)


@login_required
@require_POST
def change_status(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_object_or_404(_visible(request).select_related("district", "neighbourhood", "unit"), pk=pk)
    permissions.require(request.user, Action.HANDLE_INCIDENT, incident)
    form = StatusForm(request.POST, current=incident.status)
    if form.is_valid():
        change = services.STATUS_SERVICES[Status(form.cleaned_data["to_status"])]
        try:
            change(incident=incident, actor=request.user, comment=form.cleaned_data["comment"], request=request)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, f"{incident.reference} är {Status(form.cleaned_data['to_status']).label.lower()}."
            )
            # Closed, an incident leaves the central queue: the central coordinator goes back to the list.
            incident.refresh_from_db()
            if permissions.can(request.user, Action.VIEW_INCIDENT, incident):
                return redirect(incident.get_absolute_url())
            return redirect("incidents:list")
    incident.refresh_from_db()  # another handler may have changed it: show what it is now
    return _render_detail(request, incident, form)


@login_required
@require_POST
def reroute(request: HttpRequest, pk: int) -> HttpResponse:
    """The central coordinator sends an incident that waits for lack of a coordinator on."""
    incident = _visible_incident(request, pk)
    permissions.require(request.user, Action.REROUTE_INCIDENT, incident)
    form = RerouteForm(request.POST)
    if form.is_valid():
        to_organisation = form.cleaned_data["to_organisation"]
        try:
            services.reroute_incident(
                incident=incident, actor=request.user, to_organisation=to_organisation, request=request
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{incident.reference} är skickad vidare till {to_organisation.name}.")
            # Once it has a coordinator the incident is no longer ours to open: back to the list.
            incident.refresh_from_db()
            if permissions.can(request.user, Action.VIEW_INCIDENT, incident):
                return redirect(incident.get_absolute_url())
            return redirect("incidents:list")
    incident.refresh_from_db()
    status_form = StatusForm(current=incident.status) if TRANSITIONS[incident.status] else None
    return _render_detail(request, incident, status_form, form, status=400)


@require_safe
@login_required
def photo(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    """A photo, only to those who see the incident's content, always as a download (never rendered inline)."""
    incident = _visible_incident(request, pk)
    photos = list(incident.photos.all())
    index, picture = next(((i, p) for i, p in enumerate(photos, 1) if p.pk == photo_pk), (0, None))
    if picture is None:
        raise Http404("Bilden finns inte.")
    try:
        handle = uploads.path_for(picture.stored_name).open("rb")
    except (OSError, ValueError):
        raise Http404("Bilden finns inte.") from None
    record(
        action="incident_photo_downloaded", request=request, obj=incident, detail=f"{incident.reference} bild {index}"
    )
    extension = picture.stored_name.rsplit(".", 1)[-1]
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{incident.reference.replace('Ä', 'A')}-bild-{index}.{extension}",
        content_type=picture.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Statistics ---------------------------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[statistics.Period, PeriodForm]:
    this_year = timezone.localdate().year
    years = sorted({d.year for d in Incident.objects.dates("occurred_on", "year")} | {this_year}, reverse=True)
    form = PeriodForm(request.GET or None, years=years)
    if form.is_bound and form.is_valid() and form.cleaned_data["ar"]:
        return statistics.calendar_year(form.cleaned_data["ar"]), form
    return statistics.last_twelve_months(), form


def _concern_figures(
    concerns: QuerySet[Concern], period: statistics.Period, *, subject: str
) -> list[statistics.Figure]:
    """Concerns from the routine, counted by when the concern was observed. Always suppressed here:
    these pages are outside the handling organisation of many of them; handlers see theirs in full
    in their own case list."""
    counts = statistics.breakdown(concerns, period=period, date_field="observed_on", fields=["environment"])
    return [
        statistics.month_figure(
            counts.by_month, period, exact=False, key="concern-months", subject=subject, noun="Oro för individer"
        ),
        statistics.category_figure(
            Environment.choices,
            counts.by_field["environment"],
            exact=False,
            key="concern-environments",
            title=f"Oro för individer per miljö (rapportörens bedömning), {subject}, {period.label}",
        ),
    ]


def _figures(queryset: QuerySet[Incident], period: statistics.Period, *, exact: bool, subject: str) -> dict[str, Any]:
    counts = statistics.breakdown(queryset, period=period, date_field="occurred_on", fields=["category", "environment"])
    return {
        "counts": counts,
        "total_shown": statistics.shown_count(counts.total, exact=exact),
        "figures": [
            statistics.month_figure(counts.by_month, period, exact=exact, key="months", subject=subject),
            statistics.category_figure(
                Category.choices,
                counts.by_field["category"],
                exact=exact,
                key="categories",
                title=f"Händelser per typ, {subject}, {period.label}",
            ),
            statistics.category_figure(
                Environment.choices,
                counts.by_field["environment"],
                exact=exact,
                key="environments",
                title=f"Händelser per miljö, {subject}, {period.label}",
            ),
        ],
    }


@require_safe
@login_required
def city_statistics(request: HttpRequest) -> HttpResponse:
    """The city: no one is the handling organisation of all of it, so its figures are suppressed for
    everyone; each district's count is exact only to that district's council coordinators."""
    permissions.require(request.user, Action.VIEW_STATISTICS)
    period, form = _period(request)
    incidents = Incident.objects.all()
    context = _figures(incidents, period, exact=False, subject="hela staden")
    context["concern_figures"] = _concern_figures(Concern.objects.all(), period, subject="hela staden")
    within = incidents.filter(occurred_on__gte=period.start, occurred_on__lte=period.end)
    per_district = statistics.count_by(within, "district_id")
    districts = [
        d for d in District.objects.select_related("council").order_by("name") if d.is_active or per_district.get(d.pk)
    ]
    # One class for 1–4 and "<5" in the legend: the map is the same picture for everyone.
    classes = statistics.shade_classes([per_district.get(d.pk, 0) for d in districts], suppressed=True)
    rows, areas, exact_for = [], [], []
    for district in districts:
        count = per_district.get(district.pk, 0)
        council = getattr(district, "council", None)
        exact = statistics.sees_exact_counts(request.user, council.pk if council else None)
        if exact:
            exact_for.append(district.name)
        shown = statistics.shown_count(count, exact=exact)
        label = district.name if district.is_active else f"{district.name} (tidigare område)"
        rows.append(statistics.Row(label, count, shown, reverse("incidents:district_statistics", args=[district.code])))
        if district.is_active and district.geometry:
            areas.append(
                svg.MapArea(
                    key=district.code,
                    name=district.name,
                    geometry=district.geometry,
                    label=shown,
                    shade=statistics.shade_of(count, classes),
                )
            )
    description = "Karta över stadsdelsområdena, färgade efter antal händelser: mörkare betyder fler. " + "; ".join(
        f"{r.label}: {r.shown}" for r in rows
    )
    context |= {
        "form": form,
        "period": period,
        "district_rows": rows,
        "district_map": svg.area_map(
            areas,
            chart_id="chart-districts",
            title=f"Händelser per stadsdelsområde, {period.label}",
            description=description + ". Samma siffror finns i tabellen under kartan.",
        ),
        "legend": classes,
        "exact_for": exact_for,
    }
    return render(request, "incidents/statistics_city.html", context)


@require_safe
@login_required
def district_statistics(request: HttpRequest, code: str) -> HttpResponse:
    permissions.require(request.user, Action.VIEW_STATISTICS)
    district = get_object_or_404(District.objects.select_related("council"), code=code)
    council = getattr(district, "council", None)
    exact = statistics.sees_exact_counts(request.user, council.pk if council else None)
    period, form = _period(request)
    incidents = Incident.objects.filter(district=district)
    context = _figures(incidents, period, exact=exact, subject=district.name)
    # A concern belongs to the district where it was observed, or else to its district council.
    in_district = Concern.objects.filter(
        Q(district=district) | Q(district__isnull=True, organisation__district=district)
    )
    context["concern_figures"] = _concern_figures(in_district, period, subject=district.name)
    within = incidents.filter(occurred_on__gte=period.start, occurred_on__lte=period.end)
    per_neighbourhood = statistics.count_by(within, "neighbourhood_id")
    # The district's neighbourhoods, and any that have since moved to another district but hold old incidents.
    neighbourhoods = list(
        Neighbourhood.objects.filter(Q(district=district) | Q(pk__in=[k for k in per_neighbourhood if k]))
        .order_by("name")
        .values_list("pk", "name")
    )
    if per_neighbourhood.get(None):
        neighbourhoods.append((None, "Ingen stadsdel angiven"))
    neighbourhood_rows = statistics.rows_for(neighbourhoods, per_neighbourhood, exact=exact)
    context |= {
        "form": form,
        "period": period,
        "district": district,
        "council": council,
        "exact": exact,
        "neighbourhood_rows": neighbourhood_rows,
    }
    return render(request, "incidents/statistics_district.html", context)
