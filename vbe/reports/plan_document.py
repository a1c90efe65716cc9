"""The data of a plan as the document its board decides on (``plan_document_data``).

The function builds everything the document shows, as ``vbe.reports.document`` objects; the HTML page,
the PDF and the DOCX render those objects and compute nothing themselves.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from vbe.plans.models import FollowUp, Indicator, Measure, Plan
from vbe.reports.document import DocumentData, Figure, Paragraph, Section, Table, paragraphs
from vbe.reports.requirements import date_sv


def plan_document_data(plan: Plan) -> DocumentData:
    """A plan with its situation picture, measures by focus area, indicators and follow-ups (five queries)."""
    measures = list(
        Measure.objects.filter(plan=plan)
        .select_related("focus_area", "responsible_unit")
        .prefetch_related(
            "methods",
            Prefetch("indicators", queryset=Indicator.objects.order_by("pk")),
            Prefetch("follow_ups", queryset=FollowUp.objects.order_by("year")),
        )
        .order_by("focus_area__number", "title")
    )
    organisation = plan.organisation
    by_area: dict[int, list[Measure]] = defaultdict(list)
    for measure in measures:
        by_area[measure.focus_area.number].append(measure)

    def period(m: Measure) -> str:
        if m.starts_on and m.ends_on:
            return f"{m.starts_on:%Y-%m-%d} – {m.ends_on:%Y-%m-%d}"
        if m.starts_on:
            return _("från %(date)s") % {"date": f"{m.starts_on:%Y-%m-%d}"}
        return _("till %(date)s") % {"date": f"{m.ends_on:%Y-%m-%d}"} if m.ends_on else "–"

    summary = Table(
        caption=_("Antal åtgärder per område i riktlinjerna"),
        columns=(_("Område"), _("Antal åtgärder")),
        rows=tuple(
            (f"{group[0].focus_area.number}. {group[0].focus_area.name}", str(len(group))) for group in by_area.values()
        )
        + ((_("Totalt"), str(len(measures))),),
    )
    area_sections = []
    for number, group in by_area.items():
        area = group[0].focus_area
        table = Table(
            caption=_("Åtgärder inom område %(number)s") % {"number": number},
            columns=(_("Åtgärd"), _("Beskrivning"), _("Metoder"), _("Ansvarig verksamhet"), _("Period"), _("Status")),
            rows=tuple(
                (
                    m.title,
                    " ".join(m.description.split()) or "–",
                    ", ".join(method.name for method in m.methods.all()) or "–",
                    m.responsible_unit.name if m.responsible_unit else "–",
                    period(m),
                    m.get_status_display(),
                )
                for m in group
            ),
            numeric_from=6,
        )
        blocks: list = [Figure(table)]
        indicators = [(m, i) for m in group for i in m.indicators.all()]
        if indicators:
            blocks.append(
                Figure(
                    Table(
                        caption=_("Indikatorer inom område %(number)s") % {"number": number},
                        columns=(_("Indikator"), _("Åtgärd"), _("Målvärde")),
                        rows=tuple((i.name, m.title, i.target) for m, i in indicators),
                        numeric_from=3,
                    )
                )
            )
        area_sections.append(Section(f"{number}. {area.name}", f"omrade-{number}", tuple(blocks)))
    follow_ups = [(m, f) for m in measures for f in m.follow_ups.all()]
    follow_up_blocks: tuple = (
        (
            Figure(
                Table(
                    caption=_("Uppföljning per åtgärd och år"),
                    columns=(_("Åtgärd"), _("År"), _("Status"), _("Kommentar")),
                    rows=tuple(
                        (m.title, str(f.year), f.get_status_display(), " ".join(f.comment.split()) or "–")
                        for m, f in sorted(follow_ups, key=lambda p: (p[1].year, p[0].title))
                    ),
                    numeric_from=4,
                )
            ),
        )
        if follow_ups
        else (Paragraph(_("Planen har ännu inte följts upp.")),)
    )
    decided = plan.is_decided
    facts = [
        (_("Organisation"), organisation.name),
        (_("Gäller"), plan.period_label),
        (_("Version"), str(plan.version)),
        (_("Status"), plan.get_state_display()),
    ]
    if decided and plan.decided_on:
        facts.append((_("Beslutad"), f"{date_sv(plan.decided_on)}, {plan.minute_reference}"))
    sections = (
        Section(
            _("Lägesbild"),
            "lagesbild",
            paragraphs(plan.situation_analysis) or (Paragraph(_("Lägesbilden är inte skriven ännu.")),),
        ),
        Section(
            _("Åtgärder"),
            "atgarder",
            (Figure(summary),) if measures else (Paragraph(_("Planen har inga åtgärder ännu.")),),
            subsections=tuple(area_sections),
        ),
        Section(_("Uppföljning"), "uppfoljning", follow_up_blocks),
    )
    # The document's title says what the plan is against (issue 10); a title of the coordinator's own
    # choosing, when there is one, follows it.
    title = plan.formal_title
    return DocumentData(
        title=title,
        subtitle=plan.title if plan.title.strip() and plan.title != title else organisation.name,
        sections=sections,
        facts=tuple(facts),
        compiled_at=timezone.localtime(),
        filename=f"plan-{organisation.slug}-{plan.period_label.replace('–', '-')}-v{plan.version}",
    )
