"""Handling an incident: the scoped list, the detail page, status changes, re-routing, photos, and
the central coordinators' queue of incidents waiting for a new coordinator."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from vbe.accounts import permissions
from vbe.accounts.models import Role
from vbe.accounts.permissions import Action
from vbe.audit.log import record
from vbe.incidents import services, uploads
from vbe.incidents.forms import AwaitingRerouteForm, ListFilterForm, RerouteForm, StatusForm
from vbe.incidents.models import TRANSITIONS, Category, Incident, Status
from vbe.incidents.views import PER_PAGE

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
