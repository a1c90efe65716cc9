"""Statistics of incidents and concerns for the city and for each district: small counts are shown
exactly only to those ``statistics.sees_exact_counts`` allows."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from vbe.accounts import permissions
from vbe.accounts.permissions import Action
from vbe.concerns.models import Concern
from vbe.core import svg
from vbe.guidelines.vocabulary import Environment
from vbe.incidents import statistics
from vbe.incidents.forms import PeriodForm
from vbe.incidents.models import Category, Incident
from vbe.organisations.models import District, Neighbourhood

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
