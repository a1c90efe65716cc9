"""XLSX of a coverage page: the same figures, the same suppression, and a sheet that explains them.

No personal data: only organisations, units, staff groups and counts of posts. Cells hold a number
where the page shows one (a percent, and for those who see exact figures the trained posts and the
headcount); a share that is not shown holds the page's text instead, so nothing leaves the portal
that the reader could not see on the page. Texts are stored as text, and one that a spreadsheet
would read as a formula gets a leading apostrophe (security.md), as in ``vbe.reports.documents.xlsx``
(a floor above this one, so not imported).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from django.utils import formats
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from vbe.competence.coverage import LEVELS, Report, Share
from vbe.competence.models import Level
from vbe.organisations.models import Organisation

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def _text(value: str) -> str:
    value = _UNWANTED.sub("", str(value))
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def _level_name(level: str) -> str:
    return str(Level(level).label)


def _columns(first: Sequence[str], exact: bool) -> list[str]:
    columns = list(first)
    for level in LEVELS:
        columns.append(_("%(level)s: andel (%%)") % {"level": _level_name(level)})
        if exact:
            columns.append(_("%(level)s: tjänster med giltig utbildning") % {"level": _level_name(level)})
    if exact:
        columns.append(_("Anställda"))
    return columns


def _figures(shares: dict[str, Share], exact: bool) -> list[object]:
    values: list[object] = []
    for level in LEVELS:
        share = shares[level]
        values.append(share.percent if share.percent is not None else share.text)
        if exact:
            values.append(share.trained)
    if exact:
        values.append(shares[LEVELS[0]].headcount)
    return values


def _sheet(ws, title: str, columns: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[int]) -> None:
    ws.title = _text(title)[:31]
    for c, text in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=c, value=_text(text))
        cell.data_type = "s"
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c, value=_text(value) if isinstance(value, str) else value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text
    ws.freeze_panes = "B2"
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width


def _note(report: Report, subject: str) -> list[list[str]]:
    day = formats.date_format(report.on, "j F Y")
    rows = [
        [_("Vad"), _("Förklaring")],
        [_("Gäller"), _("%(subject)s, per %(day)s.") % {"subject": subject, "day": day}],
        [
            _("Definition"),
            _(
                "Andel tjänster med giltig utbildning: tjänster (en person i en verksamhet och personalgrupp) vars "
                "innehavare har en giltig genomförd utbildning på nivån, delat med antalet anställda i verksamheten "
                "och personalgruppen enligt HR för det senaste året fram till dagens år. En person i två "
                "verksamheter räknas i båda. En utbildning som ska förnyas gäller till dagen före årsdagen."
            ),
        ],
        [
            _("Utan antal anställda"),
            _(
                "Verksamheter och personalgrupper utan registrerat antal anställda visas som \u201dinga anställda "
                "registrerade\u201d och räknas inte in i summorna."
            ),
        ],
        [_("Per år"), _("Läget den 31 december varje år, och i dag för innevarande år.")],
    ]
    if report.exact:
        rows.append([_("Små grupper"), _("Filen visar exakta siffror. Lämna den inte vidare utanför organisationen.")])
    else:
        rows.append(
            [
                _("Små grupper"),
                _(
                    "Grupper med 1 till 4 anställda visas som \u201dfärre än 5 anställda\u201d, så att ingen enskild "
                    "persons utbildning kan pekas ut. Antal tjänster och anställda visas inte."
                ),
            ]
        )
    for level in LEVELS:
        target = report.targets[level]
        rows.append(
            [
                _("Mål, %(level)s") % {"level": _level_name(level).lower()},
                _("Inget mål satt.") if target is None else f"{target} %",
            ]
        )
    return rows


def _workbook(sheets: list[tuple[str, list[str], list[list[object]], list[int]]]) -> bytes:
    workbook = Workbook()
    for i, (title, columns, rows, widths) in enumerate(sheets):
        _sheet(workbook.active if i == 0 else workbook.create_sheet(), title, columns, rows, widths)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _common(report: Report, subject: str, first_sheet: tuple[str, list[str], list[list[object]]]) -> list:
    exact = report.exact
    widths = [40, *([18] * (2 * len(LEVELS) + 1))]
    title, first, rows = first_sheet
    sheets = [
        (title, _columns(first, exact), rows, widths),
        (
            _("Per personalgrupp"),
            _columns([_("Personalgrupp")], exact),
            [[group.name, *_figures(shares, exact)] for group, shares in report.by_group],
            widths,
        ),
    ]
    if report.cells:
        sheets.append(
            (
                _("Per verksamhet och grupp"),
                _columns([_("Verksamhet"), _("Personalgrupp")], exact),
                [[unit.name, group.name, *_figures(shares, exact)] for unit, group, shares in report.cells],
                [40, 30, *([18] * (2 * len(LEVELS) + 1))],
            )
        )
    sheets.append(
        (
            _("Per år"),
            _columns([_("År")], exact),
            [[year, *_figures(shares, exact)] for year, shares in report.trend],
            widths,
        )
    )
    note = _note(report, subject)
    sheets.append((_("Förklaring"), note[0], note[1:], [24, 100]))
    return sheets


def city_xlsx(report: Report) -> bytes:
    rows = [[org.name, *_figures(shares, report.exact)] for org, shares in report.rows]
    rows.append([_("Hela staden"), *_figures(report.total, report.exact)])
    return _workbook(_common(report, _("Hela staden"), (_("Per organisation"), [_("Organisation")], rows)))


def organisation_xlsx(organisation: Organisation, report: Report) -> bytes:
    rows = [[unit.name, *_figures(shares, report.exact)] for unit, shares in report.rows]
    total_label = _("Dina verksamheter") if report.scoped else organisation.name
    rows.append([total_label, *_figures(report.total, report.exact)])
    subject = organisation.name
    if report.scoped:
        subject = _("%(organisation)s, de verksamheter du är chef för") % {"organisation": organisation.name}
    # Without exact figures there are no unit rows (coverage.organisation_report): the total alone.
    first = _("Per verksamhet") if report.exact else _("Organisationen")
    return _workbook(_common(report, subject, (first, [_("Verksamhet") if report.exact else _("Organisation")], rows)))
