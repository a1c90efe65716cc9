from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from vbe.accounts import permissions
from vbe.accounts.coordinators import coordinator_overview, coordinators_prefetch
from vbe.accounts.models import Role
from vbe.accounts.permissions import Action
from vbe.guidelines.duties import duties_for
from vbe.organisations.models import Organisation, OrganisationKind

UNITS_PER_PAGE = 50


@require_safe
@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, Action.VIEW_ORGANISATIONS)
    organisations = list(Organisation.objects.filter(is_active=True))
    groups = [(label, [o for o in organisations if o.kind == kind]) for kind, label in OrganisationKind.choices]
    return render(request, "organisations/list.html", {"groups": [g for g in groups if g[1]]})


@require_safe
@login_required
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    permissions.require(request.user, Action.VIEW_ORGANISATIONS)
    organisation = get_object_or_404(
        Organisation.objects.select_related("parent", "district")
        .defer("district__geometry")  # geometry is for maps; pages here only need names
        .prefetch_related(coordinators_prefetch()),
        slug=slug,
    )
    units = Paginator(
        organisation.units.filter(is_active=True)
        .select_related("neighbourhood")
        .defer("neighbourhood__geometry")
        .order_by("name"),
        UNITS_PER_PAGE,
    ).get_page(request.GET.get("sida"))
    year = timezone.localdate().year
    context = {
        "organisation": organisation,
        "coordinators": organisation.coordinator_memberships,
        "units": units,
        "focus_areas": organisation.focus_areas.select_related("intervention_area").order_by("number"),
        "neighbourhoods": organisation.district.neighbourhoods.defer("geometry") if organisation.district_id else [],
        "children": organisation.children.filter(is_active=True),
        "duties": duties_for(organisation, year),
        "year": year,
    }
    return render(request, "organisations/detail.html", context)


@require_safe
@login_required
def coordinator_list(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, Action.VIEW_COORDINATORS)
    rows = coordinator_overview()
    return render(
        request,
        "organisations/coordinators.html",
        {"rows": rows, "gaps": [r for r in rows if r.is_gap], "role_label": Role.COORDINATOR.label},
    )
