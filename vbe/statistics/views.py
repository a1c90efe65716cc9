"""The situation (lägesbild) of the city and of each district: incidents and concerns for a period.

Both pages show figures of one table per period (``vbe.statistics.city``), protected for the viewer:
a district's counts are exact only to its district council's coordinators
(``suppression.sees_exact_counts``); everything else has its small counts hidden, and enough beside
them hidden too that none can be worked out from a total. Concerns are never exact here: these pages
are outside the handling organisation of many of them; handlers see theirs in their own case list.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from vbe.accounts import permissions
from vbe.accounts.models import Role
from vbe.accounts.permissions import Action
from vbe.guidelines.vocabulary import REPORTED_ENVIRONMENTS, Environment
from vbe.incidents.models import Category
from vbe.organisations import shapes
from vbe.organisations.models import District, Neighbourhood
from vbe.statistics import city, dating, figures, suppression
from vbe.statistics.forms import PeriodForm


def _period(request: HttpRequest, at: city.Snapshot) -> tuple[dating.Period, PeriodForm]:
    this_year = timezone.localdate().year
    # Every year from the first record's to this one (the summary's first and last month, kept per process).
    counted = city.years_with_records(at)
    years = range(min(counted.start, this_year) if counted else this_year, this_year + 1)
    form = PeriodForm(request.GET or None, years=list(reversed(years)))
    if form.is_bound and form.is_valid() and form.cleaned_data["ar"]:
        return dating.calendar_year(form.cleaned_data["ar"]), form
    return dating.last_twelve_months(), form


def _tables(request: HttpRequest) -> tuple[dating.Period, PeriodForm, city.CityTable, city.CityTable]:
    """The period asked for, and its incident and concern tables as this viewer sees them: one small query
    (the snapshot), and a sum over each summary table only when the summary has changed since this
    process last summed it."""
    at = city.snapshot()
    period, form = _period(request, at)
    exact_places = at.exact_places(suppression.exact_organisations(request.user))
    [incident_counts] = city.incident_counts(period, at=at)
    [concern_counts] = city.concern_counts(period, at=at)
    incidents = city.build(
        incident_counts, dimensions=city.INCIDENT_DIMENSIONS, exact_places=exact_places, districts_apart=True
    )
    concerns = city.build(concern_counts, dimensions=city.CONCERN_DIMENSIONS)
    return period, form, incidents, concerns


def _incident_figures(table: city.CityTable, place: city.Place, subject: str) -> list[figures.Figure]:
    period = table.period
    return [
        figures.month_figure(
            period,
            table.of(place, city.MONTH),
            key="months",
            title=_("Händelser per månad, %(subject)s, %(period)s") % {"subject": subject, "period": period.label},
        ),
        figures.category_figure(
            Category.choices,
            table.of(place, "category"),
            key="categories",
            title=_("Händelser per typ, %(subject)s, %(period)s") % {"subject": subject, "period": period.label},
        ),
        figures.category_figure(
            REPORTED_ENVIRONMENTS,
            table.of(place, "environment"),
            key="environments",
            title=_("Händelser per miljö, %(subject)s, %(period)s") % {"subject": subject, "period": period.label},
        ),
    ]


def _concern_figures(
    table: city.CityTable, place: city.Place, subject: str, *, by_environment: bool
) -> list[figures.Figure]:
    """Concerns from the routine, counted by the day they were received (``dating.CONCERNS``).
    ``by_environment``: with the environment the handlers assessed. Only for those who read or oversee
    the place's handling (its council's coordinators, the central coordinators): an assessment is
    recorded days after a concern arrives, so a count per environment that moves under a watcher's eyes
    would tell a reporter how the concern they sent was judged, and that is special-category data."""
    period = table.period
    shown = [
        figures.month_figure(
            period,
            table.of(place, city.MONTH),
            key="concern-months",
            title=_("Oro för individer per månad, %(subject)s, %(period)s")
            % {"subject": subject, "period": period.label},
        )
    ]
    if by_environment:
        shown.append(
            figures.category_figure(
                Environment.choices,
                table.of(place, "environment"),
                key="concern-environments",
                title=_("Oro för individer per bedömd miljö, %(subject)s, %(period)s")
                % {"subject": subject, "period": period.label},
            )
        )
    return shown


def _oversees_handling(user: Any, council_id: int | None) -> bool:
    return permissions.has_role(user, Role.CENTRAL_COORDINATOR) or suppression.sees_exact_counts(user, council_id)


def _secondary_note(shown: list[figures.Figure], *single: suppression.Shown) -> str:
    """What "x" means, when the page shows one."""
    marks = [row.figure for figure in shown for row in figure.rows] + list(single)
    return str(suppression.SECONDARY_NOTE) if any(f.mark == suppression.Mark.SECONDARY for f in marks) else ""


@require_safe
@login_required
def city_statistics(request: HttpRequest) -> HttpResponse:
    """The city: no one is the handling organisation of all of it, so its figures are protected for
    everyone; each district's count is exact only to that district's council coordinators."""
    permissions.require(request.user, Action.VIEW_STATISTICS)
    period, form, incidents, concerns = _tables(request)
    councils = suppression.exact_organisations(request.user)
    districts = [
        d
        for d in District.objects.select_related("council").defer("geometry").order_by("name")
        if d.is_active or incidents.total(d.pk).count
    ]
    exact_for = [d.name for d in districts if getattr(d, "council", None) is not None and d.council.pk in councils]
    rows, district_map = figures.district_map(
        districts,
        incidents.total,
        incidents.classes,
        drawn=shapes.district_map(),
        chart_id="chart-districts",
        title=_("Händelser per stadsdelsområde, %(period)s") % {"period": period.label},
    )
    subject = _("hela staden")
    incident_figures = _incident_figures(incidents, city.CITY, subject)
    by_environment = _oversees_handling(request.user, None)
    concern_figures = _concern_figures(concerns, city.CITY, subject, by_environment=by_environment)
    context = {
        "form": form,
        "period": period,
        "total_shown": incidents.total().text,
        "concerns_total_shown": concerns.total().text,
        "figures": incident_figures,
        "concern_figures": concern_figures,
        "concern_environment_withheld": not by_environment,
        "district_rows": rows,
        "district_map": district_map,
        "legend": incidents.classes,
        "exact_for": exact_for,
        "secondary_note": _secondary_note(
            incident_figures + concern_figures,
            incidents.total(),
            concerns.total(),
            *(row.figure for row in rows),
        ),
    }
    return render(request, "incidents/statistics_city.html", context)


@require_safe
@login_required
def district_statistics(request: HttpRequest, code: str) -> HttpResponse:
    permissions.require(request.user, Action.VIEW_STATISTICS)
    district = get_object_or_404(District.objects.select_related("council").defer("geometry"), code=code)
    council = getattr(district, "council", None)
    exact = suppression.sees_exact_counts(request.user, council.pk if council else None)
    period, form, incidents, concerns = _tables(request)
    place = district.pk
    counted = {key[2] for key in incidents.figures if key[:2] == (place, "neighbourhood")}
    # The district's neighbourhoods, and any that have since moved to another district but hold old incidents.
    neighbourhoods: list[tuple[int | None, str]] = list(
        Neighbourhood.objects.filter(Q(district=district) | Q(pk__in=[k for k in counted if k]))
        .order_by("name")
        .values_list("pk", "name")
    )
    if None in counted:
        neighbourhoods.append((None, _("Ingen stadsdel angiven")))
    incident_figures = _incident_figures(incidents, place, district.name)
    by_environment = _oversees_handling(request.user, council.pk if council else None)
    concern_figures = _concern_figures(concerns, place, district.name, by_environment=by_environment)
    neighbourhood_rows = figures.rows_for(neighbourhoods, incidents.of(place, "neighbourhood"))
    context = {
        "form": form,
        "period": period,
        "district": district,
        "council": council,
        "exact": exact,
        "total_shown": incidents.total(place).text,
        "concerns_total_shown": concerns.total(place).text,
        "figures": incident_figures,
        "concern_figures": concern_figures,
        "concern_environment_withheld": not by_environment,
        "neighbourhood_rows": neighbourhood_rows,
        "secondary_note": _secondary_note(
            incident_figures + concern_figures,
            incidents.total(place),
            concerns.total(place),
            *(row.figure for row in neighbourhood_rows),
        ),
    }
    return render(request, "incidents/statistics_district.html", context)
