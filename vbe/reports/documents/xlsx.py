"""XLSX exports of the compliance overview and the coverage matrix (openpyxl).

Formula injection is neutralised (security.md): every text cell is stored as text, and a text that
a spreadsheet would read as a formula or a command (starting with = + - @, a tab or a carriage
return) gets a leading apostrophe. Figures stay numbers. Characters that XML cannot hold are dropped
(``vbe.reports.documents.text``, as for PDF and DOCX).
The header row is bold and frozen, with the first column, so both stay in view when scrolling.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from vbe.reports.compliance import Compliance
from vbe.reports.coverage import Coverage
from vbe.reports.documents.text import clean_text
from vbe.reports.requirements import REQUIREMENT_LABELS, Level

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
HEADER_FONT = Font(bold=True)
GAP_FILL = PatternFill("solid", fgColor="F4CCCC")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: object) -> object:
    """A text safe to put in a spreadsheet cell; numbers and empty values unchanged."""
    if not isinstance(value, str):
        return value
    value = clean_text(value)
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


@dataclass
class Sheet:
    title: str
    columns: Sequence[str]
    rows: Iterable[Sequence[object]]
    widths: Sequence[int] = ()
    highlight: set[tuple[int, int]] | None = None  # (row index, column index) of cells to mark


def _write(ws, sheet: Sheet) -> None:
    ws.title = clean_text(sheet.title)[:31]
    for col, text in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=1, column=col)
        cell.value = neutralise(text)
        cell.data_type = "s"
        cell.font = HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r, values in enumerate(sheet.rows, start=2):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c)
            cell.value = neutralise(value)
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            if sheet.highlight and (r - 2, c - 1) in sheet.highlight:
                cell.fill = GAP_FILL
    ws.freeze_panes = "B2"
    for col, width in enumerate(sheet.widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    workbook = Workbook()
    for i, sheet in enumerate(sheets):
        ws = workbook.active if i == 0 else workbook.create_sheet()
        _write(ws, sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell_text(cell) -> str:
    return _("Krävs inte") if cell is None else cell.summary


def compliance_xlsx(compliance: Compliance) -> bytes:
    requirements = compliance.requirements
    rows, highlight = [], set()
    for i, row in enumerate(compliance.rows):
        plans = [c.plan.title for r in requirements if (c := row.cell(r)) and c.plan is not None]
        values = [row.organisation.name, row.organisation.get_kind_display()]
        for j, requirement in enumerate(requirements):
            cell = row.cell(requirement)
            values.append(_cell_text(cell))
            if cell is not None and cell.level == Level.GAP:
                highlight.add((i, 2 + j))
        values += ["; ".join(dict.fromkeys(plans)), len(row.gaps)]
        rows.append(values)
    columns = [
        _("Organisation"),
        _("Typ"),
        *(str(REQUIREMENT_LABELS[r]) for r in requirements),
        _("Plan (rubrik)"),
        _("Antal brister"),
    ]
    legend = [
        (_("Status"), _("Betydelse")),
        (_("Beslutad / Finns / Klar / Färdig"), _("Kravet är uppfyllt.")),
        (_("Utkast / Lämnad / Delvis / Påbörjad"), _("Arbetet pågår; inte försenat än.")),
        (_("… – försenad"), _("Sista dagen har passerat utan att kravet är uppfyllt.")),
        (_("Saknas"), _("Inget underlag finns.")),
        (_("Krävs inte / Inte aktuellt"), _("Kravet gäller inte organisationen, eller inte det här året.")),
        (_("Lokal samordnare"), _("Läget när filen togs fram, oavsett valt år.")),
    ]
    return workbook_bytes(
        [
            Sheet(
                _("Efterlevnad %(year)s") % {"year": compliance.year},
                columns,
                rows,
                widths=[34, 18, *([30] * len(requirements)), 40, 12],
                highlight=highlight,
            ),
            Sheet(_("Förklaring"), legend[0], legend[1:], widths=[36, 70]),
        ]
    )


def coverage_xlsx(coverage: Coverage) -> bytes:
    areas = coverage.focus_areas
    rows, highlight = [], set()
    for i, row in enumerate(coverage.rows):
        values: list[object] = [row.organisation.name]
        for j, cell in enumerate(row.cells):
            values.append(cell.count)
            if cell.missing:
                highlight.add((i, 1 + j))
        gaps = "; ".join(f"{a.number}. {a.name}" for a in row.missing)
        if gaps and row.keeps_list:  # an organisation without plan duty: its yearly list is not reported
            gaps = f"{row.missing_text}: {gaps}"
        values += [row.total, gaps]
        rows.append(values)
    rows.append([_("Totalt"), *coverage.area_totals, coverage.total, ""])
    columns = [
        _("Organisation"),
        *(f"{a.number}. {a.name}" for a in areas),
        _("Totalt"),
        _("Saknar åtgärd (utpekad ansvarig)"),
    ]
    return workbook_bytes(
        [
            Sheet(
                _("Täckning %(year)s") % {"year": coverage.year},
                columns,
                rows,
                widths=[34, *([16] * len(areas)), 10, 60],
                highlight=highlight,
            )
        ]
    )
