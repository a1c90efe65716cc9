"""Free text that must not identify anyone: refuse text holding a personnummer or a phone number.

Incidents, plans and other texts that are not encrypted or purged like a concern's person data use
this check. It reads the text as ``vbe.core.personnummer.fold`` leaves it, so digits of any script,
any dash, odd spaces and invisible characters do not slip a number past it.

- A personnummer (or samordningsnummer) is YYMMDD or YYYYMMDD, a separator and four digits, where the
  date is real and not in the future and the check digit is right
  (``vbe.core.personnummer.contains_personnummer``).
- A Swedish phone number is 0 and an area code, or +46 / 0046, and in all 8 to 10 digits (7 to 9
  after the country code), written together or in groups split by a space, a dash, a slash, a dot,
  an underscore or parentheses ("070-123 45 67", "+46 70 123 45 67", "08-123 456 78", "0701234567",
  "070.123.45.67", "(070)1234567", "+46 (70) 123 45 67"); line breaks count as spaces.

Ordinary numbers pass: amounts, years, dates ("2026-11-30", "30.11.2026", "01-02-2026"), times,
case numbers ("2024/1234") and postcodes do not start with 0 and an area code, or fail the date and
check-digit tests; clock times, spans of them and day-month-year dates that do start with 0
("08.30–16.00", "0800-1700", "01.02.2026") are set aside before phone numbers are looked for. The
message never repeats what was found.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from vbe.core.personnummer import contains_personnummer, fold

PERSONNUMMER_MESSAGE = _(
    "Texten innehåller något som liknar ett personnummer. Ta bort det: skriv inte personnummer, namn "
    "eller andra uppgifter som pekar ut en person."
)
PHONE_MESSAGE = _(
    "Texten innehåller något som liknar ett telefonnummer. Ta bort det: skriv inte telefonnummer, namn "
    "eller andra uppgifter som pekar ut en person."
)

# Between the groups of a phone number: one space, a dash or a slash (spaces either side allowed),
# a dot or an underscore, or a parenthesis around the area code ("(070)1234567", "(08) 123 45 67").
_SEP = r"(?: ?[-/] ?|[._]| ?\) ?| ?\( ?| )"
# A run that may be a phone number, in folded text: the country code or the trunk 0 directly before
# the area code (not inside a run of figures such as "2025-01-06"), then groups of digits. Parentheses
# are allowed around the area code, also after +46 ("+46 (70) …"), and around the 0 ("+46 (0)70 …",
# "(0)70 …"). Every repetition is bounded (a number has at most ten digits after the 0 or +46),
# so one match is short and trying it at every start keeps the check linear in the text's length.
_PHONE = re.compile(
    r"(?<![\d+])(?<!\d[-./_])"
    rf"(?:(?P<country>(?:\+|00) ?46){_SEP}?(?:\(0\) ?)?\(?|\(?0\)?)"
    rf"(?P<rest>[1-9]\d{{0,11}}(?:{_SEP}\d{{1,12}}){{0,10}})"
)
_PHONE_START = re.compile(r"[+(0]")
_DIGITS = re.compile(r"\d+")

# Figures that begin with 0 too and are not phone numbers, blanked out before the search: clock times
# ("08.30", "08.30–16.00", "0800-1700"), dates day-month-year ("01-02-2026", "01.02.2026",
# "01/02 2026") and months ("01.2026"). Not inside a longer dotted run ("070.112.23.45" keeps its
# "23.45"): no digit, and no digit and a separator, right before; no further digit right after.
_HOUR = r"(?:[01]\d|2[0-3])"
_CLOCK = rf"{_HOUR}[.:]?[0-5]\d"
_DAY, _MONTH, _YEAR = r"(?:0?[1-9]|[12]\d|3[01])", r"(?:0?[1-9]|1[0-2])", r"(?:19|20)\d\d"
_NOT_A_NUMBER = re.compile(
    r"(?<!\d)(?<!\d[-./:_])(?:"
    rf"{_CLOCK} ?- ?{_CLOCK}"
    # A lone time or a date right after figures and a space may be the end of a number
    # ("070-174 06.05", "070-174 06 05 2024"); a span of times there is still a span of times, and a
    # time right after another is a list of times ("08.00 09.00").
    rf"|(?:(?<!\d )|(?<=[.:][0-5]\d )){_HOUR}[.:][0-5]\d(?![.:/]\d)"
    rf"|(?<!\d ){_DAY}[-./ ]{_MONTH}[-./ ]{_YEAR}"
    rf"|(?<!\d ){_MONTH}[-./]{_YEAR}"
    r")(?!\d)"
)


def contains_phone_number(text: str) -> bool:
    """True if free text holds something written like a Swedish phone number."""
    text = _NOT_A_NUMBER.sub("#", fold(text))
    # Every place a number may start is tried (not only where the last match ended), so a run of
    # figures right before a number ("0812345 0701740605") does not hide it.
    for start in _PHONE_START.finditer(text):
        match = _PHONE.match(text, start.start())
        if not match:
            continue
        # The area code follows the 0 (or +46) at once, so "0 100 200" is a list of figures. A number
        # may be followed by other figures ("070-123 45 67 2024"): any leading groups that make a
        # number of the right length count.
        count = 0
        for group in _DIGITS.findall(match["rest"]):
            count += len(group)
            if count > 9:
                break
            if count >= 7:
                return True
    return False


def reject_identifying_numbers(text: str) -> None:
    """A form and service validator: a personnummer or a phone number in the text is refused, with a
    Swedish message that says what to remove (and never repeats it)."""
    if contains_personnummer(text):
        raise ValidationError(PERSONNUMMER_MESSAGE, code="personnummer")
    if contains_phone_number(text):
        raise ValidationError(PHONE_MESSAGE, code="phone_number")
