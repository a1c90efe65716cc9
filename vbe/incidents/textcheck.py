"""Free text in an incident must not identify anyone: refuse text holding a personnummer-like string.

A match is YYMMDD or YYYYMMDD, an optional separator and four digits, where the date part is a real
date (a samordningsnummer adds 60 to the day) and the last digit is a valid Luhn check digit over the
ten-digit form (``vbe.core.personnummer.contains_personnummer``); the date check keeps ordinary
numbers (amounts, phone numbers, case numbers) from blocking a report.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from vbe.core.personnummer import contains_personnummer

MESSAGE = _(
    "Texten innehåller något som liknar ett personnummer. Ta bort det: skriv inte personnummer, namn "
    "eller andra uppgifter som pekar ut en person."
)


def reject_personnummer(text: str) -> None:
    """A form and service validator. The message never repeats what was found."""
    if contains_personnummer(text):
        raise ValidationError(MESSAGE, code="personnummer")
