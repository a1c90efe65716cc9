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
# Something that looks like a personnummer inside free text (used to warn before saving).
IN_TEXT = re.compile(r"(?<!\d)((?:19|20)?\d{6})[-+ ]?(\d{4})(?!\d)")


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


def find_in_text(text: str) -> list[str]:
    """Personnummer-like strings with a valid check digit found in free text."""
    found = []
    for match in IN_TEXT.finditer(text):
        digits = match.group(1) + match.group(2)
        if luhn_ok(digits[-10:]):
            found.append(match.group(0))
    return found
