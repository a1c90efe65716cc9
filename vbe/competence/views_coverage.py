"""Coverage pages: the city's (the central coordinator's) and an organisation's, each with its XLSX.

Every figure comes from one count (``coverage.city_report`` / ``organisation_report``), so a page runs
the same handful of queries whatever the number of learners, units or completions. Exact figures go
to the organisation's keepers (its coordinators and unit managers, and the central coordinator);
board readers see the same page with groups under five people suppressed. A unit manager sees the
units they manage, and nothing else of the organisation.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from vbe.accounts import permissions
from vbe.accounts.permissions import Action
from vbe.accounts.reauth import reauth_redirect
from vbe.audit.log import record
from vbe.competence import coverage, coverage_export
from vbe.competence.coverage import LEVELS, Report, Share
from vbe.competence.models import Level
from vbe.organisations.models import Organisation

TREND_YEARS = 5
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PerForm(forms.Form):
    per = forms.DateField(
        label=gettext_lazy("Per dag"),
        help_text=gettext_lazy("ÅÅÅÅ-MM-DD. Utbildningar som gäller den dagen räknas."),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Skriv dagen som ÅÅÅÅ-MM-DD, till exempel 2026-03-31.")},
    )

    def clean_per(self) -> datetime.date | None:
        per = self.cleaned_data["per"]
        if per is not None and not 2000 <= per.year <= timezone.localdate().year:
            raise forms.ValidationError(_("Välj en dag från år 2000 till i dag."))
        if per is not None and per > timezone.localdate():
            raise forms.ValidationError(_("Välj en dag från år 2000 till i dag."))
        return per


def _per(request: HttpRequest) -> tuple[datetime.date, PerForm]:
    """The day asked for (today when none, or when what was typed is not a day: the form says so)."""
    form = PerForm(request.GET if "per" in request.GET else None, initial={"per": timezone.localdate()})
    if form.is_bound and form.is_valid() and form.cleaned_data["per"]:
        return form.cleaned_data["per"], form
    return timezone.localdate(), form


def _years(on: datetime.date) -> list[int]:
    return list(range(on.year - TREND_YEARS + 1, on.year + 1))


# --- Charts ------------------------------------------------------------------------------------------


def share_chart(
    rows: list[tuple[str, Share]], *, target: int | None, chart_id: str, title: str, description: str
) -> SafeString:
    """Horizontal bars on a fixed 0–100 % scale, the target as a dashed line with its value written at
    the top. A share that is not shown (a small group, no headcount) gets no bar, only its text, so the
    picture tells no more than the table. Classes as ``vbe.core.svg`` (the CSP forbids style
    attributes; the dash is a presentation attribute)."""
    width, top, row_h, label_h, bar_h, value_room = 720, 26, 44, 16, 16, 60
    plot_w = width - value_room
    height = top + row_h * max(len(rows), 1) + 24
    cid = escape(chart_id)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart app-chart--bars" id="{cid}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{cid}-title" aria-describedby="{cid}-desc">'
        f'<title id="{cid}-title">{escape(title)}</title><desc id="{cid}-desc">{escape(description)}</desc>'
    ]
    bottom = height - 20
    for tick in (0, 50, 100):
        x = 1 + plot_w * tick / 100
        anchor = "start" if tick == 0 else "end" if tick == 100 else "middle"
        parts.append(
            f'<line class="app-chart__grid" x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{bottom}"/>'
            f'<text class="app-chart__tick" x="{x:.1f}" y="{height - 4}" text-anchor="{anchor}">{tick} %</text>'
        )
    for i, (label, share) in enumerate(rows):
        y = top + i * row_h
        parts.append(f'<text class="app-chart__label" x="0" y="{y + label_h - 3}">{escape(label)}</text>')
        percent = share.percent
        end = 8.0
        if percent is not None:
            length = plot_w * percent / 100
            if length > 0:
                parts.append(
                    f'<rect class="app-chart__bar" x="1" y="{y + label_h + 2}" width="{max(length, 2):.1f}" height="{bar_h}"/>'
                )
            end = length + 8
        parts.append(
            f'<text class="app-chart__value" x="{end:.1f}" y="{y + label_h + bar_h}">{escape(share.text)}</text>'
        )
    if target is not None:
        x = 1 + plot_w * target / 100
        anchor = "end" if target > 85 else "start" if target < 15 else "middle"
        parts.append(
            f'<line class="app-chart__axis" x1="{x:.1f}" x2="{x:.1f}" y1="{top - 4}" y2="{bottom}" '
            f'stroke-width="2" stroke-dasharray="6 4"/>'
            f'<text class="app-chart__value" x="{x:.1f}" y="{top - 10}" text-anchor="{anchor}">'
            f"{escape(_('Mål %(percent)s %%') % {'percent': target})}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


LEVEL_LABELS = {Level.BASIC.value: gettext_lazy("grundläggande"), Level.ADVANCED.value: gettext_lazy("fördjupning")}


@dataclass(frozen=True)
class FigureRow:
    label: str
    href: str
    shares: list[Share]  # in LEVELS order


@dataclass(frozen=True)
class Figure:
    key: str
    title: str
    label_heading: str
    rows: list[FigureRow]
    charts: list[SafeString]
    reached: list[str]  # per level: how many rows reach the target, as a sentence ("" without target)


def _figure(key: str, title: str, label_heading: str, rows: list[FigureRow], targets: dict[str, int | None]) -> Figure:
    charts, reached = [], []
    for i, level in enumerate(LEVELS):
        target = targets[level]
        level_title = _("%(title)s, %(level)s") % {"title": title, "level": LEVEL_LABELS[level]}
        shown = [p for r in rows if (p := r.shares[i].percent) is not None]
        if target is None:
            description = _("Andel tjänster med giltig utbildning. Samma siffror finns i tabellen under diagrammet.")
            reached.append("")
        else:
            description = _(
                "Andel tjänster med giltig utbildning; målet är %(target)s %%. Samma siffror finns i tabellen "
                "under diagrammet."
            ) % {"target": target}
            reached.append(
                _("%(reached)s av %(shown)s med visade andelar når målet %(target)s %% för %(level)s.")
                % {
                    "reached": sum(1 for p in shown if p >= target),
                    "shown": len(shown),
                    "target": target,
                    "level": LEVEL_LABELS[level],
                }
            )
        charts.append(
            share_chart(
                [(r.label, r.shares[i]) for r in rows],
                target=target,
                chart_id=f"chart-{key}-{level}",
                title=level_title,
                description=description,
            )
        )
    return Figure(key=key, title=title, label_heading=label_heading, rows=rows, charts=charts, reached=reached)


def _row(label: str, shares: dict[str, Share], href: str = "") -> FigureRow:
    return FigureRow(label=label, href=href, shares=[shares[level] for level in LEVELS])


def _trend_figure(report: Report) -> Figure:
    today = timezone.localdate()
    rows = [
        _row(str(year) if year < today.year else _("%(year)s (i dag)") % {"year": year}, shares)
        for year, shares in report.trend
    ]
    return _figure("trend", _("Utveckling per år, 31 december"), _("År"), rows, report.targets)


def _targets_text(targets: dict[str, int | None]) -> list[str]:
    return [
        _("Målet för %(level)s utbildning: %(target)s.")
        % {"level": LEVEL_LABELS[level], "target": coverage.target_text(t)}
        for level, t in targets.items()
    ]


def _context(report: Report, form: PerForm, figures: list[Figure], **extra: object) -> dict:
    return {
        "report": report,
        "form": form,
        "figures": figures,
        "levels": [LEVEL_LABELS[level] for level in LEVELS],
        "total": [(LEVEL_LABELS[level], report.total[level]) for level in LEVELS],
        "targets_text": _targets_text(report.targets),
        "exact": report.exact,
        **extra,
    }


def _status(form: PerForm) -> int:
    return 400 if form.errors else 200


# --- The city -------------------------------------------------------------------------------------


def _city(on: datetime.date) -> Report:
    # Only the central coordinator reads the city view: a keeper of every organisation, so exact.
    return coverage.city_report(on=on, years=_years(on), exact=True)


@login_required
@require_safe
def coverage_city(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, Action.VIEW_TRAINING_COVERAGE, None)
    on, form = _per(request)
    report = _city(on)
    per = urlencode({"per": on.isoformat()})
    figures = [
        _figure(
            "organisations",
            _("Per organisation"),
            _("Organisation"),
            [
                _row(org.name, shares, f"{reverse('competence:coverage_organisation', args=[org.slug])}?{per}")
                for org, shares in report.rows
                if isinstance(org, Organisation)
            ],
            report.targets,
        ),
        _figure(
            "groups",
            _("Per personalgrupp i hela staden"),
            _("Personalgrupp"),
            [_row(group.name, shares) for group, shares in report.by_group],
            report.targets,
        ),
        _trend_figure(report),
    ]
    context = _context(report, form, figures, xlsx_url=f"{reverse('competence:coverage_city_xlsx')}?{per}")
    return render(request, "competence/coverage/city.html", context, status=_status(form))


@login_required
@require_safe
def coverage_city_xlsx(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, Action.VIEW_TRAINING_COVERAGE, None)
    on, _form = _per(request)
    if response := reauth_redirect(request, back=f"{reverse('competence:coverage_city')}?per={on.isoformat()}"):
        return response
    content = coverage_export.city_xlsx(_city(on))
    record(action="training_coverage_exported", actor=request.user, object_type="competence.coverage", object_id="")
    return _download(content, f"utbildning-tackning-staden-{on.isoformat()}.xlsx")


# --- An organisation --------------------------------------------------------------------------------


def _organisation(request: HttpRequest, slug: str) -> tuple[Organisation, datetime.date, PerForm, Report]:
    organisation = get_object_or_404(Organisation, slug=slug)
    permissions.require(request.user, Action.VIEW_TRAINING_COVERAGE, organisation)
    on, form = _per(request)
    # The keepers see exact figures; a board reader (VIEW_TRAINING_COVERAGE without keeping) does not.
    exact = permissions.can(request.user, Action.MANAGE_ORGANISATION_TRAINING, organisation)
    unit_ids = permissions.training_unit_scope(request.user, organisation.pk) if exact else None
    report = coverage.organisation_report(organisation.pk, on=on, years=_years(on), exact=exact, unit_ids=unit_ids)
    return organisation, on, form, report


@login_required
@require_safe
def coverage_organisation(request: HttpRequest, organisation: str) -> HttpResponse:
    org, on, form, report = _organisation(request, organisation)
    per = urlencode({"per": on.isoformat()})
    units = _figure(
        "units",
        _("Per verksamhet"),
        _("Verksamhet"),
        [_row(unit.name, shares) for unit, shares in report.rows],
        report.targets,
    )
    figures = [
        *([units] if report.exact else []),  # coverage.organisation_report: units for keepers only
        _figure(
            "groups",
            _("Per personalgrupp"),
            _("Personalgrupp"),
            [_row(group.name, shares) for group, shares in report.by_group],
            report.targets,
        ),
        _trend_figure(report),
    ]
    cells = [
        {"unit": unit.name, "group": group.name, "shares": [shares[level] for level in LEVELS]}
        for unit, group, shares in report.cells
    ]
    context = _context(
        report,
        form,
        figures,
        organisation=org,
        cells=cells,
        scoped=report.scoped,
        city_url=reverse("competence:coverage_city")
        if permissions.can(request.user, Action.VIEW_TRAINING_COVERAGE, None)
        else "",
        xlsx_url=f"{reverse('competence:coverage_organisation_xlsx', args=[org.slug])}?{per}",
    )
    return render(request, "competence/coverage/organisation.html", context, status=_status(form))


@login_required
@require_safe
def coverage_organisation_xlsx(request: HttpRequest, organisation: str) -> HttpResponse:
    org, on, _form, report = _organisation(request, organisation)
    back = f"{reverse('competence:coverage_organisation', args=[org.slug])}?per={on.isoformat()}"
    if response := reauth_redirect(request, back=back):
        return response
    content = coverage_export.organisation_xlsx(org, report)
    record(
        action="training_coverage_exported",
        actor=request.user,
        object_type="organisations.organisation",
        object_id=str(org.pk),
    )
    return _download(content, f"utbildning-tackning-{org.slug}-{on.isoformat()}.xlsx")


def _download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Length"] = str(len(content))
    return response


urlpatterns = [
    path("tackning/", coverage_city, name="coverage_city"),
    path("tackning.xlsx", coverage_city_xlsx, name="coverage_city_xlsx"),
    path("tackning/<slug:organisation>/", coverage_organisation, name="coverage_organisation"),
    path("tackning/<slug:organisation>.xlsx", coverage_organisation_xlsx, name="coverage_organisation_xlsx"),
]
