"""Times the portal's heavy builds: ``manage.py bench --runs 5`` prints median, min and max per case.

Each benchmark is a named ``Case`` in ``CASES``: a ``prepare`` step (not timed) that returns the
argument of ``run`` (timed), or None when the data the case needs is missing (the case is skipped).
Later benchmarks (pages, imports) are added as more cases. Every case runs once untimed first
(loading fonts and templates), then ``--runs`` times. The machines are shared and noisy: compare
medians measured in one run, and the ratio to the floor case, rather than absolute times across runs.
Nothing is written to the database.
"""

from __future__ import annotations

import fnmatch
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.concerns.models import Concern
from vbe.incidents.models import Incident
from vbe.plans.models import FollowUp, Measure, Plan
from vbe.reports import compile, plan_document
from vbe.reports.compliance import compliance_for
from vbe.reports.coverage import coverage_for
from vbe.reports.cycle import status_report_cycle
from vbe.reports.document import DocumentData, Paragraph, Section
from vbe.reports.documents import docx, pdf, xlsx
from vbe.reports.models import StatusReport


@dataclass(frozen=True)
class Case:
    name: str
    description: str  # marked with gettext_lazy: printed in the operator's language
    prepare: Callable[[int], Any]  # year -> the argument of run, or None to skip
    run: Callable[[Any], Any]
    limit: float | None = None  # the quality bar in seconds (docs/quality.md), if there is one
    floor: str = ""  # the case this one is compared with (a ratio of medians)


def _report(year: int) -> StatusReport:
    """The year's report, or an unsaved one with sample texts (the bench never writes)."""
    return StatusReport.objects.filter(year=year).first() or StatusReport(
        year=year,
        summary="Exempeltext till sammanfattningen.\n\nEtt andra stycke.",
        analysis="Exempeltext till analysen.",
        conclusions="Exempeltext till slutsatserna.",
    )


def _status_report_document(year: int) -> DocumentData:
    """What the download view does: compile the data, fill in the narrative."""
    return compile.status_report_document(compile.status_report_data(year), _report(year))


def _largest_plan(year: int):
    return (
        Plan.objects.filter(is_current=True)
        .select_related("organisation")
        .annotate(n=Count("measures"))
        .order_by("-n", "-year")
        .first()
    )


FLOOR_DOCUMENT = DocumentData(
    title="Golv",
    subtitle="Ett dokument med ett stycke: vad en PDF kostar oavsett innehåll",
    sections=(Section("Avsnitt", "avsnitt", (Paragraph("Ett stycke text."),)),),
)

CASES: list[Case] = [
    Case("pdf_floor", gettext_lazy("PDF med ett stycke (golvet för PDF)"), lambda year: FLOOR_DOCUMENT, pdf.build_pdf),
    Case(
        "status_report_data",
        gettext_lazy("Nulägesrapportens data: sammanställning ur databasen"),
        lambda year: year,
        compile.status_report_data,
    ),
    Case(
        "status_report_pdf",
        gettext_lazy("Nulägesrapporten som PDF: sammanställning + PDF/UA"),
        lambda year: year,
        lambda year: pdf.build_pdf(_status_report_document(year)),
        limit=5.0,
        floor="pdf_floor",
    ),
    Case(
        "status_report_docx",
        gettext_lazy("Nulägesrapporten som DOCX: sammanställning + Word med diagram"),
        lambda year: year,
        lambda year: docx.build_docx(_status_report_document(year)),
        limit=2.0,
    ),
    Case(
        "plan_pdf",
        gettext_lazy("Största planen som PDF"),
        _largest_plan,
        lambda plan: pdf.build_pdf(plan_document.plan_document_data(plan), "reports/plan_document.html"),
        floor="pdf_floor",
    ),
    Case(
        "plan_docx",
        gettext_lazy("Största planen som DOCX"),
        _largest_plan,
        lambda plan: docx.build_docx(plan_document.plan_document_data(plan)),
    ),
    Case(
        "compliance_xlsx",
        gettext_lazy("Efterlevnad som XLSX"),
        lambda year: year,
        lambda year: xlsx.compliance_xlsx(compliance_for(year)),
    ),
    Case(
        "coverage_xlsx",
        gettext_lazy("Täckning som XLSX"),
        lambda year: year,
        lambda year: xlsx.coverage_xlsx(coverage_for(year)),
    ),
]


def _size(result: Any) -> str:
    if isinstance(result, bytes | bytearray):
        return f"{len(result) / 1024:.0f} kB"
    return ""


class Command(BaseCommand):
    help = gettext_lazy(
        "Mäter hur lång tid dokumenten tar att bygga (median av flera körningar). Skriver inget i databasen."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--runs", type=int, default=5, help=gettext_lazy("Mätta körningar per fall (standard 5)."))
        parser.add_argument(
            "--case",
            action="append",
            default=[],
            help=gettext_lazy("Bara fall vars namn matchar (t.ex. 'status_report_*')."),
        )
        parser.add_argument(
            "--year",
            type=int,
            help=gettext_lazy("Nulägesrapportens år (standard: det senaste år som rapporteringskravet anger)."),
        )
        parser.add_argument(
            "--list", action="store_true", dest="list_cases", help=gettext_lazy("Lista fallen och avsluta.")
        )

    def handle(self, *args, runs: int, case: list[str], year: int | None, list_cases: bool, **options) -> None:
        if list_cases:
            for c in CASES:
                self.stdout.write(f"{c.name:<22} {c.description}")
            return
        if runs < 1:
            raise CommandError(_("--runs ska vara minst 1."))
        year = year or status_report_cycle().first_year_covering(timezone.localdate().year)
        chosen = [c for c in CASES if not case or any(fnmatch.fnmatchcase(c.name, p) for p in case)]
        if not chosen:
            raise CommandError(
                _("Inget fall matchar %(patterns)s. Välj bland: %(cases)s")
                % {"patterns": case, "cases": ", ".join(c.name for c in CASES)}
            )
        self._describe_data(year, runs)
        header = f"{_('fall'):<22} {_('median'):>9} {_('min'):>9} {_('max'):>9} {_('storlek'):>9}  {_('jämfört med')}"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        medians: dict[str, float] = {}
        for c in chosen:
            argument = c.prepare(year)
            if argument is None:
                self.stdout.write(f"{c.name:<22} " + _("hoppas över: data saknas"))
                continue
            result = c.run(argument)  # warm-up: fonts, templates, caches
            times = []
            for _run in range(runs):
                start = time.perf_counter()
                result = c.run(argument)
                times.append(time.perf_counter() - start)
            median = statistics.median(times)
            medians[c.name] = median
            notes = []
            if c.floor and c.floor in medians:
                notes.append(f"{median / medians[c.floor]:.1f}× {c.floor}")
            if c.limit is not None:
                met = _("krav ≤ %(limit)s s: ja") if median <= c.limit else _("krav ≤ %(limit)s s: NEJ")
                notes.append(met % {"limit": f"{c.limit:.0f}"})
            self.stdout.write(
                f"{c.name:<22} {median:>8.3f}s {min(times):>8.3f}s {max(times):>8.3f}s {_size(result):>9}  {', '.join(notes)}"
            )

    def _describe_data(self, year: int, runs: int) -> None:
        counts = [
            _("%(count)s planer") % {"count": Plan.objects.count()},
            _("%(count)s åtgärder") % {"count": Measure.objects.count()},
            _("%(count)s uppföljningar") % {"count": FollowUp.objects.count()},
            _("%(count)s händelser") % {"count": Incident.objects.count()},
            _("%(count)s oro") % {"count": Concern.objects.count()},
        ]
        self.stdout.write(
            _("Databas: %(vendor)s (%(name)s). År %(year)s. %(runs)s mätta körningar per fall efter en uppvärmning.")
            % {"vendor": connection.vendor, "name": connection.settings_dict["NAME"], "year": year, "runs": runs}
        )
        self.stdout.write(_("Data: %(counts)s.") % {"counts": ", ".join(counts)} + "\n")
