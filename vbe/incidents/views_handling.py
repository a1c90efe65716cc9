"""Handling an incident: the scoped list, the detail page, status changes, re-routing, photos, and
the central coordinators' queue of incidents waiting for a new coordinator."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from vbe.accounts import permissions
from vbe.accounts.models import Role
from vbe.accounts.permissions import Action
from vbe.audit.log import record
from vbe.core import newest_first
from vbe.core.submission import submit
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


HANDLED_PARAMETER = "att_hantera"
# What a row of the list shows, and the position it is paged by: not the description, the place or the
# reporter, and not the district's or neighbourhood's shape (kilobytes of GeoJSON each).
LIST_FIELDS = (
    "pk",
    "reference",
    "occurred_on",
    "category",
    "status",
    "created_at",
    "district__name",
    "neighbourhood__name",
)


@require_safe
@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    """Incidents in the user's scope (routed to, reported by or at a unit of theirs). The scoped
    queryset is the access control; filters are status, type and month, never anything about persons.
    Paged newest first by position (vbe.core.newest_first): no page costs more than the first."""
    permissions.require(request.user, Action.LIST_INCIDENTS)
    form = ListFilterForm(request.GET or None)
    incidents = _visible(request)
    # "att_hantera=1": only those the user handles (``permissions._incident_handler`` as a condition),
    # not those only reported by their organisation or seen at their unit: the coordinator's inbox links here.
    to_handle = request.GET.get(HANDLED_PARAMETER) == "1"
    if to_handle:
        central = permissions.has_role(request.user, Role.CENTRAL_COORDINATOR)
        incidents = incidents.filter(
            Q(organisation_id__in=permissions.org_ids_with(request.user, Role.COORDINATOR))
            | (permissions.incidents_in_central_queue() if central else Q(pk__in=[]))
        )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            incidents = incidents.filter(status=data["status"])
        if data["category"]:
            incidents = incidents.filter(category=data["category"])
        if data["month"]:
            # A date range, which the index on occurred_on answers (a month number would not).
            first = data["month"].replace(day=1)
            following = (first + timedelta(days=31)).replace(day=1)
            incidents = incidents.filter(occurred_on__gte=first, occurred_on__lt=following)
    # Marked "saknar samordnare" while in the central queue: decided now, as the access rule decides it.
    rows = (
        incidents.select_related("district", "neighbourhood")
        .only(*LIST_FIELDS)
        .annotate(
            in_central_queue=ExpressionWrapper(permissions.incidents_in_central_queue(), output_field=BooleanField())
        )
    )
    page = newest_first.get_page(rows, request.GET)
    query = request.GET.copy()
    for parameter in ("sida", *newest_first.PARAMETERS):
        query.pop(parameter, None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "central_queue": permissions.has_role(request.user, Role.CENTRAL_COORDINATOR),
        "awaiting": _awaiting_page(request),
        "to_handle": to_handle,
        # What the filters keep, in words: the table's caption says what it shows.
        "filter_summary": "; ".join(
            ([_("Status: %(status)s") % {"status": Status(status).label}] if (status := _chosen_status(form)) else [])
            + ([_("Skickade till din organisation att hantera")] if to_handle else [])
        ),
        "can_handle": permissions.has_role(request.user, Role.COORDINATOR, Role.CENTRAL_COORDINATOR),
    }
    return render(request, "incidents/list.html", context)


def _chosen_status(form: ListFilterForm) -> str:
    return form.cleaned_data["status"] if form.is_bound and form.is_valid() else ""


# --- Waiting for a new coordinator ------------------------------------------------------------------
# Open incidents whose council's coordinators left after they arrived. Removing a coordinator takes one
# administrator alone, so it opens nothing: the central coordinators see the reference, district, date
# and category, and may re-route the incident to an organisation that has a coordinator, never read it.

AWAITING_PARAMETER = "vantar_sida"
# Only these columns are read: not the description, the place, the reporter or the photos.
AWAITING_FACTS = ("pk", "reference", "district__name", "created_at", "category", "lock_version")


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
            actor=request.user,
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
            record(action="incident_access_refused", actor=request.user, obj=incident, outcome="denied")
        raise Http404(_("Händelsen finns inte."))
    form = AwaitingRerouteForm(
        request.POST if request.method == "POST" else None, initial={"lock_version": facts["lock_version"]}
    )

    def page(form: forms.BaseForm) -> HttpResponse:
        record(action="incident_awaiting_viewed", actor=request.user, obj=incident, detail=facts["reference"])
        return render(request, "incidents/awaiting_reroute.html", {"facts": _with_label(facts), "form": form})

    if request.method != "POST":
        return page(form)
    # The service asks REROUTE_INCIDENT again under the row lock, refuses an organisation without a
    # coordinator for an incident that waits unread, and logs the re-routing.
    return submit(
        request,
        form,
        lambda data: services.reroute_incident(
            actor=request.user,
            incident_id=pk,
            lock_version=data["lock_version"],
            to_organisation=data["to_organisation"],
        ),
        done=lambda moved: (
            _("%(reference)s är skickad vidare till %(organisation)s.")
            % {"reference": facts["reference"], "organisation": moved.organisation.name}
        ),
        next_url=lambda moved: reverse("incidents:list"),
        page_again=page,
    )


def _render_detail(
    request: HttpRequest,
    incident: Incident,
    status_form: forms.BaseForm | None,
    reroute_form: forms.BaseForm | None = None,
) -> HttpResponse:
    """The incident's page; a form refused by its service comes back bound, with its errors."""
    record(action="incident_viewed", actor=request.user, obj=incident, detail=incident.reference)
    can_handle = permissions.can(request.user, Action.HANDLE_INCIDENT, incident)
    can_reroute = permissions.can(request.user, Action.REROUTE_INCIDENT, incident)
    context = {
        "incident": incident,
        "photos": list(incident.photos.all()),
        "changes": list(incident.status_changes.select_related("changed_by")),
        "can_handle": can_handle,
        "status_form": status_form,
        "reroute_form": (reroute_form or RerouteForm(initial={"lock_version": incident.lock_version}))
        if can_reroute
        else None,
        "in_central_queue": permissions.incident_in_central_queue(incident),
    }
    return render(request, "incidents/detail.html", context)


@require_safe
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _visible_incident(request, pk)
    handles = permissions.can(request.user, Action.HANDLE_INCIDENT, incident)
    return _render_detail(request, incident, _status_form(incident) if handles else None)


def _status_form(incident: Incident) -> StatusForm | None:
    """The form for the next status, carrying the version shown; None once there is no next status."""
    if not TRANSITIONS[incident.status]:
        return None
    return StatusForm(current=incident.status, initial={"lock_version": incident.lock_version})


def _next_page(request: HttpRequest, incident: Incident) -> str:
    """After a write: the incident, or the list once the user may no longer open it (closed, an incident
    leaves the central queue; re-routed to a council with a coordinator, it is no longer the central
    coordinator's)."""
    if permissions.can(request.user, Action.VIEW_INCIDENT, incident):
        return incident.get_absolute_url()
    return reverse("incidents:list")


@login_required
@require_POST
def change_status(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_object_or_404(_visible(request).select_related("district", "neighbourhood", "unit"), pk=pk)
    permissions.require(request.user, Action.HANDLE_INCIDENT, incident)

    def again(form: forms.BaseForm) -> HttpResponse:
        incident.refresh_from_db()  # another handler may have changed it: show what it is now
        return _render_detail(request, incident, form)

    return submit(
        request,
        StatusForm(request.POST, current=incident.status),
        lambda data: services.STATUS_SERVICES[Status(data["to_status"])](
            actor=request.user, incident_id=incident.pk, lock_version=data["lock_version"], comment=data["comment"]
        ),
        done=lambda changed: (
            _("%(reference)s är %(status)s.")
            % {"reference": changed.reference, "status": Status(changed.status).label.lower()}
        ),
        next_url=lambda changed: _next_page(request, changed),
        page_again=again,
    )


@login_required
@require_POST
def reroute(request: HttpRequest, pk: int) -> HttpResponse:
    """The central coordinator sends an incident that waits for lack of a coordinator on."""
    incident = _visible_incident(request, pk)
    permissions.require(request.user, Action.REROUTE_INCIDENT, incident)

    def again(form: forms.BaseForm) -> HttpResponse:
        incident.refresh_from_db()
        return _render_detail(request, incident, _status_form(incident), form)

    return submit(
        request,
        RerouteForm(request.POST),
        lambda data: services.reroute_incident(
            actor=request.user,
            incident_id=incident.pk,
            lock_version=data["lock_version"],
            to_organisation=data["to_organisation"],
        ),
        done=lambda moved: (
            _("%(reference)s är skickad vidare till %(organisation)s.")
            % {"reference": moved.reference, "organisation": moved.organisation.name}
        ),
        next_url=lambda moved: _next_page(request, moved),
        page_again=again,
    )


@require_safe
@login_required
def photo(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    """A photo, only to those who see the incident's content, always as a download (never rendered inline)."""
    incident = _visible_incident(request, pk)
    photos = list(incident.photos.all())
    index, picture = next(((i, p) for i, p in enumerate(photos, 1) if p.pk == photo_pk), (0, None))
    if picture is None:
        raise Http404(_("Bilden finns inte."))
    try:
        handle = uploads.open_photo(picture.stored_name)
    except (FileNotFoundError, ValueError):
        raise Http404(_("Bilden finns inte.")) from None
    record(
        action="incident_photo_downloaded",
        actor=request.user,
        obj=incident,
        detail=f"{incident.reference} bild {index}",
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
