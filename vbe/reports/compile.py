"""The data of the status report's draft (``status_report_data``); a plan as the document its board
decides on is ``vbe.reports.plan_document``.

One function per document builds everything the document shows, as ``vbe.reports.document`` objects;
the HTML page, the PDF and the DOCX render those objects and compute nothing themselves.

The status report for the year Y covers the years since the previous one (``vbe.reports.cycle``: its
reporting duty's cadence; the guideline of 2024 says every odd year, so Y−1 and Y):
- coordinators, plans, follow-ups and the coordinators' self-report per organisation: the
  compliance overview of Y (``vbe.reports.compliance``), so the report agrees with that page;
- measures per focus area: the coverage matrix of Y (``vbe.reports.coverage``);
- incidents (by the day they happened) and concerns (by the day they were received) per calendar
  year it covers (``vbe.reports.counts``). The report leaves the city, so every count from 1 to 4 is shown as "<5",
  totals included, and enough counts beside them as "x" that none can be worked out from a total (the portal's rule,
  ``vbe.statistics.suppression``; the same figures as the statistics pages for the year);
- training: the share of staff with a valid training per organisation and staff group, on 31 December
  of Y (today in the running year), against the targets (``vbe.reports.training``, counted by
  ``vbe.competence.coverage``); a sentence instead while no headcount is known;
- collaboration: per forum counting for focus area 3 or 5, the meetings held in Y and the follow-up
  actions due in Y, in all and followed up (``vbe.reports.collaboration``, counted by
  ``vbe.collaboration.counts``).

Eighteen queries in all (seventeen when the caller passes the status report), whatever the amount of data: every count is an SQL aggregate.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.core import svg
from vbe.guidelines.models import CoordinatorDuty
from vbe.guidelines.vocabulary import Environment
from vbe.incidents.models import Category
from vbe.organisations.models import District, Organisation, OrganisationKind
from vbe.plans.measure_lists import PLAN_DOCUMENTS as PLAN_DUTY_DOCUMENTS
from vbe.plans.models import DutyAnswer, DutyReport
from vbe.reports.collaboration import collaboration_section
from vbe.reports.compliance import ORGANISATION_FIELDS, UNKNOWN, Compliance, compliance_for, current_duties
from vbe.reports.counts import FORMER, YearFigures, concern_figures, incident_figures
from vbe.reports.coverage import Coverage, coverage_for
from vbe.reports.cycle import covered_years, status_report_cycle
from vbe.reports.document import (
    BulletList,
    Chart,
    DocumentData,
    Figure,
    Paragraph,
    Section,
    Table,
    with_narrative,
)
from vbe.reports.models import status_report_title
from vbe.reports.requirements import REQUIREMENT_LABELS, Level, Requirement, date_sv
from vbe.reports.training import training_section
from vbe.statistics import city
from vbe.statistics import figures as statistics_figures
from vbe.statistics.suppression import Shown, policy

NARRATIVE_PLACEHOLDER = gettext_lazy("Texten är inte skriven ännu.")


def _bars(rows: Iterable[tuple[str, Shown]]) -> tuple[svg.Bar, ...]:
    return tuple(statistics_figures.bar(label, figure) for label, figure in rows)


def _period(years: Sequence[int]) -> str:
    """The years a report covers, as its headings name them: "2025" or "2024–2025"."""
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"


def _plain_bars(rows: Iterable[tuple[str, int]]) -> tuple[svg.Bar, ...]:
    return tuple(svg.Bar(label=label, value=n, text=str(n)) for label, n in rows)


def _cell_text(cell) -> str:
    return _("Krävs inte") if cell is None else cell.summary


def _year_table(
    caption: str,
    label: str,
    choices: Iterable[tuple[object, str]],
    figure: Callable[[int, object], Shown],
    counts: YearFigures,
    years: Sequence[int],
) -> tuple[Table, list[Shown]]:
    """The table, and the figures it shows (for the note on what "<5" and "x" mean)."""
    cells = [(str(name), [figure(y, value) for y in years]) for value, name in choices]
    cells.append((_("Totalt"), [counts.total(y) for y in years]))
    table = Table(
        caption, (label, *(str(y) for y in years)), tuple((name, *(f.text for f in fs)) for name, fs in cells)
    )
    return table, [f for _name, fs in cells for f in fs]


# --- The status report ---------------------------------------------------------------------------------


def _organisations_section(compliance: Compliance) -> Section:
    rows = compliance.rows
    coordinator_cells = [c for row in rows if (c := row.cell(Requirement.COORDINATOR))]
    with_coordinator = sum(1 for c in coordinator_cells if c.level == Level.OK)
    missing = [row.organisation.name for row in rows if (c := row.cell(Requirement.COORDINATOR)) and c.is_gap]
    blocks: list = [
        Paragraph(
            _("%(done)s av %(total)s organisationer som ska ha en lokal samordnare har minst en aktiv samordnare.")
            % {"done": with_coordinator, "total": len(coordinator_cells)}
        )
    ]
    if missing:
        blocks.append(Paragraph(_("Organisationer som saknar lokal samordnare:")))
        blocks.append(BulletList(tuple(missing)))
    plans = [c for row in rows if (c := row.cell(Requirement.DISTRICT_PLAN))]
    board_plans = [c for row in rows if (c := row.cell(Requirement.BOARD_PLAN))]
    follow_ups = [c for row in rows if (c := row.cell(Requirement.BOARD_FOLLOW_UP))]
    self_reports = [c for row in rows if (c := row.cell(Requirement.DUTY_REPORT))]
    year = compliance.year
    summary = []
    if plans:
        decided = sum(1 for c in plans if c.level == Level.OK)
        summary.append(
            _("%(done)s av %(total)s stadsdelsnämnder har en beslutad lägesbild och åtgärdsplan för %(year)s.")
            % {"done": decided, "total": len(plans), "year": year}
        )
    if board_plans:
        decided = sum(1 for c in board_plans if c.level == Level.OK)
        summary.append(
            _("%(done)s av %(total)s facknämnder har en beslutad handlingsplan som gäller %(year)s.")
            % {"done": decided, "total": len(board_plans), "year": year}
        )
    if follow_ups:
        done = sum(1 for c in follow_ups if c.level == Level.OK)
        summary.append(
            _("Uppföljningen av handlingsplanen för %(year)s är klar hos %(done)s av %(total)s facknämnder.")
            % {"done": done, "total": len(follow_ups), "year": year}
        )
    if self_reports:
        done = sum(1 for c in self_reports if c.level == Level.OK)
        summary.append(
            _("%(done)s av %(total)s organisationer har lämnat samordnarnas självskattning för %(year)s.")
            % {"done": done, "total": len(self_reports), "year": year}
        )
    blocks.extend(Paragraph(text) for text in summary)
    for group in compliance.groups:
        requirements = [r for r in group.requirements if r != Requirement.STATUS_REPORT]
        if not requirements:
            continue
        table = Table(
            caption=_("%(group)s: läget %(year)s") % {"group": group.label, "year": year},
            columns=(_("Organisation"), *(str(REQUIREMENT_LABELS[r]) for r in requirements)),
            rows=tuple((row.organisation.name, *(_cell_text(row.cell(r)) for r in requirements)) for row in group.rows),
            numeric_from=len(requirements) + 1,
        )
        blocks.append(Figure(table))
    heading = _("Samordnare, planer och uppföljning %(year)s") % {"year": year}
    return Section(heading, "organisationer", tuple(blocks))


def _coverage_section(coverage: Coverage) -> Section:
    year = coverage.year
    totals = coverage.area_totals
    missing = coverage.missing_by_area()
    rows = [(f"{area.number}. {area.name}", n) for area, n in zip(coverage.focus_areas, totals, strict=True)]
    title = _("Åtgärder per område i riktlinjerna, %(year)s") % {"year": year}
    chart = Chart("focus-areas", title, _plain_bars(rows))
    table = Table(
        caption=title,
        columns=(_("Område"), _("Antal åtgärder"), _("Utpekade organisationer utan åtgärd")),
        rows=tuple((label, str(n), str(len(orgs))) for (label, n), (_area, orgs) in zip(rows, missing, strict=True)),
    )
    blocks: list = [
        Paragraph(
            _(
                "Planerna och åtgärdslistorna som gäller %(year)s innehåller sammanlagt %(count)s åtgärder. Räknat "
                "är åtgärderna i organisationernas gällande planer för året och, för organisationer som är "
                "utpekade som ansvariga utan att skriva en plan, åtgärderna i deras rapporterade åtgärdslista för "
                "året, utom inställda åtgärder."
            )
            % {"year": year, "count": coverage.total}
        ),
        Figure(table, chart),
    ]
    keepers = coverage.list_keepers
    nothing_reported = _("inga åtgärder rapporterade")
    gaps = [
        f"{area.number}. {area.name}: "
        + ", ".join(f"{o.name} ({nothing_reported})" if o.pk in keepers else o.name for o in orgs)
        for area, orgs in missing
        if orgs
    ]
    if gaps:
        blocks.append(
            Paragraph(
                _("Organisationer som riktlinjerna pekar ut som särskilt ansvariga men som saknar åtgärd i området:")
            )
        )
        blocks.append(BulletList(tuple(gaps)))
    else:
        blocks.append(Paragraph(_("Alla utpekade organisationer har minst en åtgärd i sina områden.")))
    heading = _("Åtgärder per område i riktlinjerna %(year)s") % {"year": year}
    return Section(heading, "omraden", tuple(blocks))


def _self_report_section(year: int, organisation_ids: list[int], duties: list[CoordinatorDuty]) -> Section:
    counts = Counter()
    for duty_id, answer, n in (
        DutyReport.objects.filter(year=year, organisation_id__in=organisation_ids, duty__guideline__is_current=True)
        .order_by()
        .values("duty_id", "answer")
        .annotate(n=Count("pk"))
        .values_list("duty_id", "answer", "n")
    ):
        counts[(duty_id, answer)] += n
    answers = list(DutyAnswer)
    rows = []
    for duty in duties:
        given = [counts[(duty.pk, a.value)] for a in answers]
        rows.append((f"{duty.number}. {duty.text}", *map(str, given), str(len(organisation_ids) - sum(given))))
    table = Table(
        caption=_("Samordnarnas självskattning %(year)s: antal organisationer per svar") % {"year": year},
        columns=(_("Uppgift"), *(str(a.label) for a in answers), _("Inte rapporterat")),
        rows=tuple(rows),
    )
    return Section(
        _("Samordnarnas självskattning %(year)s") % {"year": year},
        "sjalvskattning",
        (
            Paragraph(
                _(
                    "De lokala samordnarna i %(count)s organisationer svarar varje år på hur de har utfört sina "
                    "sex uppgifter enligt riktlinjerna."
                )
                % {"count": len(organisation_ids)}
            ),
            Figure(table),
        ),
    )


def _incidents_section(years: Sequence[int], districts: list[District], at: city.Snapshot) -> Section:
    """``districts``: the active districts, each with a council (the rows of the district table)."""
    counts = incident_figures(years, at=at)
    last = years[-1]
    district_choices: list[tuple[object, str]] = [(d.pk, d.name) for d in districts]
    if any(counts.district(y, FORMER).count for y in years):
        district_choices.append((FORMER, _("Tidigare stadsdelsområden")))
    category, category_figures = _year_table(
        _("Händelser per typ"),
        _("Typ av händelse"),
        Category.choices,
        lambda y, v: counts.get(y, "category", v),
        counts,
        years,
    )
    environment, environment_figures = _year_table(
        _("Händelser per miljö"),
        _("Miljö"),
        Environment.choices,
        lambda y, v: counts.get(y, "environment", v),
        counts,
        years,
    )
    district, district_figures = _year_table(
        _("Händelser per stadsdelsområde"), _("Stadsdelsområde"), district_choices, counts.district, counts, years
    )
    note = policy([*category_figures, *environment_figures, *district_figures])
    category_chart = Chart(
        "incidents-category",
        _("Händelser per typ, %(year)s") % {"year": last},
        _bars((str(label), counts.get(last, "category", value)) for value, label in Category.choices),
        policy(counts.get(last, "category", value) for value in Category.values),
    )
    district_chart = Chart(
        "incidents-district",
        _("Händelser per stadsdelsområde, %(year)s") % {"year": last},
        _bars((label, counts.district(last, value)) for value, label in district_choices),
        policy(counts.district(last, value) for value, _label in district_choices),
    )
    intro = " ".join(_("%(year)s: %(count)s händelser.") % {"year": y, "count": counts.total(y).text} for y in years)
    counted = _("Händelser som medarbetare har rapporterat enligt stadens rutin, räknade efter dagen då de hände.")
    return Section(
        _("Rapporterade händelser %(period)s") % {"period": _period(years)},
        "handelser",
        (Paragraph(f"{counted} {intro} {note}"),),
        subsections=(
            Section(_("Per typ av händelse"), "handelser-typ", (Figure(category, category_chart),)),
            Section(_("Per miljö"), "handelser-miljo", (Figure(environment),)),
            Section(_("Per stadsdelsområde"), "handelser-omrade", (Figure(district, district_chart),)),
        ),
    )


def _concerns_section(years: Sequence[int], at: city.Snapshot) -> Section:
    counts = concern_figures(years, at=at)
    last = years[-1]
    table, shown = _year_table(
        _("Oro för en individ per miljö"),
        _("Miljö"),
        Environment.choices,
        lambda y, v: counts.get(y, "environment", v),
        counts,
        years,
    )
    note = policy(shown)
    chart = Chart(
        "concerns-environment",
        _("Oro för en individ per miljö, %(year)s") % {"year": last},
        _bars((str(label), counts.get(last, "environment", value)) for value, label in Environment.choices),
        policy(counts.get(last, "environment", value) for value in Environment.values),
    )
    intro = " ".join(_("%(year)s: %(count)s ärenden.") % {"year": y, "count": counts.total(y).text} for y in years)
    counted = _(
        "Ärenden där en medarbetare har rapporterat oro för en person enligt stadens rutin, räknade efter "
        "dagen då oron togs emot. Miljön är den bedömning som har gjorts i ärendet, inte rapportörens."
    )
    anonymous = _("Rapporten innehåller inga uppgifter om enskilda ärenden.")
    return Section(
        _("Oro för en individ %(period)s") % {"period": _period(years)},
        "oro",
        (
            Paragraph(f"{counted} {intro} {note} {anonymous}"),
            Figure(table, chart),
        ),
    )


def status_report_data(
    year: int, *, today: datetime.date | None = None, status_report: object = UNKNOWN
) -> DocumentData:
    """Everything the nulägesrapport for ``year`` shows, compiled from the portal's data.

    ``status_report``: the year's report (or None), when the caller has it: one query less.
    """
    compiled_at = timezone.localtime()
    cycle = status_report_cycle()
    years = covered_years(cycle, year)
    organisations = list(
        Organisation.objects.filter(is_active=True)
        .select_related("district")
        .only(*ORGANISATION_FIELDS, "district__name", "district__is_active")
    )
    duties = list(CoordinatorDuty.objects.filter(guideline__is_current=True).order_by("number"))
    reporting_duties = current_duties()
    compliance = compliance_for(
        year,
        today=today,
        organisations=organisations,
        duty_count=len(duties),
        status_report=status_report,
        duties=reporting_duties,
    )
    plan_duty = {org_id for org_id, docs in reporting_duties.items() if PLAN_DUTY_DOCUMENTS & set(docs)}
    coverage = coverage_for(year, organisations=organisations, plan_duty=plan_duty)
    coordinator_orgs = [row.organisation.pk for row in compliance.rows if row.organisation.requires_coordinator]
    districts = sorted(
        (
            o.district
            for o in organisations
            if o.kind == OrganisationKind.DISTRICT_COUNCIL and o.district_id and o.district.is_active
        ),
        key=lambda d: d.name,
    )
    sections = (
        Section(_("Sammanfattning"), "sammanfattning", narrative="summary"),
        Section(
            _("Om rapporten"),
            "om-rapporten",
            (
                Paragraph(
                    _(
                        "Kommunstyrelsen redovisar %(rule)s för kommunfullmäktige hur stadens riktlinjer mot "
                        "våldsbejakande extremism genomförs. Den här nulägesrapporten gäller %(period)s."
                    )
                    % {"rule": cycle.rule, "period": _period(years)}
                ),
                Paragraph(
                    _(
                        "Siffrorna är sammanställda i VBE-portalen %(date)s ur stadens planer, uppföljningar, "
                        "uppgifter om lokala samordnare och de händelser och den oro som har rapporterats enligt "
                        "stadens rutin. Läget för samordnare, planer och uppföljning avser %(year)s; lokala "
                        "samordnare avser läget när rapporten sammanställdes."
                    )
                    % {"date": date_sv(compiled_at.date()), "year": year}
                ),
            ),
        ),
        _organisations_section(compliance),
        _coverage_section(coverage),
        _self_report_section(year, coordinator_orgs, duties),
        # One statistics snapshot for both counts, read once.
        _incidents_section(years, districts, statistics_at := city.snapshot()),
        _concerns_section(years, statistics_at),
        training_section(year, today=today or compiled_at.date(), organisations=organisations),
        collaboration_section(year, today=today or compiled_at.date(), focus_areas=coverage.focus_areas),
        Section(_("Analys av läget"), "analys", narrative="analysis"),
        Section(_("Slutsatser och fortsatt arbete"), "slutsatser", narrative="conclusions"),
    )
    return DocumentData(
        title=status_report_title(year),
        subtitle=_("Stockholms stads arbete mot våldsbejakande extremism"),
        sections=sections,
        facts=(
            (_("Till"), _("Kommunfullmäktige")),
            (_("Från"), _("Kommunstyrelsen")),
            (_("Period"), _period(years)),
            (_("Sammanställd"), date_sv(compiled_at.date())),
        ),
        compiled_at=compiled_at,
        filename=f"nulagesrapport-{year}",
        extra={"compliance": compliance, "coverage": coverage},
    )


def status_report_document(data: DocumentData, report) -> DocumentData:
    """The compiled data with the report's narrative sections and its state filled in."""
    texts = {name: text for name, _heading, text in report.sections()}
    document = with_narrative(data, texts, placeholder=str(NARRATIVE_PLACEHOLDER))
    state = report.get_state_display() if report.pk else _("Utkast")
    return DocumentData(
        title=document.title,
        subtitle=document.subtitle,
        sections=document.sections,
        facts=(*document.facts, (_("Status"), state)),
        compiled_at=document.compiled_at,
        filename=document.filename,
        extra=document.extra,
    )
