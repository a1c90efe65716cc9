"""Swedish personal identity numbers (personnummer) and coordination numbers (samordningsnummer).

Stored as 12 digits without separator (YYYYMMDDNNNC). Only Skatteverket's test numbers may appear in
fixtures, demo data and tests (data/stockholm/skatteverket-testpersonnummer.csv).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re

from django.conf import settings
from django.core.exceptions import ValidationError

_SHAPE = re.compile(r"^(\d{2})?(\d{6})([-+]?)(\d{4})$")
# A personnummer-like string inside free text; not preceded or followed by another digit.
_IN_TEXT = re.compile(r"(?<!\d)(\d{2})?(\d{2})(\d{2})(\d{2})\s?[-+–]?\s?(\d{4})(?!\d)")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, char in enumerate(digits):
        n = int(char) * (2 - i % 2)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _century(yymmdd: str, plus: bool, today: datetime.date) -> str:
    # Ten digits: the person is at most 99 years old unless the separator is "+" (100 or older).
    year = int(yymmdd[:2])
    base = today.year - (100 if plus else 0)
    century = base // 100
    if year > base % 100:
        century -= 1
    return str(century)


def normalise(value: str, *, today: datetime.date | None = None) -> str:
    """Return the 12-digit form, or raise ValidationError with a Swedish message."""
    today = today or datetime.date.today()
    match = _SHAPE.match(value.strip().replace(" ", ""))
    if not match:
        raise ValidationError("Skriv personnumret med 10 eller 12 siffror, till exempel ÅÅÅÅMMDD-NNNN.")
    century, yymmdd, separator, last4 = match.groups()
    century = century or _century(yymmdd, separator == "+", today)
    digits = century + yymmdd + last4
    if not luhn_ok(digits[2:]):
        raise ValidationError("Personnumret stämmer inte: kontrollsiffran är fel. Kontrollera siffrorna.")
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:8])
    if day > 60:  # samordningsnummer: the day of birth plus 60
        day -= 60
    try:
        born = datetime.date(year, month, day)
    except ValueError:
        raise ValidationError("Personnumret stämmer inte: datumet finns inte.") from None
    if born > today:
        raise ValidationError("Personnumret stämmer inte: födelsedatumet ligger i framtiden.")
    return digits


def mask(digits: str) -> str:
    """For lists: the birth year only. The whole number is shown on request, and that is logged."""
    return f"{digits[:4]}XXXX-XXXX" if len(digits) == 12 else ""


def blind_index(digits: str) -> str:
    """A keyed hash for exact look-up without decrypting: equal numbers give equal indexes."""
    return hmac.new(settings.BLIND_INDEX_KEY, digits.encode(), hashlib.sha256).hexdigest()


def _is_date(year: int, month: int, day: int) -> bool:
    if day > 60:  # samordningsnummer
        day -= 60
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def _looks_like_personnummer(century: str | None, yy: str, mm: str, dd: str, last4: str) -> bool:
    if not luhn_ok(f"{yy}{mm}{dd}{last4}"):
        return False
    years = [int(century + yy)] if century else [1900 + int(yy), 2000 + int(yy)]
    return any(_is_date(year, int(mm), int(dd)) for year in years)


def contains_personnummer(text: str) -> bool:
    """True if free text holds something that could be a personnummer or samordningsnummer: a real
    date, four digits and a valid check digit. The date check keeps amounts and phone numbers out."""
    return any(_looks_like_personnummer(*match.groups()) for match in _IN_TEXT.finditer(text or ""))
