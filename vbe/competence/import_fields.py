"""The columns an import understands and how one cell of a row is read: the fields of each kind of
file and a first guess at the mapping from the file's headers, dates in the forms exports write them,
and the test for a personnummer, whose value is never repeated (``vbe.competence.import_rows`` reads
whole rows with these).
"""

from __future__ import annotations

import datetime
import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from vbe.competence.models import ImportKind
from vbe.core.personnummer import contains_personnummer

MAX_SHOWN = 60  # characters of a value repeated in a message

# (field, label): the labels are lazy, shown in the language of the request that shows them.
COMPLETION_FIELDS: list[tuple[str, StrOrPromise]] = [
    ("email", gettext_lazy("E-postadress")),
    ("employee_number", gettext_lazy("Anställningsnummer")),
    ("name", gettext_lazy("Namn")),
    ("course", gettext_lazy("Utbildning (kurskod eller namn)")),
    ("completed_on", gettext_lazy("Datum då utbildningen genomfördes")),
    ("unit", gettext_lazy("Verksamhet")),
    ("staff_group", gettext_lazy("Personalgrupp")),
]
HEADCOUNT_FIELDS: list[tuple[str, StrOrPromise]] = [
    ("unit", gettext_lazy("Verksamhet")),
    ("staff_group", gettext_lazy("Personalgrupp")),
    ("count", gettext_lazy("Antal anställda")),
]
REQUIRED = {ImportKind.COMPLETIONS: ("course", "completed_on"), ImportKind.HEADCOUNTS: ("unit", "staff_group", "count")}

# What a header usually says, for the first guess at a mapping (lower case, spaces collapsed).
GUESSES = {
    "email": ("e-post", "epost", "e-postadress", "email", "e-mail", "mejl", "mail"),
    "employee_number": ("anställningsnummer", "anst.nr", "anstnr", "anställningsnr", "employee number", "employee id"),
    "name": ("namn", "name", "fullständigt namn", "deltagare"),
    "course": ("kurs", "kurskod", "utbildning", "course", "kursnamn", "course code"),
    "completed_on": ("datum", "genomförd", "slutförd", "klar", "completed", "completion date", "slutdatum"),
    "unit": ("verksamhet", "enhet", "arbetsplats", "unit"),
    "staff_group": ("personalgrupp", "yrkesgrupp", "befattning", "staff group"),
    "count": ("antal", "antal anställda", "count", "headcount"),
}

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DMY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
EXCEL_EPOCH = datetime.date(1899, 12, 30)
EARLIEST = datetime.date(1990, 1, 1)


def fields_of(kind: str) -> list[tuple[str, StrOrPromise]]:
    return COMPLETION_FIELDS if kind == ImportKind.COMPLETIONS else HEADCOUNT_FIELDS


def guess_mapping(kind: str, headers: list[str]) -> dict[str, int]:
    normal = [" ".join(h.lower().split()) for h in headers]
    mapping: dict[str, int] = {}
    for name, _label in fields_of(kind):
        for index, header in enumerate(normal):
            if header in GUESSES.get(name, ()) and index not in mapping.values():
                mapping[name] = index
                break
    return mapping


def shown(value: str) -> str:
    return value if len(value) <= MAX_SHOWN else value[: MAX_SHOWN - 1] + "…"


def parse_date(value: str, today: datetime.date) -> datetime.date | str:
    """A date, or the Swedish reason it is not one: ISO (a time after it is ignored), d/m/yyyy or
    d.m.yyyy, or an Excel day number (what a date cell without its format becomes in a CSV)."""
    if not value:
        return _("Datum saknas.")
    day: datetime.date | None = None
    try:
        if len(value) >= 10 and value[4] == "-":
            day = datetime.date.fromisoformat(value[:10])
        elif match := _DMY.match(value):
            day = datetime.date(int(match[3]), int(match[2]), int(match[1]))
        elif value.isdigit() and 30_000 <= int(value) <= 80_000:
            day = EXCEL_EPOCH + datetime.timedelta(days=int(value))
    except ValueError:
        day = None
    if day is None:
        return _("Ogiltigt datum: %(value)s. Skriv det som 2025-03-14 eller 14/3/2025.") % {"value": shown(value)}
    if day > today:
        return _("Datumet %(value)s ligger i framtiden.") % {"value": day.isoformat()}
    if day < EARLIEST:
        return _("Datumet %(value)s är orimligt tidigt.") % {"value": day.isoformat()}
    return day


# Possessive: nothing to give back, so no backtracking (a third of the time of this test per cell).
_TEN_DIGITS = re.compile(r"(?:\D*+\d){10}")


def personnummer_at(cells: list[str]) -> int | None:
    """The index of the first cell that could hold a personnummer, or None. The cheap test first (ten
    digits somewhere): it keeps the full one off nearly every cell."""
    ten_digits = _TEN_DIGITS.match
    for index, cell in enumerate(cells):
        if cell and ten_digits(cell) is not None and contains_personnummer(cell):
            return index
    return None


def personnummer_error(labels: list[str], index: int) -> str:
    """Names the column, never the value."""
    column = labels[index] if index < len(labels) else _("Kolumn %(n)s (utan rubrik)") % {"n": index + 1}
    return _(
        "Värdet i kolumnen %(column)s ser ut som ett personnummer. Personnummer tas inte emot: ta bort det ur "
        "filen och ange personen med e-postadress eller anställningsnummer."
    ) % {"column": shown(column)}
